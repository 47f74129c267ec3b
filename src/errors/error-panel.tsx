/**
 * How the app shows a failure: what went wrong in plain words and, when the server or the service
 * worker gave one, the request id to quote when reporting it.
 */
import { useId } from 'react';
import { ApiRequestError } from '../api/api-request-error.ts';
import { EngineError } from '../../workers/engine/engine-error.ts';
import { LocalStoreError } from '../local-datasets/index.ts';
import { UserFacingError } from './user-facing-error.ts';

interface ErrorPanelProps {
  error: unknown;
  title?: string;
  /** Offered as a "Try again" button when given. */
  onRetry?: () => void;
}

function explain(error: unknown): { message: string; requestId: string | undefined } {
  if (error instanceof ApiRequestError)
    return { message: error.message, requestId: error.requestId };
  if (
    error instanceof UserFacingError ||
    error instanceof EngineError ||
    error instanceof LocalStoreError
  ) {
    return { message: error.message, requestId: undefined };
  }
  return {
    message:
      error instanceof Error && error.message
        ? `The app hit an unexpected error: ${error.message}`
        : 'The app hit an unexpected error.',
    requestId: undefined,
  };
}

export function ErrorPanel({ error, title = 'Something went wrong', onRetry }: ErrorPanelProps) {
  const { message, requestId } = explain(error);
  // Several panels may show at once (a list that failed, a change that was refused).
  const titleId = useId();
  return (
    <section className="panel panel-error" role="alert" aria-labelledby={titleId}>
      <h2 id={titleId} className="panel-title">
        {title}
      </h2>
      <p>{message}</p>
      {requestId && (
        <p className="request-id">
          Request id: <code>{requestId}</code>. Quote it when you report this problem.
        </p>
      )}
      {onRetry && (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </section>
  );
}
