/**
 * Picks the resource a question is about, by its kind: a project, a dashboard or dataset (by its
 * project first), a connection or a group. Project owners are offered only the projects they may
 * explain; Admins everything.
 */
import { useId } from 'react';
import type { Project } from '../api/projects-api.ts';
import { useConnections } from '../connections/use-connections.ts';
import { useProjectDashboards } from '../dashboards/use-project-dashboards.ts';
import { useProjectDatasets } from '../datasets/use-project-datasets.ts';
import { useGroups } from '../groups/use-groups.ts';
import { useProjects } from '../projects/use-projects.ts';
import type { ExplainableType } from './explainable-actions.ts';

interface Choice {
  id: string;
  name: string;
}

function ChoiceSelect({
  label,
  choices,
  value,
  onChange,
  loading,
}: {
  label: string;
  choices: readonly Choice[] | undefined;
  value: string;
  onChange: (id: string) => void;
  loading: boolean;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-busy={loading}
      >
        <option value="">{loading ? 'Loading…' : 'Choose…'}</option>
        {choices?.map((choice) => (
          <option key={choice.id} value={choice.id}>
            {choice.name}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The projects the signed-in user may explain access to (Admins: every project). */
function explainable(projects: readonly Project[] | undefined) {
  return projects?.filter((project) => project.allowedActions.includes('access.explain'));
}

interface ProjectItemSelectProps {
  projectId: string;
  value: string;
  onChange: (resourceId: string) => void;
}

function DashboardSelect({ projectId, value, onChange }: ProjectItemSelectProps) {
  const dashboards = useProjectDashboards(projectId);
  return (
    <ChoiceSelect
      label="Dashboard"
      choices={dashboards.data?.map((dashboard) => ({ id: dashboard.id, name: dashboard.title }))}
      value={value}
      onChange={onChange}
      loading={dashboards.isPending}
    />
  );
}

function DatasetSelect({ projectId, value, onChange }: ProjectItemSelectProps) {
  const datasets = useProjectDatasets(projectId);
  return (
    <ChoiceSelect
      label="Dataset"
      choices={datasets.data}
      value={value}
      onChange={onChange}
      loading={datasets.isPending}
    />
  );
}

function InProjectPicker({
  type,
  projectId,
  onProjectChange,
  resourceId,
  onResourceChange,
}: {
  type: 'dashboard' | 'dataset';
  projectId: string;
  onProjectChange: (projectId: string) => void;
  resourceId: string;
  onResourceChange: (resourceId: string) => void;
}) {
  const projects = useProjects();
  return (
    <>
      <ChoiceSelect
        label="In project"
        choices={explainable(projects.data)}
        value={projectId}
        onChange={onProjectChange}
        loading={projects.isPending}
      />
      {projectId && type === 'dashboard' && (
        <DashboardSelect projectId={projectId} value={resourceId} onChange={onResourceChange} />
      )}
      {projectId && type === 'dataset' && (
        <DatasetSelect projectId={projectId} value={resourceId} onChange={onResourceChange} />
      )}
    </>
  );
}

interface ResourceSelectProps {
  value: string;
  onChange: (resourceId: string) => void;
}

function ProjectSelect({ value, onChange }: ResourceSelectProps) {
  const projects = useProjects();
  return (
    <ChoiceSelect
      label="Project"
      choices={explainable(projects.data)}
      value={value}
      onChange={onChange}
      loading={projects.isPending}
    />
  );
}

function ConnectionSelect({ value, onChange }: ResourceSelectProps) {
  const connections = useConnections();
  return (
    <ChoiceSelect
      label="Connection"
      choices={connections.data}
      value={value}
      onChange={onChange}
      loading={connections.isPending}
    />
  );
}

function GroupSelect({ value, onChange }: ResourceSelectProps) {
  const groups = useGroups();
  return (
    <ChoiceSelect
      label="Group"
      choices={groups.data}
      value={value}
      onChange={onChange}
      loading={groups.isPending}
    />
  );
}

interface ResourcePickerProps {
  type: ExplainableType;
  resourceId: string;
  onResourceChange: (resourceId: string) => void;
  /** For dashboards and datasets: the project picked first. */
  projectId: string;
  onProjectChange: (projectId: string) => void;
}

export function ResourcePicker(props: ResourcePickerProps) {
  switch (props.type) {
    case 'system':
      return null;
    case 'dashboard':
    case 'dataset':
      return (
        <InProjectPicker
          type={props.type}
          projectId={props.projectId}
          onProjectChange={props.onProjectChange}
          resourceId={props.resourceId}
          onResourceChange={props.onResourceChange}
        />
      );
    case 'project':
      return <ProjectSelect value={props.resourceId} onChange={props.onResourceChange} />;
    case 'connection':
      return <ConnectionSelect value={props.resourceId} onChange={props.onResourceChange} />;
    case 'group':
      return <GroupSelect value={props.resourceId} onChange={props.onResourceChange} />;
  }
}
