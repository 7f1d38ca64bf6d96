// Chart 3, weight trajectories: every parameter against the epoch for one training, one panel per layer (the
// article's pictures for std 0.05 and std 10). Chart 4, loss curves of one or several trainings on a log y-axis.
// Lines differ by colour (viridis, so lightness differs) and by dash pattern, so they stay apart in greyscale.
import type { TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG, PLOT_WIDTH } from './theme.js';
import type { LossRow, WeightRow } from './training.js';

export const DASHES = [
  [1, 0],
  [8, 4],
  [2, 3],
  [10, 3, 2, 3],
  [4, 4],
  [14, 4],
  [2, 6],
  [8, 3, 2, 3, 2, 3],
];

interface WeightsInput {
  rows: readonly WeightRow[];
  title?: string;
  subtitle?: string | string[];
}

export function weightsSpec(input: WeightsInput): TopLevelSpec {
  const layers = [...new Set(input.rows.map((r) => r.layer))];
  const panel = (layer: string) => {
    const names = [...new Set(input.rows.filter((r) => r.layer === layer).map((r) => r.parameter))];
    return {
      width: PLOT_WIDTH,
      height: 190,
      title: { text: layer, fontSize: 14, fontWeight: 'normal' as const },
      transform: [{ filter: { field: 'layer', equal: layer } }],
      mark: { type: 'line' as const, strokeWidth: 2 },
      encoding: {
        x: { field: 'epoch', type: 'quantitative' as const, title: 'Epoch', axis: { format: ',d' } },
        y: { field: 'value', type: 'quantitative' as const, title: 'Parameter value' },
        color: {
          field: 'parameter',
          type: 'nominal' as const,
          title: 'Parameter',
          sort: names,
          scale: { scheme: 'viridis', domain: names },
        },
        strokeDash: {
          field: 'parameter',
          type: 'nominal' as const,
          sort: names,
          scale: { domain: names, range: DASHES.slice(0, Math.max(1, names.length)) },
        },
      },
    };
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: input.title ?? 'Weights during training',
      subtitle:
        input.subtitle ?? "each line is one weight or bias: w[i][j] connects input i to unit j, b[j] is unit j's bias",
    },
    config: CHART_CONFIG,
    data: { values: input.rows as WeightRow[] },
    vconcat: layers.map(panel),
    resolve: { scale: { color: 'independent', strokeDash: 'independent' } },
  };
}

interface LossInput {
  rows: readonly LossRow[];
  title?: string;
  subtitle?: string;
}

export function lossSpec(input: LossInput): TopLevelSpec {
  const runs = [...new Set(input.rows.map((r) => r.run))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: input.title ?? 'Loss during training',
      subtitle: input.subtitle ?? 'mean loss over the four samples at each epoch (log scale)',
    },
    config: CHART_CONFIG,
    width: PLOT_WIDTH,
    height: 360,
    data: { values: input.rows.filter((r): r is LossRow => r.loss > 0) },
    mark: { type: 'line', strokeWidth: 2 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'Epoch', axis: { format: ',d' } },
      y: { field: 'loss', type: 'quantitative', title: 'Loss (mean over the samples)', scale: { type: 'log' } },
      color: {
        field: 'run',
        type: 'nominal',
        title: 'Training',
        sort: runs,
        scale: { domain: runs, range: runColours(runs.length) },
      },
      strokeDash: {
        field: 'run',
        type: 'nominal',
        sort: runs,
        scale: { domain: runs, range: DASHES.slice(0, Math.max(1, runs.length)) },
      },
    },
  };
}

/** n colours from viridis' dark end to its yellow-green (pure yellow is too light to read as a line). */
export function runColours(n: number): string[] {
  const stops = ['#440154', '#3b528b', '#21918c', '#5ec962', '#aadc32'];
  if (n <= 1) return [stops[0]];
  return Array.from({ length: n }, (_, k) => stops[Math.round((k * (stops.length - 1)) / (n - 1))]);
}
