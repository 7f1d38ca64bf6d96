// Adaptive refinement, as the article does it: more trainings where the relative standard error of the mean
// total loss (stderr / mean) is largest. A budget is split in proportion to each point's relative error with
// largest-remainder rounding (the parts sum to the budget exactly); a target RSE asks each point for as many
// trials as its error predicts it needs, rse * sqrt(n / (n + k)) <= target.
import { XorlabError } from '../../text/errors.js';

/** A point's current estimate. */
export interface PointError {
  point: number;
  /** All trials at the point. */
  count: number;
  /** Trials with a loss (not diverged): the n of the estimate. */
  lossCount: number;
  /** stderr / |mean|; null when there is no estimate (fewer than two losses). */
  rse: number | null;
}

/** A point needs this many trials before it has a standard deviation; points below get topped up first. */
export const MIN_TRIALS = 2;
export const DEFAULT_MAX_TRIALS = 10_000_000;

/** A refinement that cannot be planned: a target that would need more trials than allowed, a budget out of range. */
export class AllocationError extends XorlabError {}

/**
 * Splits `total` into non-negative integers proportional to `weights` (Hamilton's largest-remainder method):
 * floors first, then one more to the largest fractional parts; ties go to the lower index.
 */
export function largestRemainder(weights: readonly number[], total: number): number[] {
  const sum = weights.reduce((a, w) => a + w, 0);
  if (total <= 0 || weights.length === 0) return weights.map(() => 0);
  // No weight anywhere: split evenly.
  const w = sum > 0 ? weights : weights.map(() => 1);
  const wsum = sum > 0 ? sum : weights.length;
  const quotas = w.map((x) => (total * x) / wsum);
  const parts = quotas.map(Math.floor);
  let left = total - parts.reduce((a, p) => a + p, 0);
  const order = quotas.map((q, i) => ({ i, frac: q - Math.floor(q) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) parts[order[k].i]++;
  return parts;
}

/** The trials that bring each point up to MIN_TRIALS. */
function topUps(points: readonly PointError[]): number[] {
  return points.map((p) => Math.max(0, MIN_TRIALS - p.count));
}

/** Usable weight of a point: its RSE, or 0 without an estimate. */
function weightOf(p: PointError): number {
  return p.rse !== null && Number.isFinite(p.rse) && p.rse > 0 ? p.rse : 0;
}

/**
 * `budget` more trials over `points` (result[i] is for points[i]). Points with fewer than MIN_TRIALS trials
 * get topped up first; the rest goes in proportion to the RSE. Sums to `budget` exactly.
 */
export function allocateBudget(points: readonly PointError[], budget: number): number[] {
  if (!Number.isInteger(budget) || budget < 0)
    throw new AllocationError(`the budget must be a non-negative integer, got ${budget}`);
  const need = topUps(points);
  const needed = need.reduce((a, n) => a + n, 0);
  if (needed >= budget) return largestRemainder(need, budget);
  const rest = largestRemainder(points.map(weightOf), budget - needed);
  return need.map((n, i) => n + rest[i]);
}

/** The predicted RSE of a point after `extra` more trials. */
export function predictedRse(p: PointError, extra: number): number | null {
  if (p.rse === null || p.lossCount === 0) return null;
  return p.rse * Math.sqrt(p.lossCount / (p.lossCount + extra));
}

/**
 * Trials per point so that each point's predicted RSE is <= target (and every point has MIN_TRIALS).
 * Throws AllocationError when that needs more than `maxTrials` in all.
 */
export function allocateToTarget(
  points: readonly PointError[],
  target: number,
  maxTrials = DEFAULT_MAX_TRIALS,
): number[] {
  if (!(target > 0) || !Number.isFinite(target))
    throw new AllocationError(`the target RSE must be a number > 0, got ${target}`);
  const tops = topUps(points);
  const extra = points.map((p, i) => {
    const top = tops[i];
    const w = weightOf(p);
    if (w <= target) return top;
    const n = p.lossCount;
    // Smallest k with rse * sqrt(n / (n + k)) <= target, i.e. n + k >= n * (rse / target)^2.
    let k = Math.max(0, Math.ceil(n * (w / target) ** 2 - n - 1e-9));
    while (w * Math.sqrt(n / (n + k)) > target) k++;
    return Math.max(k, top);
  });
  const total = extra.reduce((a, k) => a + k, 0);
  if (total > maxTrials) {
    throw new AllocationError(
      `reaching an RSE of ${target} needs ${total.toLocaleString('en-US')} more trials, over the cap of ${maxTrials.toLocaleString('en-US')}; ` +
        'aim for a larger --target-rse, raise --max-trials, or use --budget',
    );
  }
  return extra;
}
