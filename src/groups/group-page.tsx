/**
 * One group: its members (and group admins), the groups nested in it, and its settings. Controls
 * follow the actions the server says the signed-in user may take on this group; a directory's
 * groups are read-only here.
 */
import { Link } from '@tanstack/react-router';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { useDocumentTitle } from '../layout/use-document-title.ts';
import { LoadingState } from '../ui/loading-state.tsx';
import { GroupMembersSection } from './group-members-section.tsx';
import { GroupSettingsSection } from './group-settings-section.tsx';
import { groupSourceLabels } from './group-source-labels.ts';
import { GroupSubgroupsSection } from './group-subgroups-section.tsx';
import { useGroup } from './use-group.ts';

export function GroupPage({ groupId }: { groupId: string }) {
  const group = useGroup(groupId);
  useDocumentTitle(group.data?.name ?? 'Group');
  const may = (action: string) => group.data?.allowedActions.includes(action) ?? false;
  return (
    <article className="page" aria-labelledby="page-title">
      <header className="page-header">
        <nav className="breadcrumb" aria-label="Breadcrumb">
          <Link to="/groups">Groups</Link>
        </nav>
        <div className="title-row">
          <h1 id="page-title" tabIndex={-1}>
            {group.data?.name ?? 'Group'}
          </h1>
          {group.data && (
            <span className="badge badge-neutral">{groupSourceLabels[group.data.source]}</span>
          )}
        </div>
        {group.data && group.data.source !== 'local' && (
          <p className="page-lead">
            This group is kept in step with {groupSourceLabels[group.data.source].toLowerCase()}:
            change its name and members there.
          </p>
        )}
      </header>
      {group.isPending && <LoadingState label="Loading the group…" />}
      {group.isError && (
        <ErrorPanel
          error={group.error}
          title="The group could not be loaded"
          onRetry={() => void group.refetch()}
        />
      )}
      {group.isSuccess && !group.data && (
        <section className="panel panel-wide" aria-labelledby="no-group-title">
          <h2 id="no-group-title" className="panel-title">
            No such group
          </h2>
          <p>The group does not exist, or it was deleted.</p>
        </section>
      )}
      {group.data && (
        <>
          <GroupMembersSection
            group={group.data}
            mayManage={may('group.members.manage')}
            mayFlagAdmins={may('group.admins.manage')}
          />
          <GroupSubgroupsSection group={group.data} mayManage={may('group.members.manage')} />
          {(may('group.update') || may('group.delete')) && (
            <GroupSettingsSection
              group={group.data}
              mayRename={may('group.update')}
              mayDelete={may('group.delete')}
            />
          )}
        </>
      )}
    </article>
  );
}
