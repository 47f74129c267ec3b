/** Unit tests of reading the explainer's question from the address. */
import { describe, expect, it } from 'vitest';
import { completeQuestion, explainerSearch } from './explainer-search.ts';

const userId = '0b8c1f9e-6a55-4a47-9d5e-3f6b0d1c2a77';
const resourceId = '1c9d2e0f-7b66-4b58-8e6f-4a7c1e2d3b88';

describe('explainerSearch', () => {
  it('keeps a well-formed question', () => {
    const search = { userId, action: 'project.delete', resourceType: 'project', resourceId };
    expect(explainerSearch(search)).toEqual(search);
  });

  it('drops malformed ids, unknown types and actions that do not fit the type', () => {
    expect(
      explainerSearch({
        userId: '../../etc',
        resourceType: 'project',
        resourceId: 42,
        action: 'dataset.upload',
      }),
    ).toEqual({ resourceType: 'project' });
    expect(explainerSearch({ resourceType: 'user', action: 'user.manage' })).toEqual({});
  });
});

describe('completeQuestion', () => {
  it('needs a user, an action of the type and, but for the system, a resource', () => {
    expect(
      completeQuestion({ userId, resourceType: 'project', action: 'project.view' }),
    ).toBeNull();
    expect(
      completeQuestion({ userId, resourceType: 'project', action: 'project.view', resourceId }),
    ).toEqual({ userId, resourceType: 'project', action: 'project.view', resourceId });
    expect(
      completeQuestion({ userId, resourceType: 'system', action: 'project.create', resourceId }),
    ).toEqual({ userId, resourceType: 'system', action: 'project.create' });
  });
});
