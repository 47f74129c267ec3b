/**
 * The template plugin: the smallest complete plugin. It connects, reads the first values of the
 * first column the user handed it, and shows them in its panel. It writes nothing. Copy this
 * folder to start a plugin of your own (see README.md next to it and docs/plugins.md).
 */
import { connect, readColumns } from '../../../sdk/src/index.ts';

const FIRST_ROWS = 10;

const host = await connect();
const { table } = host.session;
const first = table.columns[0];

await host.ui.setTitle(`Hello · ${table.name}`);

if (!first) {
  await host.ui.render({
    type: 'text',
    style: 'error',
    text: 'Launch me with at least one column.',
  });
} else {
  const payload = await host.data.read([first.name], { limit: FIRST_ROWS });
  const values = Array.from(readColumns(payload)[first.name] ?? []).slice(0, FIRST_ROWS);
  await host.ui.render({
    type: 'stack',
    direction: 'column',
    gap: 8,
    children: [
      { type: 'text', style: 'heading', text: `Hello from a plugin!` },
      {
        type: 'text',
        text: `${table.name} has ${table.rowCount.toLocaleString('en')} rows. The first ${values.length} values of ${first.name} (${first.type}):`,
      },
      {
        type: 'table',
        columns: ['row', first.name],
        rows: values.map((value, row) => [
          row + 1,
          value === null || value === undefined ? null : String(value),
        ]),
      },
    ],
  });
}
