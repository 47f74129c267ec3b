-- Project isolation in the database itself. Routes touch data as the role `enclave_request`
-- (never a superuser, never the tables' owner), with the caller's id in the transaction-local
-- setting `enclave.user_id`; the policies below then hide every project-scoped row of a project
-- the caller holds no grant on, so a bug in a query cannot return another project's rows.
-- Roles are cluster-wide: creating it needs CREATEROLE once; concurrent migrations of other
-- databases in the same cluster may race to create it, which is harmless.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'enclave_request') THEN
    BEGIN
      CREATE ROLE "enclave_request" NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;
  IF NOT pg_has_role(current_user, 'enclave_request', 'MEMBER') THEN
    BEGIN
      EXECUTE format('GRANT "enclave_request" TO %I', current_user);
    EXCEPTION WHEN OTHERS THEN
      IF NOT pg_has_role(current_user, 'enclave_request', 'MEMBER') THEN RAISE; END IF;
    END;
  END IF;
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO "enclave_request";
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON
  "projects", "project_members", "dashboards", "datasets", "connections", "connection_grants",
  "access_rules", "access_rule_groups", "groups", "group_members", "group_nesting"
TO "enclave_request";
--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON "dataset_versions" TO "enclave_request";
--> statement-breakpoint
GRANT SELECT, UPDATE ON "users" TO "enclave_request";
--> statement-breakpoint
-- So that a change and the audit event recording it commit together.
GRANT SELECT, INSERT ON "audit_events" TO "enclave_request";
--> statement-breakpoint
GRANT SELECT, UPDATE ON "audit_chain_head" TO "enclave_request";
--> statement-breakpoint
CREATE FUNCTION "enclave_request_user"() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('enclave.user_id', true), '')::uuid
$$;
--> statement-breakpoint
-- SECURITY DEFINER: it reads grants and memberships as the tables' owner, which row-level
-- security does not restrict. A project nobody holds a grant on yet is visible to its creator
-- only, for the moment between creating it and granting the creator Owner in one transaction.
CREATE FUNCTION "enclave_can_see_project"(project uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH RECURSIVE effective_groups(id) AS (
    SELECT gm.group_id FROM group_members gm WHERE gm.user_id = enclave_request_user()
    UNION
    SELECT n.parent_group_id FROM group_nesting n JOIN effective_groups g ON n.child_group_id = g.id
  )
  SELECT EXISTS (
      SELECT 1 FROM users u
      WHERE u.id = enclave_request_user() AND u.system_role = 'admin' AND NOT u.disabled
    )
    OR EXISTS (
      SELECT 1 FROM project_members pm
      WHERE pm.project_id = project
        AND (pm.user_id = enclave_request_user() OR pm.group_id IN (SELECT id FROM effective_groups))
    )
    OR EXISTS (
      SELECT 1 FROM projects p
      WHERE p.id = project AND p.created_by = enclave_request_user()
        AND NOT EXISTS (SELECT 1 FROM project_members pm WHERE pm.project_id = project)
    )
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION "enclave_can_see_project"(uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION "enclave_can_see_project"(uuid) TO "enclave_request";
--> statement-breakpoint
ALTER TABLE "projects" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "projects_isolation" ON "projects" FOR ALL TO "enclave_request"
  USING (enclave_can_see_project(id))
  WITH CHECK (enclave_can_see_project(id) OR created_by = enclave_request_user());
--> statement-breakpoint
ALTER TABLE "project_members" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "project_members_isolation" ON "project_members" FOR ALL TO "enclave_request"
  USING (enclave_can_see_project(project_id)) WITH CHECK (enclave_can_see_project(project_id));
--> statement-breakpoint
ALTER TABLE "dashboards" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "dashboards_isolation" ON "dashboards" FOR ALL TO "enclave_request"
  USING (enclave_can_see_project(project_id)) WITH CHECK (enclave_can_see_project(project_id));
--> statement-breakpoint
ALTER TABLE "datasets" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "datasets_isolation" ON "datasets" FOR ALL TO "enclave_request"
  USING (enclave_can_see_project(project_id)) WITH CHECK (enclave_can_see_project(project_id));
--> statement-breakpoint
ALTER TABLE "dataset_versions" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "dataset_versions_isolation" ON "dataset_versions" FOR ALL TO "enclave_request"
  USING (enclave_can_see_project(project_id)) WITH CHECK (enclave_can_see_project(project_id));
--> statement-breakpoint
-- A version, once written, is what it is: restoring an old one writes a new version.
CREATE FUNCTION "dataset_versions_refuse_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'dataset versions are immutable (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "dataset_versions_immutable"
BEFORE UPDATE ON "dataset_versions"
FOR EACH ROW EXECUTE FUNCTION "dataset_versions_refuse_update"();
