// The plot layer's public shapes, apart from the code that builds Vega-Lite specs: what the library's declarations
// refer to, so that a TypeScript user of xorlab does not load vega-lite's (large) types through them.

/** The formats a chart renders to: SVG text or PNG bytes. */
export const PLOT_FORMATS = ['svg', 'png'] as const;
/** 'svg' or 'png'. */
export type ChartFormat = (typeof PLOT_FORMATS)[number];

/**
 * A chart: a Vega-Lite specification as plain JSON (`$schema`, `data`, `layer`, `vconcat`, ...), from curveSpec or
 * studyCurveSpec. Render it with renderChart, or hand it to any Vega-Lite renderer (vega-embed in a page).
 */
export interface ChartSpec {
  $schema?: string;
  [key: string]: unknown;
}

/** One point of a curve: a grid value and the trials there. */
export interface CurvePoint {
  /** The swept parameter's value. */
  x: number;
  /** Mean total loss (or another metric's value); null when no trial has one (the point is left out of the top panel). */
  mean: number | null;
  stderr: number | null;
  /** The error bar, when it is not mean ± stderr (a success rate's interval). */
  lo?: number | null;
  hi?: number | null;
  successRate: number;
  count: number;
  /** Diverged trials left out of the mean, and whether that is past the study layer's limit (drawn ringed). */
  excluded?: number;
  marked?: boolean;
}

/** What curveSpec draws: points of a swept parameter and, optionally, the rules and titles. */
export interface CurveInput {
  /** The swept parameter's name (hiddenStd, lr, ...): the x-axis title, and whether the Xavier rule applies. */
  parameter: string;
  points: readonly CurvePoint[];
  /** Log x-axis; by default when every x is positive and they span a factor of 20 or more (exp and log grids). */
  logX?: boolean;
  /** Where to draw the Xavier rule; by default 1/sqrt(2) when the parameter is an init std, else none. */
  xavier?: number | null;
  /** The reference rule's label (default: the article's 2-2 layer, "Xavier/Glorot 1/√2 ≈ 0.707"). */
  xavierLabel?: string;
  /** Where to draw the minimum rule and what to call it (a fitted one, or the lowest mean: study/analysis/minimum.ts); none by default. */
  minimum?: { x: number; label?: string } | null;
  /** The fitted minimum's confidence interval, shaded around its rule. */
  minimumInterval?: { low: number; high: number } | null;
  /** The grid point with the lowest mean, beside a fitted minimum (a thin dotted rule, named as such). */
  lowest?: { x: number; label: string } | null;
  /** The success panel's y title (default "Learned XOR"); null: no success panel (the top panel is the success rate). */
  successTitle?: string | null;
  title?: string;
  subtitle?: string;
  yTitle?: string;
  /** Width of the plotting area in px (default PLOT_WIDTH; a narrow screen gives less). */
  width?: number;
}
