/**
 * Arquero in the bench: a thin page-side client of `arquero-worker.ts`. A file crosses as the
 * `File` itself (structured clone shares the blob); Arrow bytes are transferred.
 */
import type { StepName } from './bench-protocol.ts';
import type { ArqueroRequest, ArqueroResponse } from './arquero-worker.ts';
import {
  FILTER_BELOW,
  TOP_K,
  groupAnswer,
  measure,
  topAnswer,
  type BenchSystem,
  type GroupRow,
} from './bench-system.ts';

type Answered = Extract<ArqueroResponse, { ok: true }>;

type RequestBody = ArqueroRequest extends infer Request
  ? Request extends ArqueroRequest
    ? Omit<Request, 'id'>
    : never
  : never;

/**
 * Starts Arquero's worker and wraps it for the bench.
 *
 * @example
 * const arquero = arqueroSystem();
 * const { ms } = await arquero.groupBy('big');
 */
export function arqueroSystem(): BenchSystem {
  const worker = new Worker(new URL('./arquero-worker.ts', import.meta.url), {
    type: 'module',
    name: 'arquero',
  });
  const pending = new Map<number, { resolve(answer: Answered): void; reject(e: Error): void }>();
  let next = 0;
  worker.addEventListener('message', (event: MessageEvent<ArqueroResponse>) => {
    const response = event.data;
    const waiting = pending.get(response.id);
    pending.delete(response.id);
    if (response.ok) waiting?.resolve(response);
    else waiting?.reject(new Error(`Arquero failed: ${response.message}`));
  });

  function ask(body: RequestBody, transfer: Transferable[] = []): Promise<Answered> {
    next += 1;
    const id = next;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...body, id }, transfer);
    });
  }

  const groups = (answered: Answered) =>
    groupAnswer((answered.objects ?? []) as unknown as readonly GroupRow[]);

  return {
    async prepare(_step: StepName) {},
    loadCsv: (file) =>
      measure(
        () => ask({ op: 'loadCsv', file }),
        (answered) => ({ kind: 'load', rows: answered.rows }),
      ),
    fileToGroupBy: (file) => measure(() => ask({ op: 'fileToGroupBy', file }), groups),
    loadArrow: (ipc) =>
      measure(
        () => ask({ op: 'loadArrow', ipc }, [ipc.buffer]),
        (answered) => ({ kind: 'load', rows: answered.rows }),
      ),
    groupBy: (table) => measure(() => ask({ op: 'groupBy', table }), groups),
    filterTop: () =>
      measure(
        () => ask({ op: 'filterTop', below: FILTER_BELOW, k: TOP_K }),
        (answered) => {
          const objects = (answered.objects ?? []) as unknown as readonly { a: number }[];
          return topAnswer(objects.map((row) => row.a));
        },
      ),
    async forgetCsv() {
      await ask({ op: 'forgetCsv' });
    },
  };
}
