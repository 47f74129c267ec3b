/** The trail above a page inside a project: Projects › the project. */
import { Link } from '@tanstack/react-router';
import { useProject } from './use-project.ts';

export function ProjectBreadcrumb({ projectId }: { projectId: string }) {
  const project = useProject(projectId);
  return (
    <nav className="breadcrumb" aria-label="Breadcrumb">
      <Link to="/projects">Projects</Link>
      <span aria-hidden="true"> › </span>
      <Link to="/projects/$projectId" params={{ projectId }}>
        {project.data?.name ?? 'Project'}
      </Link>
    </nav>
  );
}
