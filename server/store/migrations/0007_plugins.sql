CREATE TABLE "broken_plugins" (
	"plugin_id" text PRIMARY KEY NOT NULL,
	"manifest_sha256" text NOT NULL,
	"path" text NOT NULL,
	"detected_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "plugin_consents" (
	"user_id" uuid NOT NULL,
	"plugin_id" text NOT NULL,
	"permissions" jsonb NOT NULL,
	"granted_at" timestamp with time zone NOT NULL,
	CONSTRAINT "plugin_consents_user_id_plugin_id_pk" PRIMARY KEY("user_id","plugin_id")
);
--> statement-breakpoint
CREATE TABLE "plugin_files" (
	"plugin_id" text NOT NULL,
	"path" text NOT NULL,
	"sha256" text NOT NULL,
	"content" "bytea" NOT NULL,
	CONSTRAINT "plugin_files_plugin_id_path_pk" PRIMARY KEY("plugin_id","path")
);
--> statement-breakpoint
CREATE TABLE "plugin_instances" (
	"id" text PRIMARY KEY NOT NULL,
	"plugin_id" text NOT NULL,
	"manifest_sha256" text NOT NULL,
	"user_id" uuid NOT NULL,
	"permissions" jsonb NOT NULL,
	"table_name" text,
	"columns" jsonb,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"document_served_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"end_reason" text
);
--> statement-breakpoint
CREATE TABLE "plugin_policy_rules" (
	"id" uuid PRIMARY KEY NOT NULL,
	"plugin_id" text NOT NULL,
	"effect" text NOT NULL,
	"group_ids" jsonb,
	"starts_at" timestamp with time zone,
	"ends_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "plugin_policy_rules_effect_check" CHECK ("plugin_policy_rules"."effect" in ('allow', 'block')),
	CONSTRAINT "plugin_policy_rules_window_check" CHECK ("plugin_policy_rules"."starts_at" is null or "plugin_policy_rules"."ends_at" is null or "plugin_policy_rules"."starts_at" < "plugin_policy_rules"."ends_at")
);
--> statement-breakpoint
CREATE TABLE "plugins" (
	"id" text PRIMARY KEY NOT NULL,
	"manifest" jsonb NOT NULL,
	"manifest_sha256" text NOT NULL,
	"uploaded_by" uuid,
	"uploaded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "plugin_consents" ADD CONSTRAINT "plugin_consents_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plugin_files" ADD CONSTRAINT "plugin_files_plugin_id_plugins_id_fk" FOREIGN KEY ("plugin_id") REFERENCES "public"."plugins"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plugin_instances" ADD CONSTRAINT "plugin_instances_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plugin_policy_rules" ADD CONSTRAINT "plugin_policy_rules_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plugins" ADD CONSTRAINT "plugins_uploaded_by_users_id_fk" FOREIGN KEY ("uploaded_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "plugin_instances_user_idx" ON "plugin_instances" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "plugin_instances_expires_at_idx" ON "plugin_instances" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "plugin_policy_rules_plugin_idx" ON "plugin_policy_rules" USING btree ("plugin_id");