/**
 * The Projects page: the projects the signed-in user may open, with their role on each, and the
 * form to create one for those whose system role allows it.
 */
import { Link } from '@tanstack/react-router';
import { useSystemPermissions } from '../auth/use-system-permissions.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { useDocumentTitle } from '../layout/use-document-title.ts';
import { LoadingState } from '../ui/loading-state.tsx';
import { CreateProjectForm } from './create-project-form.tsx';
import { projectRoleLabels } from './project-role-labels.ts';
import { useProjects } from './use-projects.ts';

function ProjectTable() {
  const projects = useProjects();
  const { createProjects } = useSystemPermissions();
  if (projects.isPending) return <LoadingState label="Loading projects…" />;
  if (projects.isError) {
    return (
      <ErrorPanel
        error={projects.error}
        title="The projects could not be loaded"
        onRetry={() => void projects.refetch()}
      />
    );
  }
  if (projects.data.length === 0) {
    return (
      <p className="empty">
        {createProjects
          ? 'No projects yet. Create one to share dashboards and datasets with people and groups.'
          : 'You are not a member of any project yet. A project owner can add you.'}
      </p>
    );
  }
  return (
    <table className="table">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Your role</th>
          <th scope="col">Description</th>
        </tr>
      </thead>
      <tbody>
        {projects.data.map((project) => (
          <tr key={project.id}>
            <td>
              <Link to="/projects/$projectId" params={{ projectId: project.id }}>
                {project.name}
              </Link>
            </td>
            <td>{project.myRole ? projectRoleLabels[project.myRole] : 'Admin access'}</td>
            <td className="cell-text">{project.description}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ProjectListPage() {
  useDocumentTitle('Projects');
  const { createProjects } = useSystemPermissions();
  return (
    <article className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title" tabIndex={-1}>
          Projects
        </h1>
        <p className="page-lead">
          A project holds dashboards and datasets and says who may see and change them: each member,
          a user or a group, is an owner, an editor or a viewer.
        </p>
      </header>
      {createProjects && <CreateProjectForm />}
      <section aria-labelledby="project-list-title">
        <h2 id="project-list-title" className="section-title">
          Your projects
        </h2>
        <ProjectTable />
      </section>
    </article>
  );
}
