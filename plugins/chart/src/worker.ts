/**
 * The chart plugin's worker: draws the columns the user handed it with Vega-Lite. The panel is
 * a view tree (selects for x, y and mark above the chart); the chart is rendered here to SVG and
 * sent as an `svg` node of that tree, which the runtime sanitises before showing it. Each
 * column is read once, on first use, and kept for re-renders.
 */
import { connect, readColumns, type PluginHost, type ViewNode } from '../../../sdk/src/index.ts';
import { buildChartSpec, columnKind, type ChartColumn, type ChartMark } from './chart-spec.ts';
import { renderSvg } from './render-svg.ts';

const MARKS: readonly { value: ChartMark; label: string }[] = [
  { value: 'point', label: 'Scatter (points)' },
  { value: 'bar', label: 'Bar' },
  { value: 'line', label: 'Line' },
  { value: 'histogram', label: 'Histogram' },
];
const NO_Y = '';

interface ChartState {
  x: string;
  y: string;
  mark: ChartMark;
}

const host = await connect();
const { table } = host.session;
const columns = table.columns.map((column) => ({
  name: column.name,
  kind: columnKind(column.type),
}));
const values = new Map<string, ArrayLike<unknown>>();

await host.ui.setTitle(`Chart · ${table.name}`);
await host.ui.setHeight(560);

if (columns.length === 0) {
  await host.ui.render({
    type: 'text',
    style: 'error',
    text: 'Launch the chart with at least one column.',
  });
} else {
  const numeric = columns.filter((column) => column.kind !== 'nominal');
  const state: ChartState = {
    x: (numeric[0] ?? columns[0])?.name ?? '',
    y: numeric[1]?.name ?? NO_Y,
    mark: numeric.length >= 2 ? 'point' : 'histogram',
  };
  let drawing = Promise.resolve();
  const redraw = (): void => {
    // One draw at a time, in order; a draw that fails to reach the panel must not stop the next.
    drawing = drawing
      .then(() => draw(host, state))
      .catch((error: unknown) => console.error('The chart panel could not be drawn:', error));
  };
  host.ui.onEvent((event) => {
    if (event.event !== 'ui.change' || typeof event.value !== 'string') return;
    if (event.id === 'x' && columns.some((column) => column.name === event.value))
      state.x = event.value;
    else if (
      event.id === 'y' &&
      (event.value === NO_Y || columns.some((column) => column.name === event.value))
    )
      state.y = event.value;
    else if (event.id === 'mark' && MARKS.some((mark) => mark.value === event.value))
      state.mark = event.value as ChartMark;
    else return;
    redraw();
  });
  redraw();
}

async function draw(plugin: PluginHost, state: ChartState): Promise<void> {
  const controls = controlsView(state);
  await plugin.ui.render(panel(controls, { type: 'text', style: 'muted', text: 'Drawing…' }));
  try {
    const x = await column(plugin, state.x);
    const y = state.y === NO_Y || state.mark === 'histogram' ? null : await column(plugin, state.y);
    const { spec, note } = buildChartSpec({ mark: state.mark, x, y });
    const markup = await renderSvg(spec);
    await plugin.ui.render(
      panel(controls, { type: 'text', style: 'muted', text: note }, { type: 'svg', markup }),
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await plugin.ui.render(
      panel(controls, { type: 'text', style: 'error', text: `The chart failed: ${message}` }),
    );
  }
}

async function column(plugin: PluginHost, name: string): Promise<ChartColumn> {
  let cells = values.get(name);
  if (!cells) {
    const payload = await plugin.data.read([name]);
    cells = readColumns(payload)[name] ?? [];
    values.set(name, cells);
  }
  return {
    name,
    kind: columns.find((candidate) => candidate.name === name)?.kind ?? 'nominal',
    values: cells,
  };
}

function controlsView(state: ChartState): ViewNode {
  const options = columns.map((column) => ({ value: column.name, label: column.name }));
  return {
    type: 'stack',
    direction: 'row',
    gap: 12,
    children: [
      { type: 'select', id: 'mark', label: 'Chart', value: state.mark, options: MARKS },
      { type: 'select', id: 'x', label: 'x', value: state.x, options },
      {
        type: 'select',
        id: 'y',
        label: 'y',
        value: state.y,
        options: [{ value: NO_Y, label: '(count rows)' }, ...options],
      },
    ],
  };
}

function panel(...children: ViewNode[]): ViewNode {
  return { type: 'stack', direction: 'column', gap: 8, children };
}
