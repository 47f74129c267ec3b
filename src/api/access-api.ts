/**
 * The access explainer (`GET /api/v1/access/explain`): why a user may or may not take an action
 * on a resource, with the chain of grants that allows it. For Admins, and for project owners about
 * what lives in their projects.
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
