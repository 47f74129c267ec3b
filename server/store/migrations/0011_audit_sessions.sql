-- Each audit event names the sign-in session its request came from (the access token's `sid`),
-- so an admin can list, export or revert everything one sign-in did. Events recorded before have
-- none (null), and their hashes do not cover the column, so the chain verifies unchanged.
ALTER TABLE "audit_events" ADD COLUMN "session_id" text;
--> statement-breakpoint
CREATE INDEX "audit_events_session_idx" ON "audit_events" USING btree ("session_id");
