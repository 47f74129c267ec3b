/** A drop-down of user accounts, for adding one to a group. */
import { useUsers } from './use-users.ts';
import { userLabel } from './user-label.ts';

interface UserSelectProps {
  id: string;
  /** The chosen user's id, or '' for none. */
  value: string;
  onChange: (userId: string) => void;
  /** Users not to offer (already members). */
  exclude?: readonly string[];
}

export function UserSelect({ id, value, onChange, exclude = [] }: UserSelectProps) {
  const users = useUsers();
  const offered = (users.data ?? []).filter(
    (user) => !exclude.includes(user.id) && user.disabled !== true,
  );
  return (
    <select
      id={id}
      value={value}
      onChange={(event) => onChange(event.target.value)}
      aria-busy={users.isPending}
    >
      <option value="">{users.isError ? 'Users could not be loaded' : 'Choose a user…'}</option>
      {offered.map((user) => (
        <option key={user.id} value={user.id}>
          {userLabel(user)}
        </option>
      ))}
    </select>
  );
}
