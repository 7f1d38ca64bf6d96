// Chart 1, the study curve: mean total loss against the swept parameter with standard-error bars, the
// Xavier/Glorot prediction 1/sqrt(2) as a black rule (for an init std), the minimum as a dashed green rule (the
// caller's, e.g. a fitted one; else the lowest mean), and the success rate in a second panel below. Pure: data in,
// Vega-Lite spec out.
import type { TopLevelSpec } from 'vega-lite';
import { xavierStd } from '../core/init.js';
import { isInitStd, parameterTitle } from './names.js';
import { short } from '../text/format.js';
import { CHART_CONFIG, MARKED_RED, MINIMUM_GREEN, PLOT_WIDTH, VIRIDIS_STEPS } from './theme.js';
import type { CurveInput } from './types.js';

export type { CurveInput, CurvePoint } from './types.js';

export function inferLogX(xs: readonly number[]): boolean {
  if (xs.length < 2 || xs.some((x) => !(x > 0))) return false;
  return Math.max(...xs) / Math.min(...xs) >= 20;
}

export function curveSpec(input: CurveInput): TopLevelSpec {
  const width = input.width ?? PLOT_WIDTH;
  const xs = input.points.map((p) => p.x);
  const logX = input.logX ?? inferLogX(xs);
  const xavier = input.xavier === undefined ? (isInitStd(input.parameter) ? xavierStd(2, 2) : null) : input.xavier;
  const minimum = input.minimum ?? null;
  const values = input.points.map((p) => ({
    x: p.x,
    mean: p.mean,
    lo: p.lo !== undefined ? p.lo : p.mean !== null && p.stderr !== null ? p.mean - p.stderr : p.mean,
    hi: p.hi !== undefined ? p.hi : p.mean !== null && p.stderr !== null ? p.mean + p.stderr : p.mean,
    stderr: p.stderr,
    successRate: p.successRate,
    count: p.count,
  }));
  const xScale = logX ? { type: 'log' as const, nice: false } : { zero: false, nice: false };
  const x = { field: 'x', type: 'quantitative' as const, scale: xScale };

  // Where a rule sits across the plot (0 = left edge, 1 = right edge): its label goes to the side with room.
  const span = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  const position = (x: number) => {
    const [a, b] = logX ? span.map(Math.log) : span;
    const v = logX ? Math.log(x) : x;
    return b > a ? (v - a) / (b - a) : 0.5;
  };
  // The labels sit above the plot, never over the data, in rows of their own (Xavier next to the plot, then the
  // minimum, then the lowest mean), so they never overlap each other. Each label points away from the other rule when
  // it fits on that side (estimated at 8 px a character, bold DejaVu Sans at 13 px), and stays within the plot's width.
  const rows = [xavier !== null ? 'xavier' : '', minimum !== null ? 'minimum' : '', input.lowest ? 'lowest' : ''];
  const rowOf = (which: string) => rows.filter(Boolean).indexOf(which);
  const label = (x: number, row: number, other: number | null, text: string) => {
    const p = position(x);
    const needed = (text.length * 8 + 8) / width;
    const fitsLeft = p >= needed;
    const fitsRight = 1 - p >= needed;
    const preferLeft = other !== null ? other > x : p > 0.5;
    const left = preferLeft ? fitsLeft || !fitsRight : !fitsRight && fitsLeft;
    return {
      type: 'text' as const,
      align: left ? ('right' as const) : ('left' as const),
      baseline: 'bottom' as const,
      dx: left ? -6 : 6,
      dy: -4 - 18 * row,
      fontSize: 13,
      text,
    };
  };
  // Rules and labels get one datum of their own: under the layer's data they would be drawn once per point.
  const single = { values: [{}] };
  const rules: object[] = [];
  if (xavier !== null) {
    rules.push(
      {
        name: 'xavier_rule',
        data: single,
        mark: { type: 'rule', color: 'black', strokeWidth: 2 },
        encoding: { x: { datum: xavier } },
      },
      {
        name: 'xavier_label',
        data: single,
        mark: {
          ...label(
            xavier,
            rowOf('xavier'),
            minimum?.x ?? null,
            input.xavierLabel ?? `Xavier/Glorot 1/√2 ≈ ${short(xavier)}`,
          ),
          color: 'black',
        },
        encoding: { x: { datum: xavier }, y: { value: 0 } },
      },
    );
  }
  const band = minimum !== null ? (input.minimumInterval ?? null) : null;
  if (band !== null && Number.isFinite(band.low) && Number.isFinite(band.high)) {
    rules.unshift({
      name: 'minimum_interval',
      data: { values: [{ low: band.low, high: band.high }] },
      mark: { type: 'rect', color: MINIMUM_GREEN, opacity: 0.15, clip: true },
      encoding: { x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } },
    });
  }
  if (input.lowest) {
    rules.push(
      {
        name: 'lowest_rule',
        data: single,
        mark: { type: 'rule', color: '#555555', strokeWidth: 1.2, strokeDash: [2, 3] },
        encoding: { x: { datum: input.lowest.x } },
      },
      {
        name: 'lowest_label',
        data: single,
        mark: {
          ...label(input.lowest.x, rowOf('lowest'), minimum?.x ?? null, input.lowest.label),
          color: '#444444',
          fontSize: 12,
        },
        encoding: { x: { datum: input.lowest.x }, y: { value: 0 } },
      },
    );
  }
  if (minimum !== null) {
    rules.push(
      {
        name: 'minimum_rule',
        data: single,
        mark: { type: 'rule', color: MINIMUM_GREEN, strokeWidth: 2, strokeDash: [7, 4] },
        encoding: { x: { datum: minimum.x } },
      },
      {
        name: 'minimum_label',
        data: single,
        mark: {
          ...label(minimum.x, rowOf('minimum'), xavier, minimum.label ?? `minimum ≈ ${short(minimum.x)}`),
          color: MINIMUM_GREEN,
          fontWeight: 'bold',
        },
        encoding: { x: { datum: minimum.x }, y: { value: 0 } },
      },
    );
  }

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: input.title ?? 'Total loss against the initial weights',
      subtitle: input.subtitle ?? 'mean ± standard error per point; lower is faster learning',
    },
    config: CHART_CONFIG,
    data: { values },
    resolve: { scale: { x: 'shared' } },
    vconcat: [
      {
        width,
        height: input.successTitle === null ? 380 : 330,
        transform: [{ filter: 'datum.mean != null' }],
        layer: [
          {
            name: 'stderr_bars',
            mark: { type: 'errorbar', color: VIRIDIS_STEPS[1], thickness: 1.2 },
            encoding: {
              x,
              y: {
                field: 'lo',
                type: 'quantitative',
                title: input.yTitle ?? 'Mean total loss (sum of the per-epoch loss)',
                scale: { zero: false },
              },
              y2: { field: 'hi' },
            },
          },
          {
            name: 'mean_points',
            mark: { type: 'point', filled: true, size: 18, color: VIRIDIS_STEPS[0], opacity: 0.9 },
            encoding: {
              x: { ...x, axis: { title: null } },
              y: { field: 'mean', type: 'quantitative' },
              tooltip: [
                { field: 'x', title: input.parameter },
                { field: 'mean', format: '.1f' },
                { field: 'stderr', format: '.1f' },
                { field: 'count' },
                { field: 'excluded', title: 'diverged, left out' },
              ],
            },
          },
          // A mean that leaves out more than the study layer's limit of its trials is ringed (the subtitle says so).
          ...(input.points.some((p) => p.marked)
            ? [
                {
                  name: 'marked_points',
                  transform: [{ filter: 'datum.marked' }],
                  mark: { type: 'point', filled: false, size: 120, strokeWidth: 1.6, color: MARKED_RED },
                  encoding: {
                    x: { ...x, axis: { title: null } },
                    y: { field: 'mean', type: 'quantitative' },
                    tooltip: [
                      { field: 'x', title: input.parameter },
                      { field: 'excluded', title: 'diverged, left out' },
                      { field: 'count' },
                    ],
                  },
                },
              ]
            : []),
          ...rules,
        ],
      },
      ...(input.successTitle === null
        ? []
        : [
            {
              width,
              height: 130,
              layer: [
                {
                  name: 'success_line',
                  mark: {
                    type: 'line',
                    color: VIRIDIS_STEPS[2],
                    strokeWidth: 1.5,
                    point: { filled: true, size: 12, color: VIRIDIS_STEPS[2] },
                  },
                  encoding: {
                    x: { ...x, title: parameterTitle(input.parameter) },
                    y: {
                      field: 'successRate',
                      type: 'quantitative',
                      title: input.successTitle ?? 'Learned XOR',
                      scale: { domain: [0, 1] },
                      axis: { format: '.0%', tickCount: 3 },
                    },
                  },
                },
                ...(xavier !== null
                  ? [
                      {
                        data: single,
                        mark: { type: 'rule', color: 'black', strokeWidth: 1.5 },
                        encoding: { x: { datum: xavier } },
                      },
                    ]
                  : []),
                ...(minimum !== null
                  ? [
                      {
                        data: single,
                        mark: { type: 'rule', color: MINIMUM_GREEN, strokeWidth: 1.5, strokeDash: [7, 4] },
                        encoding: { x: { datum: minimum.x } },
                      },
                    ]
                  : []),
              ],
            },
          ]),
    ],
  } as TopLevelSpec;
}
