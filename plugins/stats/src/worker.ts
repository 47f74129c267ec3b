/**
 * The statistics plugin's worker: describes every numeric column it was handed, shows the
 * summary as a table, and on request adds a z-score column per numeric column to the user's
 * table (`data.write`, mode `columns`: one value per row of the launch table). The options
 * (decimals, which columns get z-scores) are remembered in the plugin's own storage.
 */
import {
  connect,
  PluginError,
  readColumns,
  tableFromColumns,
  type ViewNode,
} from '../../../sdk/src/index.ts';
import { describeColumn, zScores, type ColumnSummary } from './describe.ts';
import { DECIMAL_CHOICES, parseStatsOptions, roundTo, type StatsOptions } from './stats-options.ts';

const OPTIONS_KEY = 'options';
const NUMERIC_TYPES = new Set(['int', 'float']);

const host = await connect();
const { table } = host.session;
const numericNames = table.columns
  .filter((column) => NUMERIC_TYPES.has(column.type))
  .map((column) => column.name);
const otherNames = table.columns
  .filter((column) => !NUMERIC_TYPES.has(column.type))
  .map((column) => column.name);

await host.ui.setTitle(`Statistics · ${table.name}`);
let options = parseStatsOptions(await host.storage.get(OPTIONS_KEY));
let status: ViewNode = { type: 'text', style: 'muted', text: '' };

await host.ui.render({
  type: 'text',
  style: 'muted',
  text: `Reading ${numericNames.length} columns…`,
});
const cells = numericNames.length > 0 ? readColumns(await host.data.read(numericNames)) : {};
const summaries = new Map<string, ColumnSummary>(
  numericNames.map((name) => [name, describeColumn(cells[name] ?? [])]),
);
await render();

host.ui.onEvent((event) => {
  if (event.event === 'ui.change' && event.id === 'decimals' && typeof event.value === 'string') {
    const decimals = Number(event.value);
    if (DECIMAL_CHOICES.some((choice) => choice === decimals))
      void remember({ ...options, decimals });
  } else if (
    event.event === 'ui.change' &&
    event.id.startsWith('z:') &&
    typeof event.value === 'boolean'
  ) {
    const name = numericNames[Number(event.id.slice(2))];
    if (name === undefined) return;
    const skipped = options.skipped.filter((skip) => skip !== name);
    void remember({ ...options, skipped: event.value ? skipped : [...skipped, name] });
  } else if (event.event === 'ui.click' && event.id === 'write') {
    void writeZScores();
  }
});

async function remember(next: StatsOptions): Promise<void> {
  options = next;
  try {
    await host.storage.set(OPTIONS_KEY, JSON.stringify(options));
  } catch (error) {
    const reason = error instanceof PluginError ? error.message : String(error);
    status = {
      type: 'text',
      style: 'muted',
      text: `The options will not be remembered: ${reason}`,
    };
  }
  await render();
}

async function writeZScores(): Promise<void> {
  const chosen = numericNames.filter((name) => !options.skipped.includes(name));
  if (chosen.length === 0) return;
  const result: Record<string, (number | null)[]> = {};
  for (const name of chosen) {
    result[`${name}_z`] = zScores(cells[name] ?? [], summaries.get(name) as ColumnSummary);
  }
  try {
    const written = await host.data.write(tableFromColumns(result), { mode: 'columns' });
    status = {
      type: 'text',
      text: `Added ${written.columns.join(', ')} to ${table.name} (${written.rows.toLocaleString('en')} rows).`,
    };
  } catch (error) {
    const reason =
      error instanceof PluginError ? `${error.message} (${error.code})` : String(error);
    status = { type: 'text', style: 'error', text: `The z-scores were not written: ${reason}` };
  }
  await render();
}

async function render(): Promise<void> {
  if (numericNames.length === 0) {
    await host.ui.render({
      type: 'text',
      style: 'error',
      text: 'None of the columns handed to this plugin is numeric: launch it with int or float columns.',
    });
    return;
  }
  const { decimals } = options;
  const chosen = numericNames.filter((name) => !options.skipped.includes(name));
  const children: ViewNode[] = [
    {
      type: 'table',
      columns: ['column', 'count', 'nulls', 'mean', 'std', 'min', 'q1', 'median', 'q3', 'max'],
      rows: numericNames.map((name) => {
        const summary = summaries.get(name) as ColumnSummary;
        return [
          name,
          summary.count,
          summary.nulls,
          ...[
            summary.mean,
            summary.std,
            summary.min,
            summary.q1,
            summary.median,
            summary.q3,
            summary.max,
          ].map((value) => roundTo(value, decimals)),
        ];
      }),
    },
    {
      type: 'select',
      id: 'decimals',
      label: 'Decimals',
      value: String(decimals),
      options: DECIMAL_CHOICES.map((choice) => ({ value: String(choice), label: String(choice) })),
    },
    {
      type: 'text',
      style: 'heading',
      text: 'Add z-score columns <column>_z = (value − mean) / std for:',
    },
    {
      type: 'stack',
      direction: 'row',
      gap: 12,
      // By position: a column name may use the whole 200 characters an id may have.
      children: numericNames.map((name, index) => ({
        type: 'checkbox',
        id: `z:${index}`,
        label: name,
        checked: !options.skipped.includes(name),
      })),
    },
    {
      type: 'button',
      id: 'write',
      label: `Add ${chosen.length} column(s)`,
      disabled: chosen.length === 0,
    },
    status,
  ];
  if (otherNames.length > 0) {
    children.push({
      type: 'text',
      style: 'muted',
      text: `Not numeric, skipped: ${otherNames.join(', ')}.`,
    });
  }
  await host.ui.render({ type: 'stack', direction: 'column', gap: 10, children });
}
