/**
 * "Save to a dashboard": pick a project where you may add datasets and change dashboards, one of
 * its dashboards, and a title. Saving shares the table with the project first (the panel says so
 * before anything is sent), then adds the chart and filter as a view.
 */
import { Link } from '@tanstack/react-router';
import { useId, useState } from 'react';
import { ApiRequestError } from '../../api/api-request-error.ts';
import type { ChartQuery, ColumnSchema } from '../../../workers/engine/protocol.ts';
import { useProjectDashboards } from '../../dashboards/use-project-dashboards.ts';
import { ErrorPanel } from '../../errors/error-panel.tsx';
import { useProjects } from '../../projects/use-projects.ts';
import type { FilterSummary } from './filter-builder.tsx';
import { useSaveView } from './use-save-view.ts';

interface SaveViewPanelProps {
  readonly tableId: string;
  readonly datasetName: string;
  readonly columns: readonly ColumnSchema[];
  readonly chart: ChartQuery | null;
  readonly filter: FilterSummary | null;
}

function isUnreachable(error: unknown): boolean {
  return error instanceof ApiRequestError && error.code === 'unreachable';
}

export function SaveViewPanel({
  tableId,
  datasetName,
  columns,
  chart,
  filter,
}: SaveViewPanelProps) {
  const projects = useProjects();
  const usable = (projects.data ?? []).filter((project) =>
    project.allowedActions.includes('dataset.create'),
  );
  const [projectId, setProjectId] = useState('');
  const chosenProject = usable.find((project) => project.id === projectId) ?? usable[0];
  const dashboards = useProjectDashboards(chosenProject?.id);
  const editable = (dashboards.data ?? []).filter((dashboard) =>
    dashboard.allowedActions.includes('dashboard.update'),
  );
  const [dashboardId, setDashboardId] = useState('');
  const chosenDashboard = editable.find((dashboard) => dashboard.id === dashboardId) ?? editable[0];
  const [title, setTitle] = useState(datasetName);
  const [sent, setSent] = useState<number | null>(null);
  const save = useSaveView((done, total) => setSent(total > 0 ? done / total : 0));
  const ids = { project: useId(), dashboard: useId(), title: useId() };

  if (projects.isSuccess && usable.length === 0) return null;
  const unreachable =
    !projects.isSuccess &&
    (projects.fetchStatus === 'paused' ||
      isUnreachable(projects.error) ||
      isUnreachable(projects.failureReason));
  if (unreachable) {
    return (
      <section className="panel panel-wide" aria-label="Save to a dashboard">
        <h2 className="panel-title">Save to a dashboard</h2>
        <p className="note">
          Saving to a dashboard needs the server, which this browser cannot reach right now.
        </p>
      </section>
    );
  }
  return (
    <form
      className="panel panel-wide"
      aria-label="Save to a dashboard"
      onSubmit={(event) => {
        event.preventDefault();
        if (!chosenProject || !chosenDashboard) return;
        setSent(0);
        save.mutate(
          {
            projectId: chosenProject.id,
            dashboardId: chosenDashboard.id,
            title: title.trim() || datasetName,
            datasetName,
            tableId,
            columns,
            chart,
            filter,
          },
          { onSettled: () => setSent(null) },
        );
      }}
    >
      <h2 className="panel-title">Save to a dashboard</h2>
      <p className="note">
        Saving shares this table with the project you pick (it is uploaded and stored encrypted on
        the server, visible to the project&apos;s members) and adds the {chart ? 'chart' : 'table'}{' '}
        with its filter to the dashboard.
      </p>
      <div className="fields">
        <div className="field">
          <label htmlFor={ids.project}>Project</label>
          <select
            id={ids.project}
            value={chosenProject?.id ?? ''}
            onChange={(event) => {
              setProjectId(event.target.value);
              setDashboardId('');
            }}
          >
            {usable.map((project) => (
              <option key={project.id} value={project.id}>
                {project.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.dashboard}>Dashboard</label>
          <select
            id={ids.dashboard}
            value={chosenDashboard?.id ?? ''}
            disabled={editable.length === 0}
            onChange={(event) => setDashboardId(event.target.value)}
          >
            {editable.map((dashboard) => (
              <option key={dashboard.id} value={dashboard.id}>
                {dashboard.title}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.title}>View title</label>
          <input
            id={ids.title}
            value={title}
            maxLength={200}
            onChange={(event) => setTitle(event.target.value)}
          />
        </div>
      </div>
      {dashboards.isSuccess && editable.length === 0 && (
        <p className="note">This project has no dashboard you may change; create one first.</p>
      )}
      <div className="actions">
        <button
          type="submit"
          className="button"
          disabled={!chosenProject || !chosenDashboard || save.isPending}
        >
          {save.isPending ? 'Saving…' : 'Share and save'}
        </button>
        {sent !== null && <progress max={1} value={sent} aria-label="Uploading" />}
      </div>
      {save.isError && <ErrorPanel error={save.error} title="The view was not saved" />}
      {save.isSuccess && chosenProject && (
        <p className="note" role="status">
          Saved to{' '}
          <Link
            to="/projects/$projectId/dashboards/$dashboardId"
            params={{ projectId: chosenProject.id, dashboardId: save.data.id }}
          >
            {save.data.title}
          </Link>
          .
        </p>
      )}
    </form>
  );
}
