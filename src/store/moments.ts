// Running per-point aggregates of a study's trials, merged batch by batch (pure functions, no I/O).
// mean/m2 follow Welford (one trial at a time) and Chan, Golub & LeVeque (merging two groups): both are stable,
// unlike sum(x^2) - n mean^2, which cancels catastrophically when the spread is small next to the mean.
import type { ParamValue, PointSummary, TrialRow } from './types.js';

export interface Moments {
  /** Trials (diverged included). */
  count: number;
  /** Trials with a totalLoss. */
  n: number;
  /** Mean totalLoss over those n (0 while n = 0). */
  mean: number;
  /** Sum of squared deviations of totalLoss from `mean`. */
  m2: number;
  successes: number;
  diverged: number;
  /** Trials that reached the threshold, and the sum of their epochsToThreshold. */
  ettN: number;
  ettSum: number;
  /** Largest repeat index seen (-1 when none). */
  maxRepeat: number;
}

export function emptyMoments(): Moments {
  return { count: 0, n: 0, mean: 0, m2: 0, successes: 0, diverged: 0, ettN: 0, ettSum: 0, maxRepeat: -1 };
}

/** Adds one trial (Welford's update). */
export function addTrial(m: Moments, row: TrialRow): void {
  m.count++;
  if (row.repeat > m.maxRepeat) m.maxRepeat = row.repeat;
  if (row.success) m.successes++;
  if (row.diverged) m.diverged++;
  if (row.epochsToThreshold !== null) {
    m.ettN++;
    m.ettSum += row.epochsToThreshold;
  }
  const x = row.totalLoss;
  if (x !== null) {
    m.n++;
    const d = x - m.mean;
    m.mean += d / m.n;
    m.m2 += d * (x - m.mean);
  }
}

/** a + b (Chan et al.'s pairwise update for mean and m2). */
export function mergeMoments(a: Moments, b: Moments): Moments {
  const n = a.n + b.n;
  let mean = 0;
  let m2 = 0;
  if (a.n === 0) {
    mean = b.mean;
    m2 = b.m2;
  } else if (b.n === 0) {
    mean = a.mean;
    m2 = a.m2;
  } else {
    const delta = b.mean - a.mean;
    mean = a.mean + (delta * b.n) / n;
    m2 = a.m2 + b.m2 + ((delta * delta) * a.n * b.n) / n;
  }
  return {
    count: a.count + b.count,
    n,
    mean,
    m2,
    successes: a.successes + b.successes,
    diverged: a.diverged + b.diverged,
    ettN: a.ettN + b.ettN,
    ettSum: a.ettSum + b.ettSum,
    maxRepeat: Math.max(a.maxRepeat, b.maxRepeat),
  };
}

export function toPointSummary(point: number, params: Record<string, ParamValue>, m: Moments): PointSummary {
  const std = m.n >= 2 ? Math.sqrt(Math.max(0, m.m2) / (m.n - 1)) : null;
  return {
    point,
    params,
    count: m.count,
    lossCount: m.n,
    mean: m.n > 0 ? m.mean : null,
    std,
    stderr: std === null ? null : std / Math.sqrt(m.n),
    successRate: m.count > 0 ? m.successes / m.count : 0,
    diverged: m.diverged,
    meanEpochsToThreshold: m.ettN > 0 ? m.ettSum / m.ettN : null,
  };
}
