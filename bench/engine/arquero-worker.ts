/**
 * Arquero's worker in the bench, so that its work, like ours and DuckDB's, stays off the main
 * thread. Each request runs Arquero's own idiomatic path: `fromCSVStream` over the file's text
 * stream (type inference on, as by default), `fromArrow` over the transferred IPC bytes,
 * `groupby().rollup()`, `filter().orderby().slice()`; answers go back as plain row objects.
 */
import * as aq from 'arquero';

/** What the page asks this worker. */
export type ArqueroRequest =
  | { readonly id: number; readonly op: 'loadCsv' | 'fileToGroupBy'; readonly file: File }
  | { readonly id: number; readonly op: 'loadArrow'; readonly ipc: Uint8Array }
  | { readonly id: number; readonly op: 'groupBy'; readonly table: 'csv' | 'big' }
  | { readonly id: number; readonly op: 'filterTop'; readonly below: number; readonly k: number }
  | { readonly id: number; readonly op: 'forgetCsv' };

/** What this worker answers: the row count of a load, or the answer's rows. */
export type ArqueroResponse =
  | { readonly id: number; readonly ok: true; readonly rows: number; readonly objects?: object[] }
  | { readonly id: number; readonly ok: false; readonly message: string };

type Table = ReturnType<typeof aq.fromArrow>;

const tables = new Map<'csv' | 'big', Table>();

function held(name: 'csv' | 'big'): Table {
  const table = tables.get(name);
  if (!table) throw new Error(`Arquero holds no ${name} table.`);
  return table;
}

function readCsv(file: File): Promise<Table> {
  return aq.fromCSVStream(file.stream().pipeThrough(new TextDecoderStream()));
}

// Expressions as strings: Arquero parses function source, which a minifier would rename.
function grouped(table: Table): object[] {
  return table
    .groupby('cat')
    .rollup({ sum_a: 'd => op.sum(d.a)', mean_a: 'd => op.mean(d.a)', count: 'd => op.count()' })
    .orderby('cat')
    .objects();
}

async function answer(request: ArqueroRequest): Promise<ArqueroResponse> {
  switch (request.op) {
    case 'loadCsv': {
      const table = await readCsv(request.file);
      tables.set('csv', table);
      return { id: request.id, ok: true, rows: table.numRows() };
    }
    case 'fileToGroupBy': {
      const objects = grouped(await readCsv(request.file));
      return { id: request.id, ok: true, rows: objects.length, objects };
    }
    case 'loadArrow': {
      tables.delete('big');
      const table = aq.fromArrow(request.ipc);
      tables.set('big', table);
      return { id: request.id, ok: true, rows: table.numRows() };
    }
    case 'groupBy': {
      const objects = grouped(held(request.table));
      return { id: request.id, ok: true, rows: objects.length, objects };
    }
    case 'filterTop': {
      const objects = held('big')
        .params({ below: request.below })
        .filter('(d, $) => d.b < $.below')
        .orderby(aq.desc('a'))
        .slice(0, request.k)
        .objects();
      return { id: request.id, ok: true, rows: objects.length, objects };
    }
    case 'forgetCsv':
      tables.delete('csv');
      return { id: request.id, ok: true, rows: 0 };
  }
}

self.addEventListener('message', (event: MessageEvent<ArqueroRequest>) => {
  const request = event.data;
  answer(request).then(
    (response) => self.postMessage(response),
    (error: unknown) =>
      self.postMessage({
        id: request.id,
        ok: false,
        message: error instanceof Error ? error.message : String(error),
      } satisfies ArqueroResponse),
  );
});
