/** The page of an area that is not built yet: what it will hold, and that it is not there. */
import { useDocumentTitle } from '../layout/use-document-title.ts';
import type { PlannedArea } from './areas.ts';

export function AreaPage({ area }: { area: PlannedArea }) {
  useDocumentTitle(area.title);
  return (
    <article className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title" tabIndex={-1}>
          {area.title}
        </h1>
        <p className="page-lead">{area.summary}</p>
      </header>
      <section className="panel" aria-labelledby="availability">
        <h2 id="availability" className="panel-title">
          <span className="badge badge-neutral">Not available yet</span>
        </h2>
        <p>
          This area is part of Enclave’s plan but has not been built. Nothing here reads or changes
          any data.
        </p>
        <h3 className="list-title">What it will hold</h3>
        <ul className="capabilities">
          {area.capabilities.map((capability) => (
            <li key={capability}>{capability}</li>
          ))}
        </ul>
      </section>
    </article>
  );
}
