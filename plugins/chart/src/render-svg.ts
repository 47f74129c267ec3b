/**
 * Renders a Vega-Lite spec to SVG text inside the plugin's worker. The worker runs under a CSP
 * without 'unsafe-eval', so Vega must not compile expressions with `Function`: the spec is parsed
 * with `ast: true` and the view evaluates the ASTs with vega-interpreter. With that interpreter
 * as `expr`, Vega's code generator (the only `Function(` call sites in the bundle) is never used.
 */
import { parse, View } from 'vega';
import { expressionInterpreter } from 'vega-interpreter';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * The chart as a standalone `<svg>` string (no scripts, no external references).
 *
 * @example
 * const markup = await renderSvg(buildChartSpec(options).spec);
 * await host.ui.render({ type: 'svg', markup });
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const vegaSpec = compile(spec).spec;
  const view = new View(parse(vegaSpec, undefined, { ast: true }), {
    expr: expressionInterpreter,
    renderer: 'none',
  });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
