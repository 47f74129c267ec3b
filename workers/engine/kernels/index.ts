/**
 * The kernels' contract: what the engine computes with. Everything here works on the typed
 * arrays of `columns/column-data.ts` and a `Selection` of row indices.
 */
export { filterRows } from './filter-rows.ts';
export { sortRows } from './sort-rows.ts';
export { topRows } from './top-rows.ts';
export { groupBy } from './group-by.ts';
export { columnStats } from './column-stats.ts';
export { gatherTable } from './gather-table.ts';
export { chartData } from './chart-data.ts';
