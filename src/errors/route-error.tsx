/**
 * The error view of a route: the page failed, the layout and navigation stay, and trying again
 * re-runs the page and its queries.
 */
import { useQueryErrorResetBoundary } from '@tanstack/react-query';
import { useRouter, type ErrorComponentProps } from '@tanstack/react-router';
import { useEffect } from 'react';
import { useDocumentTitle } from '../layout/use-document-title.ts';
import { ErrorPanel } from './error-panel.tsx';

export function RouteError({ error, reset }: ErrorComponentProps) {
  const router = useRouter();
  const queryErrorReset = useQueryErrorResetBoundary();
  useDocumentTitle('Error');
  useEffect(() => {
    queryErrorReset.reset();
  }, [queryErrorReset]);
  return (
    <article className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title" tabIndex={-1}>
          This page failed
        </h1>
      </header>
      <ErrorPanel
        error={error}
        onRetry={() => {
          reset();
          void router.invalidate();
        }}
      />
    </article>
  );
}
