/**
 * The policy as routes meet it: `requireAccess` loads the facts, asks `authorize`, records every
 * denial in the audit trail and answers it (404 when the caller must not learn the resource
 * exists, else 403 with the reason). A route calls it before it reads or writes anything.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { ApiError, ForbiddenError, NotFoundError } from '../errors/index.ts';
import { loadResourceFacts, loadRules, loadSubject, type ResourceRef } from './facts.ts';
import {
  ACTIONS,
  authorize,
  type AccessRule,
  type Action,
  type PolicyAction,
  type Decision,
  type ResourceFacts,
  type Subject,
} from './policy.ts';

/** What a route learns when access is granted. */
export interface Granted<Facts extends ResourceFacts = ResourceFacts> {
  subject: Subject;
  facts: Facts;
  decision: Extract<Decision, { allowed: true }>;
  rules: AccessRule[];
}

type FactsOf<Ref extends ResourceRef> = Extract<ResourceFacts, { type: Ref['type'] }>;

const subjects = new WeakMap<object, Promise<Subject | null>>();

/** The caller as the policy sees them, loaded once per request. */
export async function currentSubject(c: Context<AppEnv>): Promise<Subject> {
  let pending = subjects.get(c);
  if (!pending) {
    pending = loadSubject(c.var.store.db, c.var.principal.userId);
    subjects.set(c, pending);
  }
  const subject = await pending;
  // The account was disabled or removed between authentication and now.
  if (!subject) throw new ApiError(401, 'unauthorized', 'The account is no longer active.');
  return subject;
}

function describeRef(ref: ResourceRef): string {
  return ref.type === 'system' ? 'system' : `${ref.type} ${ref.id}`;
}

async function recordDenial(
  c: Context<AppEnv>,
  action: Action,
  ref: ResourceRef,
  reason: string,
  rule?: { id: string; tag: string },
) {
  await c.var.audit.record({
    ...requestActor(c),
    action,
    resourceType: ref.type,
    resourceId: ref.type === 'system' ? null : ref.id,
    outcome: 'denied',
    details: { reason, ...(rule ? { rule } : {}) },
  });
}

/**
 * Records and answers (403) a denial the policy gave where `requireAccess` could not ask it: a
 * decision that needed state read inside the route's transaction, taken after it rolled back.
 *
 * @example
 * if (refusal) return refuseAccess(c, 'group.admins.manage', { type: 'group', id }, refusal);
 */
export async function refuseAccess(
  c: Context<AppEnv>,
  action: Action,
  ref: ResourceRef,
  reason: string,
): Promise<never> {
  await recordDenial(c, action, ref, reason);
  throw new ForbiddenError(reason);
}

/**
 * Decides the request and throws its answer when denied. Call it first in every route.
 *
 * @example
 * const { facts } = await requireAccess(c, 'dashboard.update', { type: 'dashboard', id });
 * // facts.project.id is the dashboard's project
 */
export async function requireAccess<Ref extends ResourceRef>(
  c: Context<AppEnv>,
  action: Action,
  ref: Ref,
): Promise<Granted<FactsOf<Ref>>> {
  const subject = await currentSubject(c);
  const db = c.var.store.db;
  const [facts, rules] = await Promise.all([loadResourceFacts(db, ref), loadRules(db)]);
  const notFound = `No ${ref.type} with this id, or you may not see it.`;
  if (!facts) {
    await recordDenial(c, action, ref, `The ${describeRef(ref)} does not exist.`);
    throw new NotFoundError(notFound);
  }
  const decision = authorize(subject, action, facts, rules);
  if (!decision.allowed) {
    await recordDenial(c, action, ref, decision.reason, decision.rule);
    if (decision.conceal) throw new NotFoundError(notFound);
    throw new ForbiddenError(decision.reason);
  }
  return { subject, facts: facts as FactsOf<Ref>, decision, rules };
}

/**
 * Decides the request on facts the route loaded itself (plugins: their facts come from the
 * plugin registry and the plugin policy, not from this folder), records a denial in the audit
 * trail and throws its answer, exactly as `requireAccess` does. Call it first in the route.
 *
 * @example
 * const facts = await registry.facts(c, subject, id); // { type: 'plugin', id, name, blockedReason }
 * await requireDecision(c, 'plugin.launch', facts);
 */
export async function requireDecision<Facts extends ResourceFacts>(
  c: Context<AppEnv>,
  action: PolicyAction,
  facts: Facts,
  notFoundMessage = `No ${facts.type} with this id, or you may not see it.`,
): Promise<Granted<Facts>> {
  const subject = await currentSubject(c);
  const decision = authorize(subject, action, facts);
  if (!decision.allowed) {
    await c.var.audit.record({
      ...requestActor(c),
      action,
      resourceType: facts.type,
      resourceId: facts.type === 'system' ? null : facts.id,
      outcome: 'denied',
      details: { reason: decision.reason },
    });
    if (decision.conceal) throw new NotFoundError(notFoundMessage);
    throw new ForbiddenError(decision.reason);
  }
  return { subject, facts, decision, rules: [] };
}

/**
 * Records and answers (404) a request about a resource that does not exist, for routes whose
 * facts `requireDecision` takes: the denial is on record like every other.
 *
 * @example
 * if (!plugin) return refuseMissing(c, 'plugin.view', 'plugin', id, 'No plugin with this id.');
 */
export async function refuseMissing(
  c: Context<AppEnv>,
  action: PolicyAction,
  resourceType: string,
  resourceId: string,
  message: string,
): Promise<never> {
  await c.var.audit.record({
    ...requestActor(c),
    action,
    resourceType,
    resourceId: resourceId.slice(0, 200),
    outcome: 'denied',
    details: { reason: `The ${resourceType} does not exist.` },
  });
  throw new NotFoundError(message);
}

/**
 * The actions the subject may take on a resource, for the UI to show only what works (the
 * server still decides each request on its own).
 *
 * @example
 * const allowed = allowedActions(subject, facts, rules); // ['dashboard.view', 'dashboard.update']
 */
export function allowedActions(
  subject: Subject,
  facts: ResourceFacts,
  rules: readonly AccessRule[],
): Action[] {
  return ACTIONS.filter((action) => authorize(subject, action, facts, rules).allowed);
}

/**
 * Whether the subject may take the action; for filtering lists, where a hidden row is not a
 * denial of the request.
 *
 * @example
 * const visible = rows.filter((row) => isAllowed(subject, 'project.view', factsOf(row), rules));
 */
export function isAllowed(
  subject: Subject,
  action: PolicyAction,
  facts: ResourceFacts,
  rules: readonly AccessRule[],
): boolean {
  return authorize(subject, action, facts, rules).allowed;
}

/**
 * Who acted, for the audit event a route records: the caller, the app they acted through, the
 * request, the address and the sign-in session the token belongs to.
 *
 * @example
 * await c.var.audit.record({ ...requestActor(c), action: 'project.update', … }, db);
 */
export function requestActor(c: Context<AppEnv>) {
  return {
    actorUserId: c.var.principal.userId,
    actorClient: c.var.principal.clientId,
    requestId: c.var.requestId,
    ip: c.var.clientIp,
    sessionId: c.var.principal.sessionId,
  };
}
