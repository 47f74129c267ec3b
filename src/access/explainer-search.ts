/**
 * The explainer's question as the address holds it (`/access?userId=…&action=…`), so a question
 * can be linked to ("Explain access to this project") and survives a reload. Anything malformed
 * in the address is dropped, never passed on.
 */
import type { AccessQuestion } from '../api/access-api.ts';
import { isActionOf, isExplainableType, type ExplainableType } from './explainable-actions.ts';

export interface ExplainerSearch {
  userId?: string;
  action?: string;
  resourceType?: ExplainableType;
  resourceId?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function uuidOrNothing(value: unknown): string | undefined {
  return typeof value === 'string' && UUID.test(value) ? value : undefined;
}

/**
 * The route's `validateSearch`: keeps only well-formed parameters.
 *
 * @example
 * explainerSearch({ resourceType: 'project', resourceId: 'nope' }); // { resourceType: 'project' }
 */
export function explainerSearch(search: Record<string, unknown>): ExplainerSearch {
  const resourceType = isExplainableType(search.resourceType) ? search.resourceType : undefined;
  const userId = uuidOrNothing(search.userId);
  const resourceId = uuidOrNothing(search.resourceId);
  const action = typeof search.action === 'string' ? search.action : undefined;
  return {
    ...(userId ? { userId } : {}),
    ...(resourceType ? { resourceType } : {}),
    ...(resourceId ? { resourceId } : {}),
    ...(action && resourceType && isActionOf(resourceType, action) ? { action } : {}),
  };
}

/**
 * The question to send, once it is complete; null while something is missing.
 *
 * @example
 * completeQuestion({ userId, action: 'project.delete', resourceType: 'project', resourceId });
 */
export function completeQuestion(search: ExplainerSearch): AccessQuestion | null {
  const { userId, action, resourceType, resourceId } = search;
  if (!userId || !resourceType || !isActionOf(resourceType, action)) return null;
  if (resourceType === 'system') return { userId, action, resourceType };
  if (!resourceId) return null;
  return { userId, action, resourceType, resourceId };
}
