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

/** Lines at most this many in a panel are named at their right ends (more would crowd the margin): a legend otherwise. */
const DIRECT_LABELS_UP_TO = 6;
const PANEL_HEIGHT = 190;
/** The least distance between two end labels, in px (one line of 12 px text). */
const LABEL_GAP = 14;

/** Where each line's end label goes: at its last value, moved apart just enough that no two are closer than `gap`
 * (data units), kept inside [lo, hi]. */
export function spreadLabels(ends: readonly { name: string; value: number }[], gap: number, lo: number, hi: number) {
  const sorted = [...ends].sort((a, b) => b.value - a.value);
  const at = sorted.map((e) => e.value);
  for (let k = 1; k < at.length; k++) at[k] = Math.min(at[k], at[k - 1] - gap);
  // Pushed below the bottom: move the stack up from there, then keep the top inside.
  if (at.length && at[at.length - 1] < lo) {
    at[at.length - 1] = lo;
    for (let k = at.length - 2; k >= 0; k--) at[k] = Math.max(at[k], at[k + 1] + gap);
  }
  return sorted.map((e, k) => ({ name: e.name, y: Math.min(at[k], hi) }));
}

export function weightsSpec(input: WeightsInput): TopLevelSpec {
  const layers = [...new Set(input.rows.map((r) => r.layer))];
  const panel = (layer: string, index: number) => {
    const rows = input.rows.filter((r) => r.layer === layer);
    const names = [...new Set(rows.map((r) => r.parameter))];
    const colour = {
      field: 'parameter',
      type: 'nominal' as const,
      title: 'Parameter',
      sort: names,
      scale: { scheme: 'viridis', domain: names },
    };
    const dash = {
      field: 'parameter',
      type: 'nominal' as const,
      sort: names,
      scale: { domain: names, range: DASHES.slice(0, Math.max(1, names.length)) },
    };
    const x = { field: 'epoch', type: 'quantitative' as const, title: 'Epoch', axis: { format: ',d' } };
    const title = { text: layer, fontSize: 14, fontWeight: 'normal' as const };
    const line = { type: 'line' as const, strokeWidth: 2 };
    const values = rows.map((r) => r.value).filter(Number.isFinite);
    if (names.length > DIRECT_LABELS_UP_TO || values.length === 0) {
      return {
        width: PLOT_WIDTH,
        height: PANEL_HEIGHT,
        title,
        transform: [{ filter: { field: 'layer', equal: layer } }],
        mark: line,
        encoding: {
          x,
          y: { field: 'value', type: 'quantitative' as const, title: 'Parameter value' },
          color: colour,
          strokeDash: dash,
        },
      };
    }
    // Few lines: each is named at its right end, in the margin beside the plot (never over a line), in its own
    // colour, so the eye need not go back and forth to a legend. The y-axis is the data's range, so the labels' places
    // (kept 14 px apart) are known here.
    const [min, max] = [Math.min(...values), Math.max(...values)];
    const pad = max > min ? (max - min) * 0.04 : 1;
    const [lo, hi] = [min - pad, max + pad];
    const last = new Map<string, number>();
    for (const r of rows) if (Number.isFinite(r.value)) last.set(r.parameter, r.value);
    const labels = spreadLabels(
      names.filter((n) => last.has(n)).map((name) => ({ name, value: last.get(name)! })),
      (LABEL_GAP * (hi - lo)) / PANEL_HEIGHT,
      lo,
      hi,
    ).map((l) => ({ parameter: l.name, labelY: l.y }));
    const y = {
      field: 'value',
      type: 'quantitative' as const,
      title: 'Parameter value',
      scale: { domain: [lo, hi], nice: false, zero: false },
    };
    return {
      width: PLOT_WIDTH,
      height: PANEL_HEIGHT,
      title,
      layer: [
        {
          // Names of their own per panel: vega-lite merges same-named layers across the panels.
          name: `weight_lines_${index}`,
          transform: [{ filter: { field: 'layer', equal: layer } }],
          mark: line,
          encoding: { x, y, color: { ...colour, legend: null }, strokeDash: dash },
        },
        {
          name: `end_labels_${index}`,
          data: { values: labels },
          mark: { type: 'text' as const, align: 'left' as const, baseline: 'middle' as const, dx: 6, fontSize: 12 },
          encoding: {
            x: { value: PLOT_WIDTH },
            y: { field: 'labelY', type: 'quantitative' as const, scale: y.scale },
            text: { field: 'parameter' },
            color: { ...colour, legend: null },
          },
        },
      ],
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
  subtitle?: string | string[];
}

export function lossSpec(input: LossInput): TopLevelSpec {
  const runs = [...new Set(input.rows.map((r) => r.run))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: input.title ?? 'Loss during training',
      subtitle: input.subtitle ?? 'mean loss over the four samples at each epoch (log scale)',
    },
    // Room for a legend entry that says more than a name (the report's: how many trainings at that std learn).
    config: { ...CHART_CONFIG, legend: { ...CHART_CONFIG.legend, labelLimit: 420 } },
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
