-- The plugin tables for the request role. A user's consents and plugin instances are theirs
-- alone: row-level security shows the request role only the caller's rows, so a query that
-- forgets its `user_id` filter still cannot read or end another user's instance. Plugins, their
-- files and the policy rules are Admin business decided by the policy before any query.
GRANT SELECT, INSERT, DELETE ON "plugins", "plugin_files", "plugin_policy_rules" TO "enclave_request";
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "plugin_consents", "plugin_instances", "broken_plugins" TO "enclave_request";
--> statement-breakpoint
ALTER TABLE "plugin_consents" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "plugin_consents_own" ON "plugin_consents" FOR ALL TO "enclave_request"
  USING (user_id = enclave_request_user()) WITH CHECK (user_id = enclave_request_user());
--> statement-breakpoint
ALTER TABLE "plugin_instances" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "plugin_instances_own" ON "plugin_instances" FOR ALL TO "enclave_request"
  USING (user_id = enclave_request_user()) WITH CHECK (user_id = enclave_request_user());
