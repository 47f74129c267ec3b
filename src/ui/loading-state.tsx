/** What a section shows while its data is on the way. */

/**
 * @example
 * if (projects.isPending) return <LoadingState label="Loading projects…" />;
 */
export function LoadingState({ label }: { label: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}
