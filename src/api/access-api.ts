/**
 * The access routes (`/api/v1/access…`): the explainer (why a user may or may not take an action
 * on a resource, with the chain of grants that allows it; for Admins, and for project owners about
 * what lives in their projects), resource tags, and the attribute rules that match them (everyone
 * reads the rules; Admins tag and write them).
 */
import type { Action, ResourceType } from '../../server/authz/index.ts';
import { api, call } from './client.ts';

export type { Action, ResourceType };

export interface AccessQuestion {
  userId: string;
  action: Action;
  resourceType: ResourceType;
  /** Absent for the system itself. */
  resourceId?: string;
}

/**
 * @example
 * const { decision, reason, grantChain } = await explainAccess({
 *   userId, action: 'project.delete', resourceType: 'project', resourceId,
 * });
 */
export async function explainAccess(question: AccessQuestion) {
  const response = await call(() =>
    api.access.explain.$get({
      query: {
        userId: question.userId,
        action: question.action,
        resourceType: question.resourceType,
        ...(question.resourceId ? { resourceId: question.resourceId } : {}),
      },
    }),
  );
  return response.json();
}

export type AccessExplanation = Awaited<ReturnType<typeof explainAccess>>;

/** What carries tags: projects, dashboards, datasets and connections. */
export type TaggableType = 'project' | 'dashboard' | 'dataset' | 'connection';

/**
 * Replaces a resource's tags with `tags` (Admins) (`PUT /access/tags/{resourceType}/{resourceId}`).
 *
 * @example
 * const { tags } = await setResourceTags('project', id, { sensitivity: 'restricted' });
 */
export async function setResourceTags(
  resourceType: TaggableType,
  resourceId: string,
  tags: Record<string, string>,
) {
  const response = await call(() =>
    api.access.tags[':resourceType'][':resourceId'].$put({
      param: { resourceType, resourceId },
      json: { tags },
    }),
  );
  return response.json();
}

/**
 * Every attribute rule with its groups (`GET /access/rules`).
 *
 * @example
 * const { rules } = await listAccessRules();
 */
export async function listAccessRules() {
  const response = await call(() => api.access.rules.$get());
  return response.json();
}

export type AccessRule = Awaited<ReturnType<typeof listAccessRules>>['rules'][number];

/**
 * Restricts resources tagged `tagKey=tagValue` to members of the groups (Admins); the server
 * answers 409 `rule_exists` when the tag has a rule already (`POST /access/rules`).
 *
 * @example
 * await createAccessRule({ tagKey: 'sensitivity', tagValue: 'restricted', groupIds: [oncologyId] });
 */
export async function createAccessRule(input: {
  tagKey: string;
  tagValue: string;
  groupIds: string[];
}) {
  const response = await call(() => api.access.rules.$post({ json: input }));
  return response.json();
}

/**
 * Replaces a rule's groups (Admins) (`PUT /access/rules/{id}`).
 *
 * @example
 * await updateAccessRule(ruleId, [oncologyId, chemistsId]);
 */
export async function updateAccessRule(id: string, groupIds: string[]) {
  const response = await call(() =>
    api.access.rules[':id'].$put({ param: { id }, json: { groupIds } }),
  );
  return response.json();
}

/**
 * Removes a rule (Admins) (`DELETE /access/rules/{id}`).
 *
 * @example
 * await deleteAccessRule(ruleId);
 */
export async function deleteAccessRule(id: string): Promise<void> {
  await call(() => api.access.rules[':id'].$delete({ param: { id } }));
}
