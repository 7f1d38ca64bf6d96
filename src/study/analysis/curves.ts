// A study's points as curves: along one numeric axis, one curve per combination of the other axes' values (a
// categorical axis beside a numeric one gives a curve per category). Where each curve has its best value: the
// fitted minimum (./minimum.ts) of a loss-like metric, beside the best grid point, named as such. What summary,
// plot curve and the report share, so that they agree.
import type { ParamValue, PointSummary } from '../../store/types.js';
import { METRICS, metricPoint, type MetricName, type MetricPoint } from './metrics.js';
import { fitMinimum, noMinimumReason, type MinimumFit } from './minimum.js';

/** The swept parameters whose values are all numbers at these points. */
export function numericAxes(points: readonly PointSummary[], axes: readonly string[]): string[] {
  return axes.filter((a) => points.length > 0 && points.every((p) => typeof p.params[a] === 'number'));
}

interface Curve {
  /** The other axes' values along this curve ({} for a one-axis study). */
  at: Record<string, ParamValue>;
  /** "activation=tanh, lr=0.1", or '' for a one-axis study. */
  label: string;
  /** Its points, sorted by the axis' value. */
  points: PointSummary[];
}

export function describeAt(at: Record<string, ParamValue>): string {
  return Object.entries(at)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(6)) : v}`)
    .join(', ');
}

/** The points as curves along `axis`, one per combination of the `others`' values, in order of first appearance
 * (the study's row-major point order). */
export function curvesAlong(points: readonly PointSummary[], axis: string, others: readonly string[]): Curve[] {
  const curves = new Map<string, Curve>();
  for (const p of points) {
    const at = Object.fromEntries(others.map((o) => [o, p.params[o]]));
    const key = JSON.stringify(others.map((o) => p.params[o]));
    let curve = curves.get(key);
    if (!curve) curves.set(key, (curve = { at, label: describeAt(at), points: [] }));
    curve.points.push(p);
  }
  for (const c of curves.values()) c.points.sort((a, b) => (a.params[axis] as number) - (b.params[axis] as number));
  return [...curves.values()];
}

export interface CurveBest {
  curve: Curve;
  /** The fitted minimum along the axis (loss-like metrics only; null when none is found). */
  fit: MinimumFit | null;
  /** Why there is no fit (a loss-like metric whose fit found no minimum); null otherwise. */
  noFitReason: string | null;
  /** The grid point with the best value (lowest mean, or highest success rate) and its value. */
  best: { point: PointSummary; value: MetricPoint } | null;
}

/** The best grid point of a set of points by a metric: lowest mean (first on ties), or highest success rate. */
export function bestPoint(points: readonly PointSummary[], metric: MetricName, level = 0.95): CurveBest['best'] {
  const lower = METRICS[metric].lowerIsBetter;
  let best: CurveBest['best'] = null;
  for (const point of points) {
    const value = metricPoint(point, metric, level);
    if (value.value === null || !Number.isFinite(value.value)) continue;
    if (best === null || (lower ? value.value < best.value.value! : value.value > best.value.value!))
      best = { point, value };
  }
  return best;
}

/** Each curve's fitted minimum along `axis` (for loss-like metrics) and its best grid point. */
export function curveBests(curves: readonly Curve[], axis: string, metric: MetricName, level = 0.95): CurveBest[] {
  return curves.map((curve) => {
    const lower = METRICS[metric].lowerIsBetter;
    const means = curve.points.map((p) => {
      const m = metricPoint(p, metric, level);
      return { x: p.params[axis] as number, mean: m.value, stderr: m.stderr };
    });
    const fit = lower ? fitMinimum(means, { level }) : null;
    const noFitReason = lower && !fit ? noMinimumReason(means) : null;
    return { curve, fit, noFitReason, best: bestPoint(curve.points, metric, level) };
  });
}

/** A marked point (more than EXCLUDED_SHARE_LIMIT of its trials left out of its mean) that a result rests on. */
export interface MarkedPoint {
  point: number;
  params: Record<string, ParamValue>;
  excluded: number;
  count: number;
}

export function markedPoint(p: PointSummary): MarkedPoint {
  return { point: p.point, params: p.params, excluded: p.diverged, count: p.count };
}

/** The marked points among a fit's: those inside the x range it used, and the lowest grid mean it started from. */
export function markedInFit(
  points: readonly PointSummary[],
  along: string,
  fit: { from: number; to: number },
  lowest: number | null,
  metric: MetricName,
): MarkedPoint[] {
  return points
    .filter((p) => {
      const x = p.params[along] as number;
      return (
        metricPoint(p, metric).marked &&
        ((x >= fit.from * (1 - 1e-12) && x <= fit.to * (1 + 1e-12)) || p.point === lowest)
      );
    })
    .map(markedPoint);
}
