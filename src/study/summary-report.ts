// The summary of a study as one object: per point the moments of totalLoss with the relative standard error, the
// minimum with its confidence interval, and optionally the comparison of two points. `xorlab summary --json`
// prints it; the dashboard's API (GET /api/studies/:name/summary) sends the same object.
import type { ParamValue, PointSummary } from '../store/types.js';
import { StudyError } from './definition.js';
import { describeParams, selectPoint } from './points.js';
import { compare, minimumPoint, relativeStandardError, type Comparison } from './stats.js';

export interface SummaryMinimum {
  point: number;
  params: Record<string, ParamValue>;
  mean: number;
  count: number;
  low: number | null;
  high: number | null;
  level: number;
}

export interface ComparedPoint {
  point: number;
  params: Record<string, ParamValue>;
  mean: number;
  stderr: number | null;
  count: number;
}

export interface SummaryComparison extends Comparison {
  a: ComparedPoint;
  b: ComparedPoint;
  method: string;
}

export interface SummaryReport {
  study: string;
  trials: number;
  points: (PointSummary & { rse: number | null })[];
  minimum: SummaryMinimum | null;
  comparison?: SummaryComparison;
}

export interface SummaryOptions {
  /** Confidence level of the intervals (0 < level < 1). */
  level: number;
  /** Two points A and B as the user wrote them (see ./points.ts): the % difference from A to B. */
  compare?: readonly [string, string];
  /** What to call A and B in error messages (default "--compare A" / "--compare B"). */
  compareNames?: readonly [string, string];
  /** Told about a compare value outside the grid or far from the grid value it resolves to (one line each). */
  onWarning?: (line: string) => void;
}

/** The summary object of `xorlab summary --json`. Bad compare points throw StudyError (one line). */
export function summaryReport(study: string, points: readonly PointSummary[], options: SummaryOptions): SummaryReport {
  const report: SummaryReport = {
    study,
    trials: points.reduce((sum, p) => sum + p.count, 0),
    points: points.map((p) => ({ ...p, rse: relativeStandardError(p) })),
    minimum: minimumOf(points, options.level),
  };
  if (options.compare) {
    const [nameA, nameB] = options.compareNames ?? ['--compare A', '--compare B'];
    const a = selectPoint(nameA, options.compare[0], points);
    const b = selectPoint(nameB, options.compare[1], points);
    if (a.point.point === b.point.point) {
      throw new StudyError(
        `${nameA.replace(/\s*A$/, '')}: A (${options.compare[0]}) and B (${options.compare[1]}) are the same point, point ${a.point.point} (${describeParams(a.point.params)}); ` +
          'a point compared with itself is not two samples — choose two different points',
      );
    }
    for (const warning of [a.warning, b.warning]) if (warning) options.onWarning?.(warning);
    report.comparison = comparisonOf(a.point, b.point, options.level);
  }
  return report;
}

function minimumOf(points: readonly PointSummary[], level: number): SummaryMinimum | null {
  const found = minimumPoint(points, level);
  if (!found) return null;
  const { point: p, interval } = found;
  return { point: p.point, params: p.params, mean: p.mean!, count: p.lossCount, low: interval?.low ?? null, high: interval?.high ?? null, level };
}

function comparisonOf(a: PointSummary, b: PointSummary, level: number): SummaryComparison {
  const sample = (p: PointSummary) => (p.mean === null ? null : { n: p.lossCount, mean: p.mean, std: p.std });
  const sa = sample(a);
  const sb = sample(b);
  const result: Comparison | null = sa && sb ? compare(sa, sb, level) : null;
  if (!result) {
    throw new StudyError(`--compare needs at least 2 non-diverged trials at both points (A: point ${a.point} has ${a.lossCount}, B: point ${b.point} has ${b.lossCount})`);
  }
  return {
    a: { point: a.point, params: a.params, mean: a.mean!, stderr: a.stderr, count: a.lossCount },
    b: { point: b.point, params: b.params, mean: b.mean!, stderr: b.stderr, count: b.lossCount },
    ...result,
    method: 'delta method for mean_B / mean_A, t quantile at Welch-Satterthwaite df; p-value: Welch t-test',
  };
}
