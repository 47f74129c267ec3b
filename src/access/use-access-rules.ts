/** Query hook for every attribute rule with its groups. */
import { useQuery } from '@tanstack/react-query';
import { listAccessRules } from '../api/access-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const rules = useAccessRules();
 * return rules.data?.map((rule) => <li key={rule.id}>{ruleText(rule)}</li>);
 */
export function useAccessRules() {
  return useQuery({
    queryKey: queryKeys.accessRules,
    queryFn: listAccessRules,
    select: (answer) => answer.rules,
  });
}
