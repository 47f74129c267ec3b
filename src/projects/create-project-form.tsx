/** The form that creates a project and opens it; its creator becomes the owner. */
import { useNavigate } from '@tanstack/react-router';
import { useId, useState } from 'react';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { useCreateProject } from './use-create-project.ts';

export function CreateProjectForm() {
  const create = useCreateProject();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const nameId = useId();
  const descriptionId = useId();
  return (
    <form
      className="panel panel-wide form"
      aria-labelledby="create-project-title"
      onSubmit={(event) => {
        event.preventDefault();
        create.mutate(
          { name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}) },
          {
            onSuccess: (project) =>
              void navigate({ to: '/projects/$projectId', params: { projectId: project.id } }),
          },
        );
      }}
    >
      <h2 id="create-project-title" className="panel-title">
        Create a project
      </h2>
      <div className="field">
        <label htmlFor={nameId}>Name</label>
        <input
          id={nameId}
          value={name}
          onChange={(event) => setName(event.target.value)}
          required
          maxLength={200}
        />
      </div>
      <div className="field">
        <label htmlFor={descriptionId}>
          Description <span className="optional">(optional)</span>
        </label>
        <textarea
          id={descriptionId}
          value={description}
          onChange={(event) => setDescription(event.target.value)}
          maxLength={4000}
          rows={2}
        />
      </div>
      <button type="submit" className="button" disabled={create.isPending || !name.trim()}>
        {create.isPending ? 'Creating…' : 'Create project'}
      </button>
      {create.isError && (
        <ErrorPanel error={create.error} title="The project could not be created" />
      )}
    </form>
  );
}
