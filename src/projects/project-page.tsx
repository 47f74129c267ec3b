/**
 * One project: who is a member with which role, its dashboards and its datasets, its tags, and
 * for owners its settings. Every control follows the actions the server says the signed-in user
 * may take on this project; the server refuses anything else anyway.
 */
import { Link } from '@tanstack/react-router';
import type { Project } from '../api/projects-api.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { useDocumentTitle } from '../layout/use-document-title.ts';
import { LoadingState } from '../ui/loading-state.tsx';
import { ProjectDashboardsSection } from '../dashboards/project-dashboards-section.tsx';
import { ProjectDatasetsSection } from '../datasets/project-datasets-section.tsx';
import { ProjectMembersSection } from './project-members-section.tsx';
import { projectRoleLabels } from './project-role-labels.ts';
import { ProjectSettingsSection } from './project-settings-section.tsx';
import { ProjectTagsSection } from './project-tags-section.tsx';
import { useProject } from './use-project.ts';

function ProjectContent({ project }: { project: Project }) {
  const may = (action: string) => project.allowedActions.includes(action);
  return (
    <>
      <ProjectMembersSection projectId={project.id} mayManage={may('project.members.manage')} />
      <ProjectDashboardsSection projectId={project.id} mayCreate={may('dashboard.create')} />
      <ProjectDatasetsSection projectId={project.id} mayCreate={may('dataset.create')} />
      {(may('access.tags.manage') || Object.keys(project.tags).length > 0) && (
        <ProjectTagsSection project={project} mayManage={may('access.tags.manage')} />
      )}
      {(may('project.update') || may('project.delete')) && (
        <ProjectSettingsSection
          project={project}
          mayUpdate={may('project.update')}
          mayDelete={may('project.delete')}
        />
      )}
    </>
  );
}

export function ProjectPage({ projectId }: { projectId: string }) {
  const project = useProject(projectId);
  useDocumentTitle(project.data?.name ?? 'Project');
  return (
    <article className="page" aria-labelledby="page-title">
      <header className="page-header">
        <nav className="breadcrumb" aria-label="Breadcrumb">
          <Link to="/projects">Projects</Link>
        </nav>
        <div className="title-row">
          <h1 id="page-title" tabIndex={-1}>
            {project.data?.name ?? 'Project'}
          </h1>
          {project.data && (
            <span className="badge badge-neutral" data-testid="my-project-role">
              {project.data.myRole
                ? `Your role: ${projectRoleLabels[project.data.myRole]}`
                : 'Admin access'}
            </span>
          )}
        </div>
        {project.data?.description && <p className="page-lead">{project.data.description}</p>}
        {project.data?.allowedActions.includes('access.explain') && (
          <p>
            <Link
              to="/access"
              search={{ resourceType: 'project', resourceId: projectId }}
              className="button button-small button-secondary"
            >
              Explain access to this project
            </Link>
          </p>
        )}
      </header>
      {project.isPending && <LoadingState label="Loading the project…" />}
      {project.isError && (
        <ErrorPanel
          error={project.error}
          title="The project could not be loaded"
          onRetry={() => void project.refetch()}
        />
      )}
      {project.data && <ProjectContent project={project.data} />}
    </article>
  );
}
