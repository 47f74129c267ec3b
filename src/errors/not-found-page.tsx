/** The page for an address the app has no page for. */
import { Link, useLocation } from '@tanstack/react-router';
import { useDocumentTitle } from '../layout/use-document-title.ts';

export function NotFoundPage() {
  const pathname = useLocation({ select: (location) => location.pathname });
  useDocumentTitle('Page not found');
  return (
    <article className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title" tabIndex={-1}>
          Page not found
        </h1>
        <p className="page-lead">
          There is no page at <code>{pathname}</code>.
        </p>
      </header>
      <p>
        <Link to="/" className="button">
          Go to the overview
        </Link>
      </p>
    </article>
  );
}
