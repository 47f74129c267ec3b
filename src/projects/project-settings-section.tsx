/** A project's settings for its owners: rename it, change its description, delete it. */
import { useNavigate } from '@tanstack/react-router';
import { useId, useState } from 'react';
import type { Project } from '../api/projects-api.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { ConfirmButton } from '../ui/confirm-button.tsx';
import { useDeleteProject } from './use-delete-project.ts';
import { useUpdateProject } from './use-update-project.ts';

function ProjectDetailsForm({ project }: { project: Project }) {
  const update = useUpdateProject(project.id);
  const [name, setName] = useState(project.name);
  const [description, setDescription] = useState(project.description);
  const nameId = useId();
  const descriptionId = useId();
  const changed = name.trim() !== project.name || description !== project.description;
  return (
    <form
      className="form"
      onSubmit={(event) => {
        event.preventDefault();
        update.mutate({ name: name.trim(), description });
      }}
    >
      <div className="field">
        <label htmlFor={nameId}>Project name</label>
        <input
          id={nameId}
          value={name}
          onChange={(event) => setName(event.target.value)}
          required
          maxLength={200}
        />
      </div>
      <div className="field">
        <label htmlFor={descriptionId}>Description</label>
        <textarea
          id={descriptionId}
          value={description}
          onChange={(event) => setDescription(event.target.value)}
          maxLength={4000}
          rows={2}
        />
      </div>
      <div className="actions">
        <button
          type="submit"
          className="button"
          disabled={update.isPending || !changed || !name.trim()}
        >
          {update.isPending ? 'Saving…' : 'Save changes'}
        </button>
        {update.isSuccess && !changed && (
          <span className="note" role="status">
            Saved.
          </span>
        )}
      </div>
      {update.isError && <ErrorPanel error={update.error} title="The changes were not saved" />}
    </form>
  );
}

function DeleteProject({ project }: { project: Project }) {
  const remove = useDeleteProject(project.id);
  const navigate = useNavigate();
  return (
    <div className="danger-zone">
      <p>
        Deleting the project deletes its dashboards and datasets with every version, for every
        member.
      </p>
      <ConfirmButton
        label="Delete project"
        subject={project.name}
        question={`Delete “${project.name}” and everything in it?`}
        confirmLabel="Yes, delete it"
        pending={remove.isPending}
        onConfirm={() =>
          remove.mutate(undefined, { onSuccess: () => void navigate({ to: '/projects' }) })
        }
      />
      {remove.isError && <ErrorPanel error={remove.error} title="The project was not deleted" />}
    </div>
  );
}

export function ProjectSettingsSection({
  project,
  mayUpdate,
  mayDelete,
}: {
  project: Project;
  mayUpdate: boolean;
  mayDelete: boolean;
}) {
  return (
    <section className="panel panel-wide" aria-labelledby="project-settings-title">
      <h2 id="project-settings-title" className="panel-title">
        Settings
      </h2>
      {mayUpdate && <ProjectDetailsForm project={project} />}
      {mayDelete && <DeleteProject project={project} />}
    </section>
  );
}
