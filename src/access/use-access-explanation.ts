/** Query hook for the explanation of one access question, once the question is complete. */
import { skipToken, useQuery } from '@tanstack/react-query';
import { explainAccess, type AccessQuestion } from '../api/access-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const explanation = useAccessExplanation(question); // idle while question is null
 */
export function useAccessExplanation(question: AccessQuestion | null) {
  return useQuery({
    queryKey: queryKeys.accessExplanation(question ?? {}),
    queryFn: question ? () => explainAccess(question) : skipToken,
    // An explanation is of this moment: grants change, so ask again rather than keep it.
    staleTime: 0,
    gcTime: 0,
  });
}
