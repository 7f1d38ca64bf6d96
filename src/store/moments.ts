// Per-point aggregates of a study's trials, kept so that a summary reads a few rows instead of every trial.
//
// They must be a function of the SET of stored trials only, not of how the trials arrived (which chunks, which
// order, a resume after a crash): a resumed study then summarises to exactly the same bits as an uninterrupted one.
// So the repeats of a point are cut into fixed blocks (BLOCK_REPEATS consecutive repeat indices); a block's
// moments are always computed from all its rows in repeat order (two-pass mean and sum of squared deviations), and
// a point's moments merge its blocks in block order (Chan, Golub & LeVeque's pairwise update). Both are stable:
// no sum(x^2) - n mean^2 cancellation. Three metrics have moments: totalLoss and finalLoss (over the trials that
// did not diverge) and epochsToThreshold (over the trials that reached the threshold); success is a count.
import type { MetricMoments, ParamValue, PointSummary, TrialRow } from './types.js';

/** Repeat indices per block: 0..255 are block 0, 256..511 block 1, ... */
export const BLOCK_REPEATS = 256;

export function blockOf(repeat: number): number {
  return Math.floor(repeat / BLOCK_REPEATS);
}

export interface Moments {
  /** Trials (diverged included). */
  count: number;
  /** Trials with a totalLoss. */
  n: number;
  /** Mean totalLoss over those n (0 while n = 0). */
  mean: number;
  /** Sum of squared deviations of totalLoss from `mean`. */
  m2: number;
  /** The same for finalLoss. */
  finalN: number;
  finalMean: number;
  finalM2: number;
  successes: number;
  diverged: number;
  /** Trials that reached the threshold, the sum of their epochsToThreshold (integers: exact) and the sum of
   * squared deviations from its mean. */
  ettN: number;
  ettSum: number;
  ettM2: number;
  /** Largest repeat index seen (-1 when none). */
  maxRepeat: number;
}

export type BlockRow = Pick<
  TrialRow,
  'repeat' | 'totalLoss' | 'finalLoss' | 'success' | 'diverged' | 'epochsToThreshold'
>;

export function emptyMoments(): Moments {
  return {
    count: 0,
    n: 0,
    mean: 0,
    m2: 0,
    finalN: 0,
    finalMean: 0,
    finalM2: 0,
    successes: 0,
    diverged: 0,
    ettN: 0,
    ettSum: 0,
    ettM2: 0,
    maxRepeat: -1,
  };
}

/** [n, mean, m2] of the non-null values, in their order: corrected two-pass (the first pass's rounding error is
 * taken back out of the mean). */
function twoPass<R>(rows: readonly R[], value: (row: R) => number | null): [number, number, number] {
  let n = 0;
  let sum = 0;
  for (const row of rows) {
    const x = value(row);
    if (x === null) continue;
    n++;
    sum += x;
  }
  if (n === 0) return [0, 0, 0];
  // Finite values whose sum overflows (total losses near 1e308: an unclipped loss at a huge learning rate): the mean
  // by a running update instead, which stays finite. Ordinary data keeps the sum's bits.
  const mean = Number.isFinite(sum) ? sum / n : runningMean(rows, value);
  let d1 = 0;
  let d2 = 0;
  for (const row of rows) {
    const x = value(row);
    if (x === null) continue;
    const d = x - mean;
    d1 += d;
    d2 += d * d;
  }
  // A sum of squares past f64's range is an infinite m2 (an infinite standard deviation), not Infinity - Infinity = NaN,
  // which a database stores as NULL.
  if (d2 === Infinity) return [n, mean, Infinity];
  return [n, mean + d1 / n, Math.max(0, d2 - (d1 * d1) / n)];
}

/** The mean of the non-null values by the running update mean += (x - mean) / k, which never overflows for finite x. */
function runningMean<R>(rows: readonly R[], value: (row: R) => number | null): number {
  let k = 0;
  let mean = 0;
  for (const row of rows) {
    const x = value(row);
    if (x === null) continue;
    k++;
    mean += (x - mean) / k;
  }
  return mean;
}

/** The moments of one block's rows, which must be sorted by repeat (the canonical order). */
export function blockMoments(rows: readonly BlockRow[]): Moments {
  const m = emptyMoments();
  for (const row of rows) {
    m.count++;
    if (row.repeat > m.maxRepeat) m.maxRepeat = row.repeat;
    if (row.success) m.successes++;
    if (row.diverged) m.diverged++;
    if (row.epochsToThreshold !== null) {
      m.ettN++;
      m.ettSum += row.epochsToThreshold;
    }
  }
  [m.n, m.mean, m.m2] = twoPass(rows, (r) => r.totalLoss);
  [m.finalN, m.finalMean, m.finalM2] = twoPass(rows, (r) => r.finalLoss);
  if (m.ettN > 0) {
    const mean = m.ettSum / m.ettN;
    let d2 = 0;
    for (const row of rows) if (row.epochsToThreshold !== null) d2 += (row.epochsToThreshold - mean) ** 2;
    m.ettM2 = d2;
  }
  return m;
}

/** Chan et al.'s pairwise update: [mean, m2] of two groups of na and nb values. */
function mergePair(na: number, meanA: number, m2A: number, nb: number, meanB: number, m2B: number): [number, number] {
  if (na === 0) return [meanB, m2B];
  if (nb === 0) return [meanA, m2A];
  const n = na + nb;
  const delta = meanB - meanA;
  return [meanA + (delta * nb) / n, m2A + m2B + (delta * delta * na * nb) / n];
}

/** a + b. */
export function mergeMoments(a: Moments, b: Moments): Moments {
  const [mean, m2] = mergePair(a.n, a.mean, a.m2, b.n, b.mean, b.m2);
  const [finalMean, finalM2] = mergePair(a.finalN, a.finalMean, a.finalM2, b.finalN, b.finalMean, b.finalM2);
  const [, ettM2] = mergePair(
    a.ettN,
    a.ettN ? a.ettSum / a.ettN : 0,
    a.ettM2,
    b.ettN,
    b.ettN ? b.ettSum / b.ettN : 0,
    b.ettM2,
  );
  return {
    count: a.count + b.count,
    n: a.n + b.n,
    mean,
    m2,
    finalN: a.finalN + b.finalN,
    finalMean,
    finalM2,
    successes: a.successes + b.successes,
    diverged: a.diverged + b.diverged,
    ettN: a.ettN + b.ettN,
    ettSum: a.ettSum + b.ettSum,
    ettM2,
    maxRepeat: Math.max(a.maxRepeat, b.maxRepeat),
  };
}

function metricMoments(n: number, mean: number, m2: number): MetricMoments {
  const std = n >= 2 ? Math.sqrt(Math.max(0, m2) / (n - 1)) : null;
  return { n, mean: n > 0 ? mean : null, std, stderr: std === null ? null : std / Math.sqrt(n) };
}

export function toPointSummary(point: number, params: Record<string, ParamValue>, m: Moments): PointSummary {
  const total = metricMoments(m.n, m.mean, m.m2);
  const ett = metricMoments(m.ettN, m.ettN > 0 ? m.ettSum / m.ettN : 0, m.ettM2);
  return {
    point,
    params,
    count: m.count,
    lossCount: m.n,
    mean: total.mean,
    std: total.std,
    stderr: total.stderr,
    successRate: m.count > 0 ? m.successes / m.count : 0,
    successes: m.successes,
    diverged: m.diverged,
    meanEpochsToThreshold: ett.mean,
    finalLoss: metricMoments(m.finalN, m.finalMean, m.finalM2),
    epochsToThreshold: ett,
  };
}

/** What summarizeRows needs of a trial. */
type SummaryRow = BlockRow & Pick<TrialRow, 'point'>;

/**
 * The per-point summaries of trials held in memory (a web page's study), computed exactly as a store computes them
 * from its per-block aggregates: each block's moments from its rows in repeat order, merged in block order. So the
 * same trials give the same bits as `xorlab summary`. Points in increasing order; `params` names each point's values.
 */
export function summarizeRows(
  rows: Iterable<SummaryRow>,
  params: (point: number) => Record<string, ParamValue>,
): PointSummary[] {
  const byPoint = new Map<number, Map<number, SummaryRow[]>>();
  for (const row of rows) {
    let blocks = byPoint.get(row.point);
    if (!blocks) byPoint.set(row.point, (blocks = new Map<number, SummaryRow[]>()));
    const block = blockOf(row.repeat);
    let list = blocks.get(block);
    if (!list) blocks.set(block, (list = []));
    list.push(row);
  }
  return [...byPoint.keys()]
    .sort((a, b) => a - b)
    .map((point) => {
      const blocks = byPoint.get(point)!;
      let moments = emptyMoments();
      for (const block of [...blocks.keys()].sort((a, b) => a - b)) {
        const list = blocks.get(block)!.sort((x, y) => x.repeat - y.repeat);
        moments = mergeMoments(moments, blockMoments(list));
      }
      return toPointSummary(point, params(point), moments);
    });
}
