/**
 * Hook that opens a file (or bytes) in the engine worker with a progress report and a way to
 * cancel. The page only hands the worker the `File` handle; reading and parsing happen there.
 */
import { useCallback, useRef, useState } from 'react';
import type {
  LoadProgress,
  OpenOptions,
  OpenSource,
  TableInfo,
} from '../../workers/engine/protocol.ts';
import { EngineError } from '../../workers/engine/engine-error.ts';
import { engine } from './engine-client.ts';

export type OpenFileState =
  | { readonly status: 'idle' }
  | { readonly status: 'loading'; readonly name: string; readonly progress: LoadProgress | null }
  | { readonly status: 'done'; readonly table: TableInfo }
  | { readonly status: 'cancelled' }
  | { readonly status: 'failed'; readonly error: unknown };

/**
 * @example
 * const { state, open, cancel } = useOpenFile();
 * const table = await open({ kind: 'file', file, name: file.name });
 */
export function useOpenFile() {
  const [state, setState] = useState<OpenFileState>({ status: 'idle' });
  const job = useRef<string | null>(null);

  const open = useCallback(
    async (
      source: OpenSource,
      options: Omit<OpenOptions, 'jobId'> = {},
    ): Promise<TableInfo | null> => {
      const jobId = crypto.randomUUID();
      job.current = jobId;
      setState({ status: 'loading', name: source.name, progress: null });
      try {
        const table = await engine().open(source, { ...options, jobId }, (progress) => {
          if (job.current === jobId) setState({ status: 'loading', name: source.name, progress });
        });
        if (job.current === jobId) setState({ status: 'done', table });
        return table;
      } catch (error) {
        if (job.current !== jobId) return null;
        if (error instanceof EngineError && error.code === 'cancelled') {
          setState({ status: 'cancelled' });
          return null;
        }
        setState({ status: 'failed', error });
        return null;
      } finally {
        if (job.current === jobId) job.current = null;
      }
    },
    [],
  );

  const cancel = useCallback(() => {
    if (job.current) void engine().cancel(job.current);
  }, []);

  const reset = useCallback(() => setState({ status: 'idle' }), []);

  return { state, open, cancel, reset };
}
