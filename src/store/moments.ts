// Per-point aggregates of a study's trials, kept so that a summary reads a few rows instead of every trial.
//
// They must be a function of the SET of stored trials only, not of how the trials arrived (which chunks, which
// order, a resume after a crash): a resumed study then summarises to exactly the same bits as an uninterrupted one.
// So the repeats of a point are cut into fixed blocks (BLOCK_REPEATS consecutive repeat indices); a block's
// moments are always computed from all its rows in repeat order (two-pass mean and sum of squared deviations), and
// a point's moments merge its blocks in block order (Chan, Golub & LeVeque's pairwise update). Both are stable:
// no sum(x^2) - n mean^2 cancellation.
import type { ParamValue, PointSummary, TrialRow } from './types.js';

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
  successes: number;
  diverged: number;
  /** Trials that reached the threshold, and the sum of their epochsToThreshold. */
  ettN: number;
  ettSum: number;
  /** Largest repeat index seen (-1 when none). */
  maxRepeat: number;
}

export type BlockRow = Pick<TrialRow, 'repeat' | 'totalLoss' | 'success' | 'diverged' | 'epochsToThreshold'>;

export function emptyMoments(): Moments {
  return { count: 0, n: 0, mean: 0, m2: 0, successes: 0, diverged: 0, ettN: 0, ettSum: 0, maxRepeat: -1 };
}

/** The moments of one block's rows, which must be sorted by repeat (the canonical order). */
export function blockMoments(rows: readonly BlockRow[]): Moments {
  const m = emptyMoments();
  let sum = 0;
  for (const row of rows) {
    m.count++;
    if (row.repeat > m.maxRepeat) m.maxRepeat = row.repeat;
    if (row.success) m.successes++;
    if (row.diverged) m.diverged++;
    if (row.epochsToThreshold !== null) {
      m.ettN++;
      m.ettSum += row.epochsToThreshold;
    }
    if (row.totalLoss !== null) {
      m.n++;
      sum += row.totalLoss;
    }
  }
  if (m.n === 0) return m;
  const mean = sum / m.n;
  let d1 = 0;
  let d2 = 0;
  for (const row of rows) {
    if (row.totalLoss === null) continue;
    const d = row.totalLoss - mean;
    d1 += d;
    d2 += d * d;
  }
  // Corrected two-pass: d1 is the rounding error left in the mean.
  m.mean = mean + d1 / m.n;
  m.m2 = Math.max(0, d2 - (d1 * d1) / m.n);
  return m;
}

/** a + b (Chan et al.'s pairwise update for mean and m2). */
export function mergeMoments(a: Moments, b: Moments): Moments {
  const n = a.n + b.n;
  let mean: number;
  let m2: number;
  if (a.n === 0) {
    mean = b.mean;
    m2 = b.m2;
  } else if (b.n === 0) {
    mean = a.mean;
    m2 = a.m2;
  } else {
    const delta = b.mean - a.mean;
    mean = a.mean + (delta * b.n) / n;
    m2 = a.m2 + b.m2 + (delta * delta * a.n * b.n) / n;
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

/** What summarizeRows needs of a trial. */
export type SummaryRow = BlockRow & Pick<TrialRow, 'point'>;

/**
 * The per-point summaries of trials held in memory (a web page's study), computed exactly as a store computes them
 * from its per-block aggregates: each block's moments from its rows in repeat order, merged in block order. So the
 * same trials give the same bits as `xorlab summary`. Points in increasing order; `params` names each point's values.
 */
export function summarizeRows(rows: Iterable<SummaryRow>, params: (point: number) => Record<string, ParamValue>): PointSummary[] {
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
