/** How the kinds of dashboard view read in the UI. */
import type { DashboardView } from '../api/dashboards-api.ts';

export const viewKindLabels: Record<DashboardView['kind'], string> = {
  table: 'Table',
  histogram: 'Histogram',
  bar: 'Bar chart',
  line: 'Line chart',
  scatter: 'Scatter plot',
  box: 'Box plot',
};
