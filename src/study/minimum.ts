// Where the curve has its minimum, with a confidence interval. The lowest grid mean alone is noisy (neighbouring
// points differ by less than their errors), so a quadratic in ln(std) is fitted to the points around it, weighted
// by 1/stderr^2; its vertex is the minimum. The 95% interval is a parametric bootstrap: every mean is redrawn from
// N(mean, stderr^2) and the fit repeated (seeded, so a report is reproducible).
import { Rng } from '../core/index.js';
import { lowestMean } from './stats.js';
import { short } from '../text/format.js';

export interface MeanPoint {
  x: number;
  mean: number | null;
  stderr: number | null;
}

export interface MinimumFit {
  /** Vertex of the fitted parabola (in std units). */
  x: number;
  /** 2.5% and 97.5% quantiles of the bootstrapped vertex. */
  low: number;
  high: number;
  /** The grid point with the lowest mean (lowestMean, the rule of summary's minimum). */
  lowestX: number;
  /** Points used by the fit, and the window in ln(std) around the lowest point. */
  pointsUsed: number;
  window: number;
  /** Share of bootstrap fits that had no interior minimum (opening downwards); those are left out. */
  failedShare: number;
}

/** Weighted least squares of y = a + b u + c u^2; returns [a, b, c], or null when singular. */
export function fitQuadratic(u: readonly number[], y: readonly number[], w: readonly number[]): [number, number, number] | null {
  // Normal equations M p = v with M[j][k] = sum w u^(j+k), v[j] = sum w y u^j.
  const s = new Array<number>(5).fill(0);
  const v = [0, 0, 0];
  for (let i = 0; i < u.length; i++) {
    let p = w[i];
    for (let k = 0; k < 5; k++) {
      s[k] += p;
      if (k < 3) v[k] += p * y[i];
      p *= u[i];
    }
  }
  const m = [
    [s[0], s[1], s[2]],
    [s[1], s[2], s[3]],
    [s[2], s[3], s[4]],
  ];
  const det = (a: number[][]) =>
    a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  const d = det(m);
  if (!Number.isFinite(d) || Math.abs(d) < 1e-300) return null;
  const solve = (col: number) => det(m.map((row, r) => row.map((x, c) => (c === col ? v[r] : x)))) / d;
  return [solve(0), solve(1), solve(2)];
}

function vertex(coef: [number, number, number] | null): number | null {
  if (!coef || !(coef[2] > 0)) return null;
  return -coef[1] / (2 * coef[2]);
}

function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Fits the minimum over the points within `window` (in ln std) of the lowest mean. Null when fewer than 4 usable
 * points lie there or the fit has no minimum among them.
 */
export function fitMinimum(points: readonly MeanPoint[], options: { window?: number; resamples?: number; seed?: number } = {}): MinimumFit | null {
  const window = options.window ?? 0.8;
  const lowest = lowestMean(points);
  if (lowest === null || !(lowest.x > 0)) return null;
  const usable = points.filter((p) => p.x > 0 && p.mean !== null && Number.isFinite(p.mean) && p.stderr !== null && p.stderr > 0) as { x: number; mean: number; stderr: number }[];
  const centre = Math.log(lowest.x);
  const near = usable.filter((p) => Math.abs(Math.log(p.x) - centre) <= window + 1e-12);
  if (near.length < 4) return null;
  // Centre u on the lowest point so that the normal equations stay well conditioned.
  const u = near.map((p) => Math.log(p.x) - centre);
  const w = near.map((p) => 1 / (p.stderr * p.stderr));
  const best = vertex(fitQuadratic(u, near.map((p) => p.mean), w));
  const [uMin, uMax] = [Math.min(...u), Math.max(...u)];
  // A vertex outside the fitted points is an extrapolation (e.g. a curve still falling at the grid's edge).
  if (best === null || best < uMin || best > uMax) return null;
  const rng = new Rng(options.seed ?? 1);
  const resamples = options.resamples ?? 2000;
  const vertices: number[] = [];
  for (let b = 0; b < resamples; b++) {
    const y = near.map((p) => p.mean + p.stderr * rng.nextNormal());
    const v = vertex(fitQuadratic(u, y, w));
    // Resampled vertices beyond the fitted points are held at the window's edge, so the interval stays inside it.
    if (v !== null) vertices.push(Math.min(uMax, Math.max(uMin, v)));
  }
  vertices.sort((a, b) => a - b);
  const at = (v: number) => Math.exp(centre + v);
  return {
    x: at(best),
    low: vertices.length ? at(quantile(vertices, 0.025)) : NaN,
    high: vertices.length ? at(quantile(vertices, 0.975)) : NaN,
    lowestX: lowest.x,
    pointsUsed: near.length,
    window,
    failedShare: 1 - vertices.length / resamples,
  };
}

/** The minimum drawn on a study curve, by one rule everywhere (plot curve, the report): the fitted minimum where
 * the fit finds one, else the point with the lowest mean; the label says which. */
export function curveMinimum(points: readonly MeanPoint[]): { x: number; label: string } | null {
  const fit = fitMinimum(points);
  if (fit) return { x: fit.x, label: `fitted minimum ≈ ${short(fit.x)} [${short(fit.low, 2)}, ${short(fit.high, 2)}]` };
  return lowestMeanRule(points);
}

/** The chart's minimum rule at the grid point with the lowest mean, named as such (null when no point has a mean). */
export function lowestMeanRule(points: readonly MeanPoint[]): { x: number; label: string } | null {
  const lowest = lowestMean(points);
  return lowest && { x: lowest.x, label: `minimum (lowest mean) ≈ ${short(lowest.x)}` };
}
