// What the goal's rounds read: the moments of one point's values over a range of repeats. Everything a goal
// decides is a pure function of these, so an interrupted run replays the same rounds from the stored values, and a
// simulation can give the same moments without training (test/study/goal/simulated.ts draws means directly).
import type { PointValues } from '../../store/types.js';

/** Moments of the values at repeats [from, to) of a point (NaN values, diverged trainings, are not in n). */
export interface RangeMoments {
  /** Repeats in the range with a stored trial. */
  present: number;
  /** Of them, with a value. */
  n: number;
  mean: number | null;
  std: number | null;
  stderr: number | null;
  /** Sum of the values (successes, for the success metric). */
  sum: number;
}

/** Where the rounds read moments: a study's stored values, or a simulation. */
export interface MomentsSource {
  moments(point: number, from: number, to: number): RangeMoments;
}

export const NO_MOMENTS: RangeMoments = { present: 0, n: 0, mean: null, std: null, stderr: null, sum: 0 };

function lowerBound(repeats: Int32Array, r: number): number {
  let lo = 0;
  let hi = repeats.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (repeats[mid] < r) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The moments of one point's stored values (in repeat order) over repeats [lo, hi). */
export function rangeMoments(values: PointValues | undefined, lo: number, hi: number): RangeMoments {
  if (!values || hi <= lo) return NO_MOMENTS;
  const a = lowerBound(values.repeats, lo);
  const b = lowerBound(values.repeats, hi);
  let n = 0;
  let sum = 0;
  for (let i = a; i < b; i++) {
    const v = values.values[i];
    if (Number.isFinite(v)) {
      n++;
      sum += v;
    }
  }
  const mean = n > 0 ? sum / n : null;
  let ss = 0;
  if (mean !== null)
    for (let i = a; i < b; i++) if (Number.isFinite(values.values[i])) ss += (values.values[i] - mean) ** 2;
  const std = n >= 2 ? Math.sqrt(ss / (n - 1)) : null;
  return { present: b - a, n, mean, std, stderr: std === null ? null : std / Math.sqrt(n), sum };
}

/** A MomentsSource over a study's stored values (Store.metricValues). */
export function storedMoments(values: ReadonlyMap<number, PointValues>): MomentsSource {
  return { moments: (point, from, to) => rangeMoments(values.get(point), from, to) };
}
