/**
 * The Groups page: every group with its size and where it comes from. Admins create groups here;
 * a group's own page has its members and subgroups.
 */
import { Link } from '@tanstack/react-router';
import { useSystemPermissions } from '../auth/use-system-permissions.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { useDocumentTitle } from '../layout/use-document-title.ts';
import { LoadingState } from '../ui/loading-state.tsx';
import { CreateGroupForm } from './create-group-form.tsx';
import { groupSourceLabels } from './group-source-labels.ts';
import { useGroups } from './use-groups.ts';

function GroupTable() {
  const groups = useGroups();
  if (groups.isPending) return <LoadingState label="Loading groups…" />;
  if (groups.isError) {
    return (
      <ErrorPanel
        error={groups.error}
        title="The groups could not be loaded"
        onRetry={() => void groups.refetch()}
      />
    );
  }
  if (groups.data.length === 0) return <p className="empty">There are no groups yet.</p>;
  return (
    <table className="table">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Source</th>
          <th scope="col">Members</th>
          <th scope="col">Subgroups</th>
        </tr>
      </thead>
      <tbody>
        {groups.data.map((group) => (
          <tr key={group.id}>
            <td>
              <Link to="/groups/$groupId" params={{ groupId: group.id }}>
                {group.name}
              </Link>
            </td>
            <td>{groupSourceLabels[group.source]}</td>
            <td>{group.memberCount}</td>
            <td>{group.subgroups.length}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function GroupListPage() {
  useDocumentTitle('Groups');
  const { createGroups } = useSystemPermissions();
  return (
    <article className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title" tabIndex={-1}>
          Groups
        </h1>
        <p className="page-lead">
          Grant a role to a group and every member has it. Groups can contain groups: members of a
          nested group are members of the outer one too.
        </p>
      </header>
      {createGroups && <CreateGroupForm />}
      <section aria-labelledby="group-list-title">
        <h2 id="group-list-title" className="section-title">
          All groups
        </h2>
        <GroupTable />
      </section>
    </article>
  );
}
