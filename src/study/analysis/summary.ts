// A stored study's summary as one document: per point the moments of a metric (total loss by default: the article's
// table) with the relative standard error, the lowest grid mean with its confidence interval, the fitted minimum
// along the study's one numeric axis, optionally quartiles and the comparison of two points. `xorlab summary --json`
// prints it, the library's summarizeStudy() returns it and the dashboard's API sends it: all build it here, so they
// cannot drift apart. Also the per-point table as CSV (`xorlab summary --csv`, the playground's download).
import type { ParamValue, PointSummary, PointValues, Store } from '../../store/types.js';
import { csvLine } from '../../text/format.js';
import { quote } from '../../text/quote.js';
import { storedSweep } from './listing.js';
import {
  bestPoint,
  curveBests,
  curvesAlong,
  markedInFit,
  markedPoint,
  numericAxes,
  type CurveBest,
  type MarkedPoint,
} from './curves.js';

export type { MarkedPoint };
import { METRICS, METRIC_NAMES, metricPoint, metricSample, type MetricName, type MetricPoint } from './metrics.js';
import { describeParams, paramNamesOfPoints, selectPoint } from './points.js';
import { rateDifference, type RateDifference } from './proportions.js';
import { compare, quantiles, relativeStandardError, type Comparison } from './stats.js';
import { staleDivergedTrials } from './stale.js';
import { StudyError } from '../definition/types.js';

/** The largest confidence level accepted (beyond it the t quantile of small samples is not meaningful). */
export const MAX_LEVEL = 0.9999;
/** The smallest confidence level accepted: below it an "interval" is narrower than a coin flip's (1e-320 gave
 * "1e-318% CI"), and nobody reports one. */
export const MIN_LEVEL = 0.5;

/** A point's row: the store's per-point summary, the chosen metric there and the relative standard error. */
export interface SummaryPoint extends PointSummary {
  /** stderr / |mean| of the metric: what refineStudy evens out (for totalLoss); null without an estimate. */
  rse: number | null;
  /** The metric at this point: its value (mean, or rate for success), spread and interval. */
  value: MetricPoint;
  /** The metric's 25%, 50% and 75% quantiles over the point's trials (only when asked: a scan). */
  quartiles?: [number, number, number] | null;
}

/** The grid point with the lowest mean (loss-like metrics) or the highest rate (success), with its interval. */
export interface SummaryMinimum {
  point: number;
  params: Record<string, ParamValue>;
  /** The metric's mean (or rate) there. */
  mean: number;
  /** The trials behind the mean. */
  count: number;
  /** The interval; null with fewer than 2 trials. */
  low: number | null;
  high: number | null;
  level: number;
  /** Diverged trials left out of the mean there, and whether that passes EXCLUDED_SHARE_LIMIT (then it is said). */
  excluded: number;
  marked: boolean;
}

/** A minimum fitted along the study's one numeric axis (one per combination of the other axes' values). */
export interface FittedMinimum {
  along: string;
  at: Record<string, unknown>;
  x: number;
  low: number;
  high: number;
  level: number;
  /** The fitted curve's value at x. */
  value: number;
  window: number;
  points: number;
  chi2PerDof: number;
  lowestMean: { point: number; x: unknown };
  /** The marked points among those the fit used (the lowest grid mean's included): empty when it rests on none. */
  marked: MarkedPoint[];
}

/** One side of a comparison. */
export interface ComparedPoint {
  point: number;
  params: Record<string, ParamValue>;
  mean: number | null;
  stderr: number | null;
  count: number;
  /** Diverged trials left out of the mean (0 for success), and whether that passes EXCLUDED_SHARE_LIMIT. */
  excluded: number;
  marked: boolean;
}

/** Point A against point B: the % difference of the means with its interval and Welch's p-value, or for success
 * the difference of the rates in percentage points (Newcombe's interval). */
export type SummaryComparison = { a: ComparedPoint; b: ComparedPoint; method: string } & (Comparison | RateDifference);

/** A study's summary: the object of `xorlab summary --json`. */
export interface StudySummary {
  study: string;
  metric: MetricName;
  /** Every stored trial (diverged ones included). */
  trials: number;
  /** One row per point with stored trials, in point order. */
  points: SummaryPoint[];
  /** null when no point has a value (no trials, or all diverged). */
  minimum: SummaryMinimum | null;
  /** The fitted minima (loss-like metrics, a study with one numeric axis); empty otherwise. */
  fitted: FittedMinimum[];
  /** Where a minimum was looked for along the numeric axis and none was found: why (too few points, the window, no
   * interior minimum). */
  unfitted: { along: string; at: Record<string, unknown>; reason: string }[];
  /** Present when two points were asked to be compared. */
  comparison?: SummaryComparison;
  /** Diverged trials left out of the metric's means in all (0 for success), and the points marked for it. */
  excluded: number;
  markedPoints: MarkedPoint[];
  /** Trials stored as diverged by the fast engine in f32 (a study written before f32 overflow was retrained in
   * f64: `xorlab recheck` recomputes them). Present from summarizeStudy, which reads the store. */
  staleDiverged?: number;
}

/**
 * A point of the study, as `xorlab summary --compare` takes it: a grid value of the only swept parameter (0.7071,
 * the nearest on a log scale for positive grids), `name=value,name=value` naming every swept parameter (nearest
 * numbers, exact categories), or `point=N` (a point index).
 */
export type PointQuery = string | number;

/** Options of summarizeStudy. */
export interface SummaryOptions {
  /** What to summarise (default 'totalLoss', the article's): totalLoss, finalLoss, epochsToThreshold or success. */
  metric?: MetricName;
  /** Confidence level of the intervals (default 0.95). */
  level?: number;
  /** Two points, A then B: the summary gains `comparison`. */
  compare?: readonly [PointQuery, PointQuery];
  /** Add each point's quartiles of the metric (reads every trial: a scan). */
  quantiles?: boolean;
  /** Aggregate every stored trial again (a full scan) instead of reading the aggregates kept on insert. */
  recompute?: boolean;
  /** Told, one line each, about a point to compare given by a value outside its grid or far from the grid value it
   * resolves to (the nearest point is used). */
  onWarning?: (line: string) => void;
}

/**
 * Reads and summarises a stored study. Throws StoreError for an unknown study or a database problem, StudyError
 * for bad options or a point to compare that the study does not have (its message starts with `labels`' entry).
 */
export async function summarizeStudy(
  store: Pick<Store, 'summarize' | 'recomputeSummary' | 'metricValues' | 'getStudy' | 'iterateTrials'>,
  name: string,
  options: SummaryOptions = {},
  labels: readonly [string, string] = ['compare A', 'compare B'],
): Promise<StudySummary> {
  const { metric } = checkOptions(options);
  const points = await (options.recompute ? store.recomputeSummary(name) : store.summarize(name));
  const values = options.quantiles ? await store.metricValues(name, metric) : null;
  const sweep = storedSweep((await store.getStudy(name))?.definition);
  const summary = summaryReport(name, points, options, {
    axes: sweep ? Object.keys(sweep) : undefined,
    values,
    labels,
  });
  summary.staleDiverged = (await staleDivergedTrials(store, name, points)).length;
  return summary;
}

/** What summaryReport may use beside the points: the study's axes in order (default: as the points name them),
 * each point's metric values (for quartiles), the names of A and B in messages. */
interface SummaryContext {
  axes?: readonly string[];
  values?: ReadonlyMap<number, PointValues> | null;
  labels?: readonly [string, string];
}

/** The summary of a study from its per-point rows as the store gives them (pure: for callers that hold them). */
export function summaryReport(
  study: string,
  points: readonly PointSummary[],
  options: SummaryOptions = {},
  context: SummaryContext = {},
): StudySummary {
  const { metric, level } = checkOptions(options);
  const values = context.values ?? null;
  const labels = context.labels ?? ['compare A', 'compare B'];
  const rows = points.map((p) => withMetric(p, metric, level, options.quantiles ? values : null));
  const summary: StudySummary = {
    study,
    metric,
    trials: points.reduce((sum, p) => sum + p.count, 0),
    points: rows,
    minimum: bestOf(points, metric, level),
    ...fittedMinima(points, context.axes ?? paramNamesOfPoints(points), metric, level),
    excluded: rows.reduce((sum, p) => sum + p.value.excluded, 0),
    markedPoints: rows.filter((p) => p.value.marked).map(markedPoint),
  };
  if (options.compare) {
    const a = selectPoint(labels[0], String(options.compare[0]), points);
    const b = selectPoint(labels[1], String(options.compare[1]), points);
    if (a.point.point === b.point.point) {
      throw new StudyError(
        `${labels[0].replace(/\s*A$/, '')}: A (${String(options.compare[0])}) and B (${String(options.compare[1])}) are the same point, point ${a.point.point} (${describeParams(a.point.params)}); ` +
          'a point compared with itself is not two samples — choose two different points',
      );
    }
    for (const warning of [a.warning, b.warning]) if (warning) options.onWarning?.(warning);
    summary.comparison = comparisonOf(a.point, b.point, metric, level, labels);
  }
  return summary;
}

/** The options checked (StudyError); the metric and the confidence level. */
function checkOptions(options: SummaryOptions): { metric: MetricName; level: number } {
  const level = options.level ?? 0.95;
  if (typeof level !== 'number' || !(level >= MIN_LEVEL && level <= MAX_LEVEL))
    throw new StudyError(`level must be >= ${MIN_LEVEL} and <= ${MAX_LEVEL}, got ${String(level)}`);
  const metric = options.metric ?? 'totalLoss';
  if (!(METRIC_NAMES as readonly string[]).includes(metric))
    throw new StudyError(`metric must be one of ${METRIC_NAMES.join(', ')}, got ${quote(metric)}`);
  if (options.compare !== undefined && (!Array.isArray(options.compare) || options.compare.length !== 2)) {
    throw new StudyError('compare takes two points, A and B, e.g. [1, 0.7071]');
  }
  if (options.quantiles && metric === 'success')
    throw new StudyError(
      'quantiles need a metric with values (totalLoss, finalLoss, epochsToThreshold); success is 0 or 1',
    );
  return { metric, level };
}

function withMetric(
  p: PointSummary,
  metric: MetricName,
  level: number,
  values: ReadonlyMap<number, PointValues> | null,
): SummaryPoint {
  const value = metricPoint(p, metric, level);
  const row: SummaryPoint = {
    ...p,
    rse:
      metric === 'totalLoss'
        ? relativeStandardError(p)
        : relativeStandardError({ mean: value.value, stderr: value.stderr }),
    value,
  };
  if (values) {
    const q = quantiles(values.get(p.point)?.values ?? [], [0.25, 0.5, 0.75]);
    row.quartiles = q && [q[0], q[1], q[2]];
  }
  return row;
}

function bestOf(points: readonly PointSummary[], metric: MetricName, level: number): SummaryMinimum | null {
  const found = bestPoint(points, metric, level);
  if (!found) return null;
  const { point: p, value } = found;
  return {
    point: p.point,
    params: p.params,
    mean: value.value!,
    count: value.n,
    low: value.low,
    high: value.high,
    level,
    excluded: value.excluded,
    marked: value.marked,
  };
}

function fittedMinima(
  points: readonly PointSummary[],
  axes: readonly string[],
  metric: MetricName,
  level: number,
): Pick<StudySummary, 'fitted' | 'unfitted'> {
  const numeric = numericAxes(points, axes);
  if (numeric.length !== 1 || !METRICS[metric].lowerIsBetter) return { fitted: [], unfitted: [] };
  const along = numeric[0];
  const bests = curveBests(
    curvesAlong(
      points,
      along,
      axes.filter((a) => a !== along),
    ),
    along,
    metric,
    level,
  );
  const unfitted = bests.flatMap((c) =>
    c.noFitReason === null ? [] : [{ along, at: c.curve.at, reason: c.noFitReason }],
  );
  const fitted = bests.flatMap((c: CurveBest) =>
    c.fit
      ? [
          {
            along,
            at: c.curve.at,
            x: c.fit.x,
            low: c.fit.low,
            high: c.fit.high,
            level,
            value: c.fit.y,
            window: c.fit.window,
            points: c.fit.pointsUsed,
            chi2PerDof: c.fit.chi2 / c.fit.dof,
            lowestMean: { point: c.best!.point.point, x: c.best!.point.params[along] },
            marked: markedInFit(c.curve.points, along, c.fit, c.best?.point.point ?? null, metric),
          },
        ]
      : [],
  );
  return { fitted, unfitted };
}

function comparisonOf(
  a: PointSummary,
  b: PointSummary,
  metric: MetricName,
  level: number,
  labels: readonly [string, string],
): SummaryComparison {
  const what = labels[0].replace(/ A$/, '');
  const side = (p: PointSummary): ComparedPoint => {
    const m = metricPoint(p, metric, level);
    return {
      point: p.point,
      params: p.params,
      mean: m.value,
      stderr: m.stderr,
      count: m.n,
      excluded: m.excluded,
      marked: m.marked,
    };
  };
  if (metric === 'success') {
    const d = rateDifference({ successes: a.successes, n: a.count }, { successes: b.successes, n: b.count }, level);
    if (!d)
      throw new StudyError(
        `${what} needs trials at both points (A: point ${a.point} has ${a.count}, B: point ${b.point} has ${b.count})`,
      );
    return {
      a: side(a),
      b: side(b),
      ...d,
      method: "rate_B - rate_A, Newcombe's hybrid score interval (independent samples)",
    };
  }
  const sa = metricSample(a, metric);
  const sb = metricSample(b, metric);
  const result = sa && sb ? compare(sa, sb, level) : null;
  if (!result) {
    const which = metric === 'totalLoss' ? 'non-diverged trials' : `trials with a ${metric}`;
    throw new StudyError(
      `${what} needs at least 2 ${which} at both points (A: point ${a.point} has ${sa?.n ?? 0}, B: point ${b.point} has ${sb?.n ?? 0})`,
    );
  }
  return {
    a: side(a),
    b: side(b),
    ...result,
    method: 'delta method for mean_B / mean_A, t quantile at Welch-Satterthwaite df; p-value: Welch t-test',
  };
}

/** A row summaryCsv takes: a summary's point, or a store's per-point summary (rse and value are then computed). */
type SummaryCsvPoint = PointSummary & Partial<Pick<SummaryPoint, 'rse' | 'value' | 'quartiles'>>;

/** The per-point table as CSV, full precision, each line ending in a newline. For totalLoss the article's columns
 * (count, lossCount, mean, std, stderr, rse, successRate, diverged, meanEpochsToThreshold); for the other metrics
 * count, n, mean (rate), std, stderr and the interval; beside the mean `excluded` (diverged trials left out of it)
 * and `marked` (1 when they pass EXCLUDED_SHARE_LIMIT); the quartiles at the end when the points have them. */
export function summaryCsv(summary: { metric: MetricName; points: readonly SummaryCsvPoint[] }): string {
  const swept = paramNamesOfPoints(summary.points);
  const withQuantiles = summary.points.some((p) => p.quartiles !== undefined);
  const q = (p: SummaryCsvPoint) => (withQuantiles ? (p.quartiles ?? [null, null, null]) : []);
  const qHeader = withQuantiles ? ['q25', 'median', 'q75'] : [];
  const lines =
    summary.metric === 'totalLoss'
      ? [
          csvLine([
            'point',
            ...swept,
            'count',
            'lossCount',
            'mean',
            'excluded',
            'marked',
            'std',
            'stderr',
            'rse',
            'successRate',
            'diverged',
            'meanEpochsToThreshold',
            ...qHeader,
          ]),
          ...summary.points.map((p) => {
            const v = p.value ?? metricPoint(p, 'totalLoss');
            return csvLine([
              p.point,
              ...swept.map((n) => p.params[n]),
              p.count,
              p.lossCount,
              p.mean,
              v.excluded,
              v.marked ? 1 : 0,
              p.std,
              p.stderr,
              p.rse ?? relativeStandardError(p),
              p.successRate,
              p.diverged,
              p.meanEpochsToThreshold,
              ...q(p),
            ]);
          }),
        ]
      : [
          csvLine([
            'point',
            ...swept,
            'count',
            'n',
            summary.metric === 'success' ? 'rate' : 'mean',
            'excluded',
            'marked',
            'std',
            'stderr',
            'ci_low',
            'ci_high',
            'successRate',
            'diverged',
            ...qHeader,
          ]),
          ...summary.points.map((p) => {
            const v = p.value ?? metricPoint(p, summary.metric);
            return csvLine([
              p.point,
              ...swept.map((n) => p.params[n]),
              p.count,
              v.n,
              v.value,
              v.excluded,
              v.marked ? 1 : 0,
              v.std,
              v.stderr,
              v.low,
              v.high,
              p.successRate,
              p.diverged,
              ...q(p),
            ]);
          }),
        ];
  return `${lines.join('\n')}\n`;
}
