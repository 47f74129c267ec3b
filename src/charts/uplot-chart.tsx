/**
 * The one module that imports uPlot: it draws a `ChartFigure` on a canvas. uPlot was chosen for
 * size (about 50 KB) and speed (it draws 100k+ points without stalling the page), and it builds
 * its DOM without HTML strings, so it works under the app's Trusted Types policy. Scatter points
 * and box plots are drawn by small custom painters on uPlot's canvas.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartAxis, ChartFigure } from './chart-figure.ts';

const HEIGHT = 320;
const PALETTE = ['#1d5fa8', '#c2571a', '#2e8540', '#8a3ab9', '#b8860b', '#d6336c'];
const DAY_MS = 86_400_000;

function tickFormatter(axis: ChartAxis) {
  return (_chart: uPlot, ticks: number[]) =>
    ticks.map((tick) => {
      switch (axis.scale) {
        case 'category':
          return Number.isInteger(tick) ? (axis.categories?.[tick] ?? '') : '';
        case 'date':
          return new Date(tick * DAY_MS).toISOString().slice(0, 10);
        case 'datetime':
          return new Date(tick).toISOString().slice(0, 16).replace('T', ' ');
        default:
          return Math.abs(tick) >= 1e6 || (Math.abs(tick) < 1e-3 && tick !== 0)
            ? tick.toExponential(1)
            : String(Number(tick.toPrecision(4)));
      }
    });
}

function axes(figure: ChartFigure): uPlot.Axis[] {
  return [
    { label: figure.x.label, values: tickFormatter(figure.x), size: 48 },
    { label: figure.y.label, values: tickFormatter(figure.y), size: 64 },
  ];
}

/** Draws each scatter point as a 3 px square: 200k `fillRect`s take a few tens of ms. */
function drawScatter(xs: ArrayLike<number>, ys: ArrayLike<number>) {
  return (chart: uPlot) => {
    const { ctx } = chart;
    const { left, top, width, height } = chart.bbox;
    const ratio = uPlot.pxRatio;
    const size = 3 * ratio;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    ctx.fillStyle = 'rgba(29, 95, 168, 0.45)';
    for (let i = 0; i < xs.length; i++) {
      const x = chart.valToPos(xs[i]!, 'x', true);
      const y = chart.valToPos(ys[i]!, 'y', true);
      ctx.fillRect(x - size / 2, y - size / 2, size, size);
    }
    ctx.restore();
  };
}

function drawBoxes(figure: Extract<ChartFigure, { kind: 'box' }>) {
  return (chart: uPlot) => {
    const { ctx } = chart;
    const ratio = uPlot.pxRatio;
    const half = Math.min(40, chart.bbox.width / Math.max(1, figure.boxes.length) / 3);
    ctx.save();
    ctx.lineWidth = 1.5 * ratio;
    figure.boxes.forEach((box, i) => {
      const x = chart.valToPos(i, 'x', true);
      const at = (value: number) => chart.valToPos(value, 'y', true);
      ctx.strokeStyle = PALETTE[0]!;
      ctx.fillStyle = 'rgba(29, 95, 168, 0.18)';
      ctx.beginPath();
      ctx.moveTo(x, at(box.lowerWhisker));
      ctx.lineTo(x, at(box.q1));
      ctx.moveTo(x, at(box.q3));
      ctx.lineTo(x, at(box.upperWhisker));
      ctx.moveTo(x - half / 2, at(box.lowerWhisker));
      ctx.lineTo(x + half / 2, at(box.lowerWhisker));
      ctx.moveTo(x - half / 2, at(box.upperWhisker));
      ctx.lineTo(x + half / 2, at(box.upperWhisker));
      ctx.stroke();
      ctx.fillRect(x - half, at(box.q3), half * 2, at(box.q1) - at(box.q3));
      ctx.strokeRect(x - half, at(box.q3), half * 2, at(box.q1) - at(box.q3));
      ctx.beginPath();
      ctx.lineWidth = 2.5 * ratio;
      ctx.moveTo(x - half, at(box.median));
      ctx.lineTo(x + half, at(box.median));
      ctx.stroke();
      ctx.lineWidth = 1.5 * ratio;
    });
    ctx.restore();
  };
}

function rangeOf(values: ArrayLike<number>): [number, number] {
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (value < low) low = value;
    if (value > high) high = value;
  }
  if (!Number.isFinite(low)) return [0, 1];
  if (low === high) return [low - 1, high + 1];
  const pad = (high - low) * 0.04;
  return [low - pad, high + pad];
}

function build(
  figure: ChartFigure,
  width: number,
): { options: uPlot.Options; data: uPlot.AlignedData } {
  const base = {
    width,
    height: HEIGHT,
    axes: axes(figure),
    legend: { show: figure.kind === 'line' },
  };
  if (figure.kind === 'scatter') {
    return {
      options: {
        ...base,
        cursor: { show: false },
        scales: {
          x: { time: false, range: () => rangeOf(figure.xValues) },
          y: { range: () => rangeOf(figure.yValues) },
        },
        series: [{}, { label: figure.y.label, paths: () => null, points: { show: false } }],
        hooks: { draw: [drawScatter(figure.xValues, figure.yValues)] },
      },
      data: [
        [0, 1],
        [null, null],
      ] as unknown as uPlot.AlignedData,
    };
  }
  if (figure.kind === 'box') {
    const low = Math.min(...figure.boxes.map((box) => box.lowerWhisker));
    const high = Math.max(...figure.boxes.map((box) => box.upperWhisker));
    const xs = figure.boxes.map((_, i) => i);
    return {
      options: {
        ...base,
        cursor: { show: false },
        scales: {
          x: { time: false, range: () => [-0.6, figure.boxes.length - 0.4] },
          y: { range: () => rangeOf([low, high]) },
        },
        axes: [{ ...axes(figure)[0], splits: () => xs }, axes(figure)[1]!],
        series: [{}, { label: figure.y.label, paths: () => null, points: { show: false } }],
        hooks: { draw: [drawBoxes(figure)] },
      },
      data: [xs, figure.boxes.map((box) => box.median)],
    };
  }
  const bars = figure.kind !== 'line';
  const xs = Array.from(figure.xValues);
  const series: uPlot.Series[] = [
    {},
    ...figure.series.map((entry, i) => ({
      label: entry.label,
      stroke: PALETTE[i % PALETTE.length],
      fill: bars ? 'rgba(29, 95, 168, 0.55)' : undefined,
      width: bars ? 0 : 1.5,
      paths: bars
        ? uPlot.paths.bars?.({ size: [figure.kind === 'bar' ? 0.7 : 1, Infinity] })
        : undefined,
      points: { show: false },
    })),
  ];
  const xRange: uPlot.Scale['range'] =
    figure.kind === 'bar'
      ? () => [-0.6, xs.length - 0.4]
      : figure.kind === 'histogram'
        ? () => {
            const [first, last] = [xs[0] ?? 0, xs[xs.length - 1] ?? 1];
            const half = (figure.barWidth ?? 1) / 2;
            return [first - half, last + half];
          }
        : undefined;
  return {
    options: {
      ...base,
      scales: {
        x: { time: false, ...(xRange ? { range: xRange } : {}) },
        y: bars ? { range: (_chart, _min, max) => [0, max > 0 ? max * 1.05 : 1] } : {},
      },
      axes:
        figure.kind === 'bar'
          ? [{ ...axes(figure)[0], splits: () => xs }, axes(figure)[1]!]
          : axes(figure),
      series,
    },
    data: [xs, ...figure.series.map((entry) => Array.from(entry.values))] as uPlot.AlignedData,
  };
}

export function UplotChart({ figure, label }: { figure: ChartFigure; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const { options, data } = build(figure, Math.max(200, element.clientWidth));
    const chart = new uPlot(options, data, element);
    const observer = new ResizeObserver(([entry]) => {
      if (entry) chart.setSize({ width: Math.max(200, entry.contentRect.width), height: HEIGHT });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [figure]);
  return <div ref={host} className="chart" role="img" aria-label={label} />;
}
