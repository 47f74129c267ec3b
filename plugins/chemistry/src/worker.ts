/**
 * The chemistry plugin's worker: reads the SMILES column the user picks, computes molecular
 * weight, formula and logP for every row with openchemlib, and adds them to the user's table as
 * the columns `mw`, `formula` and `logp` (the host prefixes names the table already has).
 * Parsing is slow next to the heartbeat (about 0.4 ms a molecule here), so the work yields to the
 * event loop between slices: the SDK keeps answering pings and the panel shows progress.
 */
import {
  connect,
  PluginError,
  readColumns,
  tableFromColumns,
  type ViewNode,
} from '../../../sdk/src/index.ts';
import { computeMoleculeColumns } from './molecule-properties.ts';

const PREVIEW_ROWS = 8;
const RESULT_COLUMNS = ['mw', 'formula', 'logp'];

const host = await connect();
const { table } = host.session;
const textColumns = table.columns
  .filter((column) => ['string', 'category', 'text'].includes(column.type))
  .map((column) => column.name);
let smilesColumn = textColumns.find((name) => /smiles/i.test(name)) ?? textColumns[0] ?? null;
let running = false;

await host.ui.setTitle(`Chemistry · ${table.name}`);
await render([]);

host.ui.onEvent((event) => {
  if (running) return;
  if (event.event === 'ui.change' && event.id === 'column' && typeof event.value === 'string') {
    if (textColumns.includes(event.value)) smilesColumn = event.value;
    void render([]);
  } else if (event.event === 'ui.click' && event.id === 'compute' && smilesColumn !== null) {
    void compute(smilesColumn);
  }
});

async function compute(column: string): Promise<void> {
  running = true;
  try {
    await render([{ type: 'text', style: 'muted', text: `Reading ${column}…` }]);
    const smiles = readColumns(await host.data.read([column]))[column] ?? [];
    const total = smiles.length;
    const result = await computeMoleculeColumns(smiles, {
      progressEvery: 500,
      onProgress: async (done) => {
        await host.ui.render(progressView(done, total));
        await new Promise((resolve) => setTimeout(resolve, 0));
      },
    });
    const valid = total - result.invalid - result.missing;
    const counts: ViewNode = {
      type: 'text',
      style: result.invalid > 0 ? 'error' : 'body',
      text: `${valid.toLocaleString('en')} molecules, ${result.invalid.toLocaleString('en')} invalid SMILES, ${result.missing.toLocaleString('en')} empty cells (invalid and empty give null).`,
    };
    if (valid === 0) {
      await render([
        counts,
        { type: 'text', style: 'error', text: 'No valid SMILES: nothing was written.' },
      ]);
      return;
    }
    const written = await host.data.write(
      tableFromColumns({ mw: result.mw, formula: result.formula, logp: result.logp }),
      { mode: 'columns' },
    );
    await render([
      counts,
      { type: 'text', text: `Added ${written.columns.join(', ')} to ${table.name}.` },
      {
        type: 'table',
        // The host names the written columns (prefixed when the table already has the name).
        columns: [column, ...(written.columns.length === 3 ? written.columns : RESULT_COLUMNS)],
        rows: Array.from({ length: Math.min(PREVIEW_ROWS, total) }, (_, row) => [
          smiles[row] === null || smiles[row] === undefined ? null : String(smiles[row]),
          roundOrNull(result.mw[row] ?? null, 3),
          result.formula[row] ?? null,
          roundOrNull(result.logp[row] ?? null, 3),
        ]),
      },
    ]);
  } catch (error) {
    const reason =
      error instanceof PluginError ? `${error.message} (${error.code})` : String(error);
    await render([{ type: 'text', style: 'error', text: `Nothing was written: ${reason}` }]);
  } finally {
    running = false;
  }
}

async function render(below: ViewNode[]): Promise<void> {
  if (smilesColumn === null) {
    await host.ui.render({
      type: 'text',
      style: 'error',
      text: 'Launch this plugin with a text column of SMILES strings.',
    });
    return;
  }
  await host.ui.render({
    type: 'stack',
    direction: 'column',
    gap: 10,
    children: [
      {
        type: 'select',
        id: 'column',
        label: 'SMILES column',
        value: smilesColumn,
        options: textColumns.map((name) => ({ value: name, label: name })),
      },
      { type: 'button', id: 'compute', label: 'Add mw, formula and logp', disabled: running },
      ...below,
    ],
  });
}

function progressView(done: number, total: number): ViewNode {
  return {
    type: 'stack',
    direction: 'column',
    gap: 8,
    children: [
      {
        type: 'text',
        text: `Computing ${done.toLocaleString('en')} of ${total.toLocaleString('en')} molecules…`,
      },
      { type: 'progress', value: done, max: total },
    ],
  };
}

function roundOrNull(value: number | null, decimals: number): number | null {
  return value === null ? null : Number(value.toFixed(decimals));
}
