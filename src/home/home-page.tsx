/** The overview: the state of the server and of offline use, and the areas. */
import { Link } from '@tanstack/react-router';
import { useVisibleAreas } from '../areas/use-visible-areas.ts';
import { useDocumentTitle } from '../layout/use-document-title.ts';
import { OfflineStatusCard } from '../offline/offline-status-card.tsx';
import { ServerStatusCard } from '../server-status/server-status-card.tsx';

export function HomePage() {
  useDocumentTitle('Overview');
  const areas = useVisibleAreas();
  return (
    <article className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title" tabIndex={-1}>
          Overview
        </h1>
        <p className="page-lead">
          Enclave opens and processes scientific data inside your browser; the server keeps only
          what must be shared and trusted. Projects, dashboards, groups and connections are here;
          the areas marked below are still to come.
        </p>
      </header>
      <div className="cards">
        <ServerStatusCard />
        <OfflineStatusCard />
      </div>
      <section aria-labelledby="areas-title">
        <h2 id="areas-title" className="section-title">
          Areas
        </h2>
        <ul className="area-list">
          {areas.map((area) => (
            <li key={area.path}>
              <Link to={area.path} className="area-link">
                <span className="area-name">{area.title}</span>
                <span className="area-summary">{area.summary}</span>
              </Link>
            </li>
          ))}
        </ul>
      </section>
    </article>
  );
}
