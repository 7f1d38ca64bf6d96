// The study curve with several lines: a metric against one numeric parameter, one line per value of another
// parameter (a category such as the activation), optionally one panel per value of a third (facets). Each line's
// fitted minimum is a diamond with its confidence interval as a horizontal bar, in a strip of its own below the
// curves (in a faceted chart: in the panel, at the fitted value); reference rules (Xavier/Glorot,
// He) are black and grey. Lines differ by colour (viridis: lightness differs), dash pattern and point shape, so
// they stay apart in greyscale. Pure: data in, Vega-Lite spec out.
import type { TopLevelSpec } from 'vega-lite';
import { parameterTitle, plainTitle } from './names.js';
import { CHART_CONFIG, MARKED_RED, PLOT_WIDTH } from './theme.js';
import { DASHES, runColours } from './trajectories.js';

export interface SeriesPoint {
  x: number;
  /** The line (category) and the panel (facet) the point belongs to ('' when there is none). */
  series: string;
  facet: string;
  /** The metric's value and its error bar (mean ± stderr, or a rate's interval); null: no value at the point. */
  y: number | null;
  lo: number | null;
  hi: number | null;
  successRate: number;
  count: number;
  /** Diverged trials left out of the mean, and whether that is past the study layer's limit (drawn ringed). */
  excluded?: number;
  marked?: boolean;
}

export interface SeriesMinimum {
  series: string;
  facet: string;
  x: number;
  low: number;
  high: number;
  y: number;
}

export interface ReferenceRule {
  x: number;
  label: string;
  /** Drawn black and solid (Xavier/Glorot) or grey and dotted (He). */
  style: 'black' | 'grey';
}

interface SeriesInput {
  parameter: string;
  points: readonly SeriesPoint[];
  /** What the lines are (e.g. 'activation'), and their order. */
  seriesParameter: string;
  seriesOrder: readonly string[];
  /** What the panels are, and their order (none: one panel). */
  facetParameter?: string;
  facetOrder?: readonly string[];
  logX: boolean;
  minima?: readonly SeriesMinimum[];
  rules?: readonly ReferenceRule[];
  yTitle: string;
  /** The success panel's title (e.g. 'Learned XOR'); none: no success panel (the metric is the success rate, or there are panels). */
  successTitle?: string;
  /** A y scale of its own per panel (metrics on different scales, such as two losses). */
  independentY?: boolean;
  yDomain?: [number, number];
  title: string;
  subtitle: string;
}

const SHAPES = [
  'circle',
  'square',
  'triangle-up',
  'diamond',
  'cross',
  'triangle-down',
  'triangle-left',
  'triangle-right',
];

export function seriesCurveSpec(input: SeriesInput): TopLevelSpec {
  const order = [...input.seriesOrder];
  const colours = runColours(order.length);
  const dashes = DASHES.slice(0, Math.max(1, order.length));
  const xScale = input.logX ? { type: 'log' as const, nice: false } : { zero: false, nice: false };
  const x = { field: 'x', type: 'quantitative' as const, scale: xScale, title: parameterTitle(input.parameter) };
  const seriesTitle = plainTitle(input.seriesParameter);
  const colour = {
    field: 'series',
    type: 'nominal' as const,
    title: seriesTitle,
    sort: order,
    scale: { domain: order, range: colours },
  };
  const dash = { field: 'series', type: 'nominal' as const, sort: order, scale: { domain: order, range: dashes } };
  const shape = {
    field: 'series',
    type: 'nominal' as const,
    sort: order,
    scale: { domain: order, range: SHAPES.slice(0, Math.max(1, order.length)) },
  };
  // Means spanning orders of magnitude (a diverging learning rate beside the useful ones) flatten the rest on a
  // linear axis: a log axis then, said in its title. Only where every bar end is positive (a log axis has no 0).
  const ends = input.points.flatMap((p) => (p.y === null ? [] : [p.y, p.lo ?? p.y, p.hi ?? p.y]));
  const logY =
    !input.yDomain && ends.length > 1 && ends.every((v) => v > 0) && Math.max(...ends) / Math.min(...ends) > 10;
  const yTitle = logY ? `${input.yTitle} (log scale)` : input.yTitle;
  const y = {
    field: 'y',
    type: 'quantitative' as const,
    title: yTitle,
    scale: input.yDomain ? { domain: input.yDomain } : logY ? { type: 'log' as const } : { zero: false },
  };
  const rules = input.rules ?? [];
  const facets = input.facetParameter ? [...(input.facetOrder ?? [])] : [''];
  // One dataset for every layer (a faceted chart partitions it by panel): the points, each line's fitted minimum,
  // and each reference rule once per panel; every layer keeps its own kind.
  const values = [
    ...input.points.map((p) => ({ kind: 'point', ...p })),
    ...(input.minima ?? []).map((m) => ({ kind: 'minimum', ...m, minimumX: m.x, minimumY: m.y })),
    ...rules.flatMap((r, i) => facets.map((facet) => ({ kind: 'rule', rule: i, facet, ruleX: r.x, label: r.label }))),
  ];
  const only = (kind: string, extra = '') => [{ filter: `datum.kind == '${kind}'${extra}` }];
  // A rule's label goes to the side of the rule with more room (0 = left edge of the data, 1 = right edge).
  const xs = input.points.map((p) => p.x);
  const position = (v: number): number => {
    const [a, b] = [Math.min(...xs), Math.max(...xs)].map((e) => (input.logX ? Math.log(e) : e));
    const at = input.logX ? Math.log(v) : v;
    return b > a ? (at - a) / (b - a) : 0.5;
  };
  // Each line's fitted minimum: a diamond at its x with its interval as a horizontal bar, at `y` (the fitted value in a
  // faceted panel, the line's own row in the strip).
  const minimumLayers = (y: { field: string; type: 'quantitative' | 'nominal'; [key: string]: unknown }) => [
    {
      name: 'minimum_intervals',
      transform: only('minimum'),
      mark: { type: 'rule' as const, strokeWidth: 3, opacity: 0.8 },
      encoding: {
        x: { field: 'low', type: 'quantitative' as const, title: x.title },
        x2: { field: 'high' },
        y,
        color: colour,
      },
    },
    {
      name: 'minimum_points',
      transform: only('minimum'),
      mark: { type: 'point' as const, shape: 'diamond', filled: true, size: 170, stroke: 'black', strokeWidth: 1 },
      encoding: {
        x: { field: 'minimumX', type: 'quantitative' as const, title: x.title },
        y,
        color: colour,
        tooltip: [
          { field: 'series', title: input.seriesParameter },
          { field: 'minimumX', title: 'fitted minimum', format: '.3~g' },
          { field: 'low', format: '.3~g' },
          { field: 'high', format: '.3~g' },
        ],
      },
    },
  ];
  const panelWidth = input.facetParameter && facets.length > 3 ? 360 : PLOT_WIDTH;
  // A rule's label sits above the plot, a row per rule, never over the data: beside its rule, on the side where it
  // fits within the panel (estimated at 7.3 px a character of DejaVu Sans at 12 px).
  const referenceLabelMark = (r: ReferenceRule, row: number) => {
    const p = position(r.x);
    const needed = (r.label.length * 7.3 + 6) / panelWidth;
    const left = p > 0.5 ? p >= needed || 1 - p < needed : 1 - p < needed && p >= needed;
    return {
      type: 'text' as const,
      align: left ? ('right' as const) : ('left' as const),
      baseline: 'bottom' as const,
      dx: left ? -5 : 5,
      dy: -4 - 16 * row,
      fontSize: 12,
      color: r.style === 'black' ? 'black' : '#444444',
    };
  };
  const main = (height: number) => ({
    width: PLOT_WIDTH,
    height,
    layer: [
      {
        name: 'error_bars',
        transform: only('point', ' && datum.y != null'),
        mark: { type: 'errorbar' as const, thickness: 1, opacity: 0.55 },
        encoding: {
          x,
          y: {
            field: 'lo',
            type: 'quantitative' as const,
            title: yTitle,
            ...(logY ? { scale: { type: 'log' as const } } : {}),
          },
          y2: { field: 'hi' },
          color: colour,
        },
      },
      {
        name: 'lines',
        transform: only('point', ' && datum.y != null'),
        mark: { type: 'line' as const, strokeWidth: 2 },
        encoding: { x, y, color: colour, strokeDash: dash, order: { field: 'x', type: 'quantitative' as const } },
      },
      {
        name: 'means',
        transform: only('point', ' && datum.y != null'),
        mark: { type: 'point' as const, filled: true, size: 30 },
        encoding: {
          x,
          y,
          color: colour,
          shape,
          tooltip: [
            { field: 'series', title: input.seriesParameter },
            { field: 'x', title: input.parameter },
            { field: 'y', format: '.4~g' },
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
              transform: only('point', ' && datum.y != null && datum.marked'),
              mark: { type: 'point' as const, filled: false, size: 130, strokeWidth: 1.6, color: MARKED_RED },
              encoding: {
                x,
                y,
                tooltip: [
                  { field: 'series', title: input.seriesParameter },
                  { field: 'x', title: input.parameter },
                  { field: 'excluded', title: 'diverged, left out' },
                  { field: 'count' },
                ],
              },
            },
          ]
        : []),
      // A faceted chart has no room for a strip of its own: there the minima stay in the panel, at the fitted value.
      ...(input.facetParameter ? minimumLayers({ field: 'minimumY', type: 'quantitative' as const }) : []),
      ...rules.flatMap((r, i) => [
        {
          name: `reference_rule_${i}`,
          transform: only('rule', ` && datum.rule == ${i}`),
          mark: {
            type: 'rule' as const,
            color: r.style === 'black' ? 'black' : '#555555',
            strokeWidth: 1.5,
            ...(r.style === 'grey' ? { strokeDash: [2, 3] } : {}),
          },
          encoding: { x: { field: 'ruleX', type: 'quantitative' as const } },
        },
        {
          name: `reference_label_${i}`,
          transform: only('rule', ` && datum.rule == ${i}`),
          mark: referenceLabelMark(r, i),
          encoding: { x: { field: 'ruleX', type: 'quantitative' as const }, y: { value: 0 }, text: { field: 'label' } },
        },
      ]),
    ],
  });
  // The fitted minima in a strip of their own below the curves, a row per line: the fitted value is a model's (it can
  // lie below every measured mean), so it is not drawn among the means, where it would read as one.
  const minimaStrip = {
    width: PLOT_WIDTH,
    height: 22 * order.length,
    title: {
      text: 'Fitted minimum of each line (not a measurement): ◆ where the fit is lowest, bar its 95% interval',
      fontSize: 13,
      fontWeight: 'normal' as const,
      anchor: 'start' as const,
    },
    layer: minimumLayers({
      field: 'series',
      type: 'nominal' as const,
      sort: order,
      title: null,
      scale: { domain: order },
      axis: { labelFontSize: 12, grid: false },
    }),
  };
  const successPanel = {
    width: PLOT_WIDTH,
    height: 130,
    transform: only('point'),
    layer: [
      {
        name: 'success_lines',
        mark: { type: 'line' as const, strokeWidth: 1.5, point: { filled: true, size: 14 } },
        encoding: {
          x,
          y: {
            field: 'successRate',
            type: 'quantitative' as const,
            title: input.successTitle,
            scale: { domain: [0, 1] },
            axis: { format: '.0%', tickCount: 3 },
          },
          color: colour,
          strokeDash: dash,
          order: { field: 'x', type: 'quantitative' as const },
        },
      },
    ],
  };
  const base = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: input.title, subtitle: input.subtitle },
    config: {
      ...CHART_CONFIG,
      legend: { ...CHART_CONFIG.legend, orient: 'right' as const, symbolSize: 120, titleLimit: 260, labelLimit: 200 },
    },
    data: { values },
  };
  if (input.facetParameter) {
    const panel = main(240);
    return {
      ...base,
      facet: {
        field: 'facet',
        type: 'nominal',
        title: parameterTitle(input.facetParameter),
        sort: facets,
        header: { labelFontSize: 13 },
      },
      columns: facets.length > 3 ? 2 : 1,
      spec: { ...panel, width: panelWidth },
      resolve: { scale: { y: input.independentY ? 'independent' : 'shared' } },
    };
  }
  return {
    ...base,
    resolve: { scale: { x: 'shared' } },
    vconcat: [
      main(input.successTitle ? 330 : 360),
      ...(input.minima?.length ? [minimaStrip] : []),
      ...(input.successTitle ? [successPanel] : []),
    ],
  };
}
