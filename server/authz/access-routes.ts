/**
 * The access model's own routes: the explainer ("why may bob delete this?"), resource tags and
 * the attribute rules that match them. Tags and rules are Admin business; the explainer is open
 * to Admins and, for what lives in their projects, to project owners.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { eq, inArray, sql } from 'drizzle-orm';
import type { AppEnv } from '../app-env.ts';
import { captureRows } from '../audit/index.ts';
import { ConflictError, NotFoundError, ValidationError, validationHook } from '../errors/index.ts';
import {
  IdParamsSchema,
  IdSchema,
  TagKeySchema,
  TagValueSchema,
  TagsSchema,
  errorResponses,
} from '../schemas/index.ts';
import { schema, type Database } from '../store/index.ts';
import { loadRules, loadSubject, type ResourceRef } from './facts.ts';
import { requestActor, requireAccess } from './guard.ts';
import { ACTIONS, authorize, type AccessRule, type Action } from './policy.ts';

const { projects, dashboards, datasets, connections, accessRules, accessRuleGroups, groups } =
  schema;

const resourceTypes = [
  'system',
  'user',
  'group',
  'project',
  'dashboard',
  'dataset',
  'connection',
] as const;
const taggableTypes = ['project', 'dashboard', 'dataset', 'connection'] as const;

const ExplainQuerySchema = z
  .object({
    userId: IdSchema,
    action: z.enum(ACTIONS as [Action, ...Action[]]),
    resourceType: z.enum(resourceTypes),
    resourceId: IdSchema.optional(),
  })
  .strict()
  .refine((query) => query.resourceType === 'system' || query.resourceId !== undefined, {
    message: 'resourceId is required unless resourceType is system',
    path: ['resourceId'],
  });

const GrantStepSchema = z.object({ step: z.string() }).catchall(z.unknown()).openapi('GrantStep', {
  description:
    'One link of the chain from the user to the grant: the user, each group (through nesting), the grant, the project a resource inherits from.',
});

const ExplanationSchema = z
  .object({
    decision: z.enum(['allow', 'deny']),
    reason: z.string(),
    /** For a denial: what the user would be answered (404 hides the resource's existence). */
    status: z.union([z.literal(200), z.literal(403), z.literal(404)]),
    grantChain: z.array(GrantStepSchema),
    rule: z.object({ id: z.string(), tag: z.string() }).optional(),
  })
  .openapi('AccessExplanation');

const TagsBodySchema = z.object({ tags: TagsSchema }).strict().openapi('ResourceTags');

const TagParamsSchema = z.object({
  resourceType: z.enum(taggableTypes).openapi({ param: { name: 'resourceType', in: 'path' } }),
  resourceId: IdSchema.openapi({ param: { name: 'resourceId', in: 'path' } }),
});

const RuleSchema = z
  .object({
    id: z.uuid(),
    tagKey: z.string(),
    tagValue: z.string(),
    groups: z.array(z.object({ id: z.uuid(), name: z.string() })),
  })
  .openapi('AccessRule');

const CreateRuleSchema = z
  .object({
    tagKey: TagKeySchema,
    tagValue: TagValueSchema,
    groupIds: z.array(IdSchema).max(50),
  })
  .strict()
  .openapi('CreateAccessRule');

const UpdateRuleSchema = z
  .object({ groupIds: z.array(IdSchema).max(50) })
  .strict()
  .openapi('UpdateAccessRule');

const tags = ['access'];
const security = [{ DPoP: [] }];

const explainRoute = createRoute({
  method: 'get',
  path: '/access/explain',
  tags,
  security,
  summary: 'Why a user may or may not take an action on a resource',
  description: 'For Admins, and for project owners about what lives in their projects.',
  request: { query: ExplainQuerySchema },
  responses: {
    200: {
      description: 'The decision with its reason and grant chain.',
      content: { 'application/json': { schema: ExplanationSchema } },
    },
    ...errorResponses(400, 403, 404),
  },
});

const putTagsRoute = createRoute({
  method: 'put',
  path: '/access/tags/{resourceType}/{resourceId}',
  tags,
  security,
  summary: "Replace a resource's tags (Admins)",
  request: {
    params: TagParamsSchema,
    body: { required: true, content: { 'application/json': { schema: TagsBodySchema } } },
  },
  responses: {
    200: {
      description: 'The tags now.',
      content: { 'application/json': { schema: TagsBodySchema } },
    },
    ...errorResponses(400, 403, 404),
  },
});

const listRulesRoute = createRoute({
  method: 'get',
  path: '/access/rules',
  tags,
  security,
  summary: 'The attribute rules',
  responses: {
    200: {
      description: 'Every rule.',
      content: { 'application/json': { schema: z.object({ rules: z.array(RuleSchema) }) } },
    },
  },
});

const createRuleRoute = createRoute({
  method: 'post',
  path: '/access/rules',
  tags,
  security,
  summary: 'Restrict resources with a tag to groups (Admins)',
  request: {
    body: { required: true, content: { 'application/json': { schema: CreateRuleSchema } } },
  },
  responses: {
    201: { description: 'The rule.', content: { 'application/json': { schema: RuleSchema } } },
    ...errorResponses(400, 403, 409),
  },
});

const updateRuleRoute = createRoute({
  method: 'put',
  path: '/access/rules/{id}',
  tags,
  security,
  summary: "Change a rule's groups (Admins)",
  request: {
    params: IdParamsSchema,
    body: { required: true, content: { 'application/json': { schema: UpdateRuleSchema } } },
  },
  responses: {
    200: { description: 'The rule.', content: { 'application/json': { schema: RuleSchema } } },
    ...errorResponses(400, 403, 404),
  },
});

const deleteRuleRoute = createRoute({
  method: 'delete',
  path: '/access/rules/{id}',
  tags,
  security,
  summary: 'Remove a rule (Admins)',
  request: { params: IdParamsSchema },
  responses: { 204: { description: 'Removed.' }, ...errorResponses(400, 403, 404) },
});

export const taggedTables = {
  project: projects,
  dashboard: dashboards,
  dataset: datasets,
  connection: connections,
};

/**
 * A rule with its groups sorted by id: the state its audit events record, so that two reads of
 * one state compare equal when a revert checks it. Null when there is no such rule.
 */
export async function ruleState(db: Database, id: string): Promise<AccessRule | null> {
  const rule = (await loadRules(db)).find((candidate) => candidate.id === id);
  if (!rule) return null;
  return { ...rule, groups: [...rule.groups].sort((a, b) => a.id.localeCompare(b.id)) };
}

async function ruleById(db: Database, id: string): Promise<AccessRule> {
  const rule = await ruleState(db, id);
  if (!rule) throw new NotFoundError('No attribute rule with this id.');
  return rule;
}

export async function ensureGroupsExist(db: Database, groupIds: string[]) {
  const unique = [...new Set(groupIds)];
  if (unique.length === 0) return unique;
  const found = await db.select({ id: groups.id }).from(groups).where(inArray(groups.id, unique));
  if (found.length !== unique.length) {
    throw new ValidationError('Invalid request: groupIds: names a group that does not exist');
  }
  return unique;
}

/**
 * The explainer, tag and rule routes, to mount under `/api/v1` behind authentication.
 *
 * @example
 * api.route('/', accessRoutes());
 */
export function accessRoutes() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(explainRoute, async (c) => {
      const query = c.req.valid('query');
      const ref: ResourceRef =
        query.resourceType === 'system'
          ? { type: 'system' }
          : { type: query.resourceType, id: query.resourceId ?? '' };
      const { facts, rules } = await requireAccess(c, 'access.explain', ref);
      const subject = await loadSubject(c.var.store.db, query.userId);
      let explanation: z.infer<typeof ExplanationSchema>;
      if (!subject) {
        explanation = {
          decision: 'deny',
          reason: 'No active account with this id (it does not exist or is disabled).',
          status: 404,
          grantChain: [],
        };
      } else {
        const decision = authorize(subject, query.action, facts, rules);
        explanation = decision.allowed
          ? { decision: 'allow', reason: decision.reason, status: 200, grantChain: decision.chain }
          : {
              decision: 'deny',
              reason: decision.reason,
              status: decision.conceal ? 404 : 403,
              grantChain: [],
              ...(decision.rule ? { rule: decision.rule } : {}),
            };
      }
      await c.var.audit.record({
        ...requestActor(c),
        action: 'access.explain',
        resourceType: ref.type,
        resourceId: ref.type === 'system' ? null : ref.id,
        outcome: 'ok',
        details: { userId: query.userId, action: query.action, decision: explanation.decision },
      });
      c.header('Cache-Control', 'no-store');
      return c.json(explanation, 200);
    })
    .openapi(putTagsRoute, async (c) => {
      const { resourceType, resourceId } = c.req.valid('param');
      const { tags: newTags } = c.req.valid('json');
      const { facts } = await requireAccess(c, 'access.tags.manage', {
        type: resourceType,
        id: resourceId,
      });
      const table = taggedTables[resourceType];
      await c.var.store.asUser(c.var.principal.userId, async (db) => {
        const [before] = await db
          .select({ tags: table.tags })
          .from(table)
          .where(eq(table.id, resourceId))
          .for('update');
        if (!before) throw new NotFoundError(`No ${resourceType} with this id.`);
        await db.update(table).set({ tags: newTags }).where(eq(table.id, resourceId));
        await c.var.audit.record(
          {
            ...requestActor(c),
            action: 'access.tags.update',
            resourceType,
            resourceId,
            projectId:
              facts.type === 'project' ? facts.id : 'project' in facts ? facts.project.id : null,
            outcome: 'ok',
            before: { tags: before.tags },
            after: { tags: newTags },
          },
          db,
        );
      });
      return c.json({ tags: newTags }, 200);
    })
    .openapi(listRulesRoute, async (c) => {
      await requireAccess(c, 'access.rules.view', { type: 'system' });
      return c.json({ rules: await loadRules(c.var.store.db) }, 200);
    })
    .openapi(createRuleRoute, async (c) => {
      const body = c.req.valid('json');
      await requireAccess(c, 'access.rules.manage', { type: 'system' });
      const id = crypto.randomUUID();
      const rule = await c.var.store.asUser(c.var.principal.userId, async (db) => {
        const groupIds = await ensureGroupsExist(db, body.groupIds);
        const inserted = await db
          .insert(accessRules)
          .values({
            id,
            tagKey: body.tagKey,
            tagValue: body.tagValue,
            createdBy: c.var.principal.userId,
            createdAt: new Date(),
          })
          .onConflictDoNothing()
          .returning({ id: accessRules.id });
        if (inserted.length === 0) {
          throw new ConflictError(
            `A rule for ${body.tagKey}=${body.tagValue} exists already; change its groups instead.`,
            'rule_exists',
          );
        }
        if (groupIds.length > 0) {
          await db
            .insert(accessRuleGroups)
            .values(groupIds.map((groupId) => ({ ruleId: id, groupId })));
        }
        const created = await ruleById(db, id);
        await c.var.audit.record(
          {
            ...requestActor(c),
            action: 'access.rule.create',
            resourceType: 'access_rule',
            resourceId: id,
            outcome: 'ok',
            after: created,
          },
          db,
        );
        return created;
      });
      return c.json(rule, 201);
    })
    .openapi(updateRuleRoute, async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      await requireAccess(c, 'access.rules.manage', { type: 'system' });
      const rule = await c.var.store.asUser(c.var.principal.userId, async (db) => {
        await db
          .select({ id: accessRules.id })
          .from(accessRules)
          .where(eq(accessRules.id, id))
          .for('update');
        const before = await ruleById(db, id);
        const groupIds = await ensureGroupsExist(db, body.groupIds);
        await db.delete(accessRuleGroups).where(eq(accessRuleGroups.ruleId, id));
        if (groupIds.length > 0) {
          await db
            .insert(accessRuleGroups)
            .values(groupIds.map((groupId) => ({ ruleId: id, groupId })));
        }
        const after = await ruleById(db, id);
        await c.var.audit.record(
          {
            ...requestActor(c),
            action: 'access.rule.update',
            resourceType: 'access_rule',
            resourceId: id,
            outcome: 'ok',
            before,
            after,
          },
          db,
        );
        return after;
      });
      return c.json(rule, 200);
    })
    .openapi(deleteRuleRoute, async (c) => {
      const { id } = c.req.valid('param');
      await requireAccess(c, 'access.rules.manage', { type: 'system' });
      await c.var.store.asUser(c.var.principal.userId, async (db) => {
        await db
          .select({ id: accessRules.id })
          .from(accessRules)
          .where(eq(accessRules.id, id))
          .for('update');
        const before = await ruleById(db, id);
        const snapshotId = await captureRows(db, [
          { table: 'access_rules', where: sql`id = ${id}` },
          { table: 'access_rule_groups', where: sql`rule_id = ${id}` },
        ]);
        await db.delete(accessRules).where(eq(accessRules.id, id));
        await c.var.audit.record(
          {
            ...requestActor(c),
            action: 'access.rule.delete',
            resourceType: 'access_rule',
            resourceId: id,
            outcome: 'ok',
            before,
            after: null,
            details: { snapshotId },
          },
          db,
        );
      });
      return c.body(null, 204);
    });
}
