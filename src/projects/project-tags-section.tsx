/**
 * A project's `key=value` tags, which attribute rules match (see the Access page). Admins add
 * and remove them; everyone else sees them, so that a member can tell why a rule applies.
 */
import { useId, useState } from 'react';
import type { Project } from '../api/projects-api.ts';
import { tagProblem } from '../access/tag-problem.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { useSetProjectTags } from './use-set-project-tags.ts';

type SetTags = ReturnType<typeof useSetProjectTags>;

function AddTagForm({ tags, setTags }: { tags: Record<string, string>; setTags: SetTags }) {
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [checked, setChecked] = useState(false);
  const keyId = useId();
  const valueId = useId();
  const problemId = useId();
  const problem = tagProblem(tags, key.trim(), value.trim());
  const showProblem = checked && problem !== null;
  return (
    <form
      className="inline-form"
      aria-label="Add a tag"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setChecked(true);
        if (problem) return;
        const added = { key: key.trim(), value: value.trim() };
        setTags.mutate(
          { ...tags, [added.key]: added.value },
          {
            onSuccess: () => {
              setChecked(false);
              setKey((current) => (current.trim() === added.key ? '' : current));
              setValue((current) => (current.trim() === added.value ? '' : current));
            },
          },
        );
      }}
    >
      <div className="field">
        <label htmlFor={keyId}>Tag key</label>
        <input
          id={keyId}
          value={key}
          onChange={(event) => setKey(event.target.value)}
          maxLength={64}
          spellCheck={false}
          autoComplete="off"
          placeholder="sensitivity"
          aria-invalid={showProblem}
          aria-describedby={showProblem ? problemId : undefined}
        />
      </div>
      <div className="field">
        <label htmlFor={valueId}>Tag value</label>
        <input
          id={valueId}
          value={value}
          onChange={(event) => setValue(event.target.value)}
          maxLength={64}
          spellCheck={false}
          autoComplete="off"
          placeholder="restricted"
          aria-invalid={showProblem}
          aria-describedby={showProblem ? problemId : undefined}
        />
      </div>
      <button type="submit" className="button" disabled={setTags.isPending}>
        {setTags.isPending ? 'Saving…' : 'Add tag'}
      </button>
      {showProblem && (
        <p id={problemId} className="note note-error" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}

export function ProjectTagsSection({
  project,
  mayManage,
}: {
  project: Project;
  mayManage: boolean;
}) {
  const setTags = useSetProjectTags(project.id);
  const entries = Object.entries(project.tags).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section className="panel panel-wide" aria-labelledby="project-tags-title">
      <h2 id="project-tags-title" className="panel-title">
        Tags
      </h2>
      {entries.length === 0 ? (
        <p className="empty">This project has no tags.</p>
      ) : (
        <ul className="tag-list" aria-label="Tags of the project">
          {entries.map(([key, value]) => (
            <li key={key} className="tag">
              <code>
                {key}={value}
              </code>
              {mayManage && (
                <button
                  type="button"
                  className="tag-remove"
                  aria-label={`Remove the tag ${key}=${value}`}
                  title="Remove"
                  disabled={setTags.isPending}
                  onClick={() =>
                    setTags.mutate(
                      Object.fromEntries(entries.filter(([candidate]) => candidate !== key)),
                    )
                  }
                >
                  ×
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {mayManage && (
        <>
          <p className="note">
            Attribute rules on the Access page restrict tagged projects, with everything in them, to
            members of chosen groups.
          </p>
          <AddTagForm tags={project.tags} setTags={setTags} />
        </>
      )}
      {setTags.isError && <ErrorPanel error={setTags.error} title="The tags were not saved" />}
    </section>
  );
}
