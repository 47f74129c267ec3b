/**
 * A drop-down of everyone a grant can be for: users and groups, in two labelled sets. Used for
 * project members and connection grants.
 */
import type { PrincipalType } from '../api/projects-api.ts';
import { useGroups } from '../groups/use-groups.ts';
import { useUsers } from '../users/use-users.ts';
import { userLabel } from '../users/user-label.ts';

export interface PrincipalChoice {
  type: PrincipalType;
  id: string;
}

/**
 * One string per principal, for keys and option values.
 *
 * @example
 * principalKey({ type: 'group', id }); // "group:…"
 */
export function principalKey(principal: PrincipalChoice): string {
  return `${principal.type}:${principal.id}`;
}

function parsePrincipalKey(key: string): PrincipalChoice | null {
  const [type, id] = key.split(':');
  if ((type !== 'user' && type !== 'group') || !id) return null;
  return { type, id };
}

interface PrincipalSelectProps {
  id: string;
  value: PrincipalChoice | null;
  onChange: (principal: PrincipalChoice | null) => void;
  /** Principals not to offer, as `principalKey`s (those who hold a grant already). */
  exclude?: readonly string[];
}

export function PrincipalSelect({ id, value, onChange, exclude = [] }: PrincipalSelectProps) {
  const users = useUsers();
  const groups = useGroups();
  const offeredUsers = (users.data ?? []).filter(
    (user) =>
      user.disabled !== true && !exclude.includes(principalKey({ type: 'user', id: user.id })),
  );
  const offeredGroups = (groups.data ?? []).filter(
    (group) => !exclude.includes(principalKey({ type: 'group', id: group.id })),
  );
  return (
    <select
      id={id}
      value={value ? principalKey(value) : ''}
      onChange={(event) => onChange(parsePrincipalKey(event.target.value))}
      aria-busy={users.isPending || groups.isPending}
    >
      <option value="">
        {users.isError || groups.isError ? 'Users or groups could not be loaded' : 'Choose…'}
      </option>
      {offeredUsers.length > 0 && (
        <optgroup label="Users">
          {offeredUsers.map((user) => (
            <option key={user.id} value={principalKey({ type: 'user', id: user.id })}>
              {userLabel(user)}
            </option>
          ))}
        </optgroup>
      )}
      {offeredGroups.length > 0 && (
        <optgroup label="Groups">
          {offeredGroups.map((group) => (
            <option key={group.id} value={principalKey({ type: 'group', id: group.id })}>
              {group.name}
            </option>
          ))}
        </optgroup>
      )}
    </select>
  );
}
