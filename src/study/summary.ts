// A stored study's summary as one document: per point the mean, std, count and standard error of totalLoss (the
// article's table) with the relative standard error, the minimum with its confidence interval, and optionally the
// % difference between two points. `xorlab summary --json` prints it and the library's summarizeStudy() returns it;
// both build it here, so the two cannot drift apart; the dashboard's API sends it too. Also the per-point table as
// CSV (`xorlab summary --csv` and the playground's download).
import type { ParamValue, PointSummary, Store } from '../store/types.js';
import { StudyError } from './types.js';
import { csvLine } from '../text/format.js';
import { paramNamesOfPoints, selectPoint } from './points.js';
import { compare, minimumPoint, relativeStandardError, type Comparison } from './stats.js';

/** The largest confidence level accepted (beyond it the t quantile of small samples is not meaningful). */
export const MAX_LEVEL = 0.9999;

/** A point's row: the store's per-point summary and its relative standard error. */
export interface SummaryPoint extends PointSummary {
  /** stderr / |mean|: what refineStudy evens out; null without an estimate. */
  rse: number | null;
}

/** The point with the lowest mean total loss, with the confidence interval of its mean. */
export interface SummaryMinimum {
  point: number;
  params: Record<string, ParamValue>;
  mean: number;
  /** The trials behind the mean (those that did not diverge). */
  count: number;
  /** The interval mean +- t(n-1) x stderr; null with fewer than 2 trials. */
  low: number | null;
  high: number | null;
  level: number;
}

/** One side of a comparison. */
export interface ComparedPoint {
  point: number;
  params: Record<string, ParamValue>;
  mean: number;
  stderr: number | null;
  count: number;
}

/** The % difference of mean total loss from point A to point B, with its interval and Welch's p-value. */
export interface SummaryComparison extends Comparison {
  a: ComparedPoint;
  b: ComparedPoint;
  method: string;
}

/** A study's summary: the object of `xorlab summary --json`. */
export interface StudySummary {
  study: string;
  /** Every stored trial (diverged ones included). */
  trials: number;
  /** One row per point with stored trials, in point order. */
  points: SummaryPoint[];
  /** null when no point has a mean (no trials, or all diverged). */
  minimum: SummaryMinimum | null;
  /** Present when two points were asked to be compared. */
  comparison?: SummaryComparison;
}

/**
 * A point of the study, as `xorlab summary --compare` takes it: a grid value of the only swept parameter (0.7071,
 * the nearest on a log scale for positive grids), `name=value,name=value` naming every swept parameter (nearest
 * numbers, exact categories), or `point=N` (a point index).
 */
export type PointQuery = string | number;

/** Options of summarizeStudy. */
export interface SummaryOptions {
  /** Confidence level of the intervals (default 0.95). */
  level?: number;
  /** Two points, A then B: the summary gains `comparison`, 100 (mean_B - mean_A) / mean_A. */
  compare?: readonly [PointQuery, PointQuery];
  /** Aggregate every stored trial again (a full scan) instead of reading the aggregates kept on insert. */
  recompute?: boolean;
}

/**
 * Reads and summarises a stored study. Throws StoreError for an unknown study or a database problem, StudyError
 * for a point to compare that the study does not have (its message starts with `labels`' entry for A or B).
 */
export async function summarizeStudy(
  store: Pick<Store, 'summarize' | 'recomputeSummary'>,
  name: string,
  options: SummaryOptions = {},
  labels: readonly [string, string] = ['compare A', 'compare B'],
): Promise<StudySummary> {
  checkOptions(options);
  const points = await (options.recompute ? store.recomputeSummary(name) : store.summarize(name));
  return summaryReport(name, points, options, labels);
}

/** The summary of a study from its per-point rows as the store gives them (pure: for callers that hold them). */
export function summaryReport(
  study: string,
  points: readonly PointSummary[],
  options: SummaryOptions = {},
  labels: readonly [string, string] = ['compare A', 'compare B'],
): StudySummary {
  const level = checkOptions(options);
  const summary: StudySummary = {
    study,
    trials: points.reduce((sum, p) => sum + p.count, 0),
    points: points.map((p) => ({ ...p, rse: relativeStandardError(p) })),
    minimum: minimumOf(points, level),
  };
  if (options.compare) {
    const a = selectPoint(labels[0], String(options.compare[0]), points);
    const b = selectPoint(labels[1], String(options.compare[1]), points);
    summary.comparison = comparisonOf(a, b, level, labels);
  }
  return summary;
}

/** The options checked (StudyError); the confidence level. */
function checkOptions(options: SummaryOptions): number {
  const level = options.level ?? 0.95;
  if (typeof level !== 'number' || !(level > 0 && level <= MAX_LEVEL)) throw new StudyError(`level must be > 0 and <= ${MAX_LEVEL}, got ${String(level)}`);
  if (options.compare !== undefined && (!Array.isArray(options.compare) || options.compare.length !== 2)) {
    throw new StudyError('compare takes two points, A and B, e.g. [1, 0.7071]');
  }
  return level;
}

function minimumOf(points: readonly PointSummary[], level: number): SummaryMinimum | null {
  const found = minimumPoint(points, level);
  if (!found) return null;
  const { point: p, interval } = found;
  return { point: p.point, params: p.params, mean: p.mean!, count: p.lossCount, low: interval?.low ?? null, high: interval?.high ?? null, level };
}

function comparisonOf(a: PointSummary, b: PointSummary, level: number, labels: readonly [string, string]): SummaryComparison {
  const sample = (p: PointSummary) => (p.mean === null ? null : { n: p.lossCount, mean: p.mean, std: p.std });
  const sa = sample(a);
  const sb = sample(b);
  const result = sa && sb ? compare(sa, sb, level) : null;
  if (!result) {
    const what = labels[0].replace(/ A$/, '');
    throw new StudyError(`${what} needs at least 2 non-diverged trials at both points (A: point ${a.point} has ${a.lossCount}, B: point ${b.point} has ${b.lossCount})`);
  }
  const side = (p: PointSummary): ComparedPoint => ({ point: p.point, params: p.params, mean: p.mean!, stderr: p.stderr, count: p.lossCount });
  return {
    a: side(a),
    b: side(b),
    ...result,
    method: 'delta method for mean_B / mean_A, t quantile at Welch-Satterthwaite df; p-value: Welch t-test',
  };
}

/** The columns of the summary CSV after `point` and the swept parameters. */
export const SUMMARY_CSV_COLUMNS = ['count', 'lossCount', 'mean', 'std', 'stderr', 'rse', 'successRate', 'diverged', 'meanEpochsToThreshold'] as const;

/** A study's per-point table as CSV (`xorlab summary --csv`, and a web page's study download), full precision:
 * the header and one line per point, each line ending in a newline. */
export function summaryCsv(points: readonly PointSummary[]): string {
  const swept = paramNamesOfPoints(points);
  const header = ['point', ...swept, ...SUMMARY_CSV_COLUMNS];
  const lines = points.map((p) =>
    csvLine([p.point, ...swept.map((n) => p.params[n]), p.count, p.lossCount, p.mean, p.std, p.stderr, relativeStandardError(p), p.successRate, p.diverged, p.meanEpochsToThreshold]),
  );
  return `${[csvLine(header), ...lines].join('\n')}\n`;
}
