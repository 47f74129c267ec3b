-- Rows a deletion removed, kept so that reverting the deletion can put them back with their ids
-- (bytes included: dataset contents, wrapped keys, sealed credentials stay as sealed as they
-- were). The audit event of the deletion names its snapshot in `details.snapshotId`; the event
-- itself keeps only the readable state, never these bytes.
CREATE TABLE "revert_snapshot_rows" (
  "snapshot_id" uuid NOT NULL,
  "position" integer NOT NULL,
  "table_name" text NOT NULL,
  "row_data" jsonb NOT NULL,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  PRIMARY KEY ("snapshot_id", "position")
);
--> statement-breakpoint
CREATE INDEX "revert_snapshot_rows_created_at_idx" ON "revert_snapshot_rows" ("created_at");
--> statement-breakpoint
-- Captured inside the route's transaction, which runs as the request role.
GRANT SELECT, INSERT ON "revert_snapshot_rows" TO "enclave_request";
