// Chart 2, the landscape of a two-parameter study as a heatmap of the mean total loss; chart 5, a trained
// network's output over [0,1]^2 with the four XOR points. Both use viridis, which reads in greyscale.
import type { TopLevelSpec } from 'vega-lite';
import { parameterTitle } from './names.js';
import { short } from '../text/format.js';
import { CHART_CONFIG } from './theme.js';
import { outputMapLayer } from './output-map.js';
import { GRID_MAX, GRID_MIN, type GridCell, type SamplePoint } from './training.js';

interface HeatmapCell {
  x: number | string;
  y: number | string;
  mean: number | null;
  successRate: number;
  count: number;
}

export interface HeatmapInput {
  xParameter: string;
  yParameter: string;
  cells: readonly HeatmapCell[];
  title?: string;
  subtitle?: string;
}

/** Log colour when the positive means span more than a factor 10 (a linear scale shows one shade then). */
function heatmapUsesLogScale(means: readonly number[]): boolean {
  if (means.length < 2 || means.some((m) => !(m > 0))) return false;
  return Math.max(...means) / Math.min(...means) > 10;
}

export function heatmapSpec(input: HeatmapInput): TopLevelSpec {
  const label = (v: number | string) => (typeof v === 'number' ? short(v) : v);
  const sortKey = (v: number | string) => (typeof v === 'number' ? v : Number.NaN);
  const order = (values: (number | string)[]) => {
    const unique = [...new Map(values.map((v) => [label(v), v])).values()];
    const numeric = unique.every((v) => typeof v === 'number');
    return (
      numeric
        ? unique.sort((a, b) => sortKey(a) - sortKey(b))
        : unique.sort((a, b) => String(a).localeCompare(String(b)))
    ).map(label);
  };
  const xs = order(input.cells.map((c) => c.x));
  const ys = order(input.cells.map((c) => c.y)).reverse();
  const values = input.cells.map((c) => ({
    x: label(c.x),
    y: label(c.y),
    mean: c.mean,
    successRate: c.successRate,
    count: c.count,
  }));
  const many = xs.length > 24;
  // Means spanning orders of magnitude (one column of diverging learning rates at ~47,000 beside 500-4,000) wash a
  // linear scale into one shade: colour them on a log scale then, and say so in the legend.
  const means = values.map((v) => v.mean).filter((m): m is number => m !== null && Number.isFinite(m));
  const log = heatmapUsesLogScale(means);
  const diverged = values.some((v) => v.mean === null);
  const how = [log ? 'colour on a log scale' : '', diverged ? 'grey ×: every training there diverged (no mean)' : '']
    .filter(Boolean)
    .join('; ');
  const subtitle = input.subtitle ?? 'mean total loss per pair of values; darker is faster learning';
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: input.title ?? 'Loss landscape', subtitle: how ? [subtitle, how] : subtitle },
    config: CHART_CONFIG,
    width: 600,
    height: Math.min(480, Math.max(200, ys.length * 24)),
    data: { values },
    layer: [
      {
        name: 'cells',
        mark: { type: 'rect' },
        encoding: {
          x: {
            field: 'x',
            type: 'ordinal',
            sort: xs,
            title: parameterTitle(input.xParameter),
            axis: { labelAngle: many ? -90 : 0, labelOverlap: true },
          },
          y: {
            field: 'y',
            type: 'ordinal',
            sort: ys,
            title: parameterTitle(input.yParameter),
            axis: { labelOverlap: true },
          },
          color: {
            field: 'mean',
            type: 'quantitative',
            title: log ? ['Mean total loss', '(log scale)'] : ['Mean', 'total loss'],
            scale: log ? { type: 'log', scheme: 'viridis' } : { scheme: 'viridis' },
          },
          tooltip: [
            { field: 'x' },
            { field: 'y' },
            { field: 'mean', format: '.1f' },
            { field: 'successRate', format: '.0%' },
            { field: 'count' },
          ],
        },
      },
      ...(diverged
        ? [
            {
              // A cell whose every training diverged has no mean: grey with a cross, never a colour of the scale.
              name: 'diverged',
              transform: [{ filter: 'datum.mean === null' }],
              mark: { type: 'rect' as const, color: '#bdbdbd' },
              encoding: {
                x: { field: 'x', type: 'ordinal' as const, sort: xs },
                y: { field: 'y', type: 'ordinal' as const, sort: ys },
              },
            },
            {
              name: 'diverged-mark',
              transform: [{ filter: 'datum.mean === null' }],
              mark: { type: 'text' as const, text: '×', color: '#424242', fontSize: 14 },
              encoding: {
                x: { field: 'x', type: 'ordinal' as const, sort: xs },
                y: { field: 'y', type: 'ordinal' as const, sort: ys },
              },
            },
          ]
        : []),
    ],
  };
}

interface BoundaryInput {
  grid: readonly GridCell[];
  samples: readonly SamplePoint[];
  title?: string;
  subtitle?: string | string[];
}

export function boundarySpec(input: BoundaryInput): TopLevelSpec {
  const axis = (title: string) => ({
    field: '',
    type: 'quantitative' as const,
    title,
    scale: { domain: [GRID_MIN, GRID_MAX], nice: false, zero: false },
    axis: { values: [0, 0.25, 0.5, 0.75, 1], format: '.2~f' },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: input.title ?? 'What the network learned',
      subtitle: input.subtitle ?? 'network output for every input pair; the white line is where it crosses 0.5',
    },
    config: CHART_CONFIG,
    width: 460,
    height: 460,
    layer: [
      outputMapLayer({
        name: 'output',
        values: input.grid,
        x: { ...axis('Input 1'), field: 'x1lo' },
        x2: 'x1hi',
        y: { ...axis('Input 2'), field: 'x2lo' },
        y2: 'x2hi',
        title: 'Output',
        domain: [0, 1],
        legend: { gradientLength: 300 },
      }),
      {
        // Cells where the output crosses 0.5: the decision boundary, drawn white.
        name: 'boundary',
        data: { values: input.grid as GridCell[] },
        transform: [{ filter: 'datum.boundary' }],
        mark: { type: 'rect', color: 'white', stroke: null, opacity: 1 },
        encoding: {
          x: { field: 'x1lo', type: 'quantitative' },
          x2: { field: 'x1hi' },
          y: { field: 'x2lo', type: 'quantitative' },
          y2: { field: 'x2hi' },
        },
      },
      {
        name: 'samples',
        data: { values: input.samples.map((s) => ({ ...s, label: `target ${s.target}` })) },
        mark: { type: 'point', filled: true, size: 420, stroke: 'black', strokeWidth: 2, opacity: 1 },
        encoding: {
          x: { field: 'x1', type: 'quantitative' },
          y: { field: 'x2', type: 'quantitative' },
          shape: { field: 'label', type: 'nominal', title: 'XOR sample', scale: { range: ['circle', 'square'] } },
          fill: { field: 'label', type: 'nominal', title: 'XOR sample', scale: { range: ['black', 'white'] } },
        },
      },
    ],
  };
}
