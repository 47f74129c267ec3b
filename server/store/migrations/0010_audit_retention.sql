-- Retention: events older than AUDIT_RETENTION_DAYS move to JSON Lines archive files. Each row
-- here is one archive: the chain positions and hashes it runs from and to, and where its file
-- is. The latest row is the anchor: the table's events chain on from its `to_hash`.
CREATE TABLE "audit_archives" (
  "to_seq" bigint PRIMARY KEY NOT NULL,
  "from_seq" bigint NOT NULL,
  "from_hash" text NOT NULL,
  "to_hash" text NOT NULL,
  "events" bigint NOT NULL,
  "file_path" text NOT NULL,
  "archived_at" timestamp with time zone DEFAULT now() NOT NULL,
  "archived_in" xid8 DEFAULT pg_current_xact_id() NOT NULL,
  CONSTRAINT "audit_archives_from_seq_unique" UNIQUE ("from_seq"),
  CONSTRAINT "audit_archives_range_check"
    CHECK ("from_seq" >= 0 AND "to_seq" > "from_seq" AND "events" = "to_seq" - "from_seq")
);
--> statement-breakpoint
-- An archive must start where the previous one ended (the genesis for the first) and end at an
-- event still in the table with that very hash, so the anchor can only move forward along the
-- chain. `archived_in` is stamped here, whatever the writer passed.
CREATE FUNCTION "audit_archives_check_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  anchor_seq bigint := 0;
  anchor_hash text := repeat('0', 64);
  last_hash text;
BEGIN
  SELECT a.to_seq, a.to_hash INTO anchor_seq, anchor_hash
    FROM audit_archives a ORDER BY a.to_seq DESC LIMIT 1;
  IF NOT FOUND THEN
    anchor_seq := 0;
    anchor_hash := repeat('0', 64);
  END IF;
  IF NEW.from_seq <> anchor_seq OR NEW.from_hash <> anchor_hash THEN
    RAISE EXCEPTION 'an audit archive must start at the anchor (position %)', anchor_seq
      USING ERRCODE = 'check_violation';
  END IF;
  SELECT e.hash INTO last_hash FROM audit_events e WHERE e.seq = NEW.to_seq;
  IF last_hash IS DISTINCT FROM NEW.to_hash THEN
    RAISE EXCEPTION 'an audit archive must end at a stored event with its hash (position %)', NEW.to_seq
      USING ERRCODE = 'check_violation';
  END IF;
  NEW.archived_in := pg_current_xact_id();
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "audit_archives_check"
BEFORE INSERT ON "audit_archives"
FOR EACH ROW EXECUTE FUNCTION "audit_archives_check_insert"();
--> statement-breakpoint
CREATE FUNCTION "audit_archives_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_archives is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "audit_archives_append_only"
BEFORE UPDATE OR DELETE ON "audit_archives"
FOR EACH ROW EXECUTE FUNCTION "audit_archives_refuse_change"();
--> statement-breakpoint
CREATE TRIGGER "audit_archives_no_truncate"
BEFORE TRUNCATE ON "audit_archives"
FOR EACH STATEMENT EXECUTE FUNCTION "audit_archives_refuse_change"();
--> statement-breakpoint
-- The one sanctioned delete of audit events: inside a transaction that set
-- `enclave.audit_archiving` locally AND recorded, in that same transaction, the archive that
-- holds the row. Everything else (UPDATE, TRUNCATE, any other DELETE) is still refused. The
-- request role has no DELETE privilege on audit_events nor INSERT on audit_archives at all.
CREATE OR REPLACE FUNCTION "audit_events_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE'
    AND current_setting('enclave.audit_archiving', true) = 'on'
    AND EXISTS (
      SELECT 1 FROM audit_archives a
      WHERE a.archived_in = pg_current_xact_id() AND OLD.seq > a.from_seq AND OLD.seq <= a.to_seq
    )
  THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
REVOKE ALL ON "audit_archives" FROM "enclave_request";
