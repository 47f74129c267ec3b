/**
 * Hook for the view a query makes of an engine table. Each change of the query makes a new view
 * in the worker; the view before is dropped once the new one is there (so the grid keeps showing
 * it meanwhile), and the last one when the component goes. The worker thus holds about one
 * selection per open workbench.
 */
import { useEffect, useRef, useState } from 'react';
import type { QuerySpec, ViewInfo } from '../../workers/engine/protocol.ts';
import { engine } from './engine-client.ts';

export interface EngineViewState {
  readonly view: ViewInfo | undefined;
  readonly pending: boolean;
  readonly error: unknown;
}

function isEmpty(spec: QuerySpec): boolean {
  return !spec.filter && !(spec.sort && spec.sort.length > 0) && spec.limit === undefined;
}

/** The answer to the last query that finished, and which query it answered. */
interface Settled {
  readonly key: string;
  readonly view: ViewInfo | undefined;
  readonly error: unknown;
}

/**
 * @example
 * const { view, pending, error } = useEngineView(table.tableId, table.rowCount, { filter, sort });
 */
export function useEngineView(tableId: string, rowCount: number, spec: QuerySpec): EngineViewState {
  const key = JSON.stringify([tableId, rowCount, spec]);
  const [settled, setSettled] = useState<Settled>({ key: '', view: undefined, error: undefined });
  // The view this hook made and still shows, to drop when the next one replaces it.
  const shown = useRef<string | undefined>(undefined);

  useEffect(() => {
    let current = true;
    const show = (view: ViewInfo) => {
      const previous = shown.current;
      shown.current = view.viewId === view.tableId ? undefined : view.viewId;
      if (previous) void engine().drop(previous);
      setSettled({ key, view, error: undefined });
    };
    const [, , parsed] = JSON.parse(key) as [string, number, QuerySpec];
    // The table itself is the view of all its rows: nothing to compute, no round trip.
    const answer = isEmpty(parsed)
      ? Promise.resolve({ viewId: tableId, tableId, rowCount })
      : engine().query(tableId, parsed);
    answer.then(
      (view) => {
        if (current) show(view);
        else if (view.viewId !== view.tableId) void engine().drop(view.viewId);
      },
      (error: unknown) => {
        if (current) setSettled((previous) => ({ key, view: previous.view, error }));
      },
    );
    return () => {
      current = false;
    };
  }, [key, tableId, rowCount]);

  useEffect(
    () => () => {
      if (shown.current) void engine().drop(shown.current);
    },
    [],
  );
  return {
    view: settled.view,
    pending: settled.key !== key,
    error: settled.key === key ? settled.error : undefined,
  };
}
