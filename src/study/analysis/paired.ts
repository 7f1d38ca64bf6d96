// Comparisons of two points whose trials are paired by seed: trial r of A and trial r of B started from the same
// random draws (the same root seed, point and repeat in two studies that differ in one setting), so their outcomes
// are correlated and the difference is measured on each pair. Pure functions of the per-trial values
// (Store.metricValues).
import type { PointValues } from '../../store/types.js';
import { checkLevel, tCdf, tQuantile, type Comparison } from './stats.js';

interface Pairs {
  /** Values of A and B for the repeats both have a value at (finite: a diverged training has no loss). */
  a: number[];
  b: number[];
  /** Repeats stored at both points, with or without values. */
  common: number;
}

/** The pairs (A's value, B's value) of the repeats present at both points with a finite value at both. */
export function pairUp(a: PointValues, b: PointValues): Pairs {
  const out: Pairs = { a: [], b: [], common: 0 };
  let j = 0;
  for (let i = 0; i < a.repeats.length; i++) {
    while (j < b.repeats.length && b.repeats[j] < a.repeats[i]) j++;
    if (j >= b.repeats.length || b.repeats[j] !== a.repeats[i]) continue;
    out.common++;
    const x = a.values[i];
    const y = b.values[j];
    if (Number.isFinite(x) && Number.isFinite(y)) {
      out.a.push(x);
      out.b.push(y);
    }
  }
  return out;
}

interface PairedComparison extends Comparison {
  /** Pairs used. */
  n: number;
  /** Correlation of A's and B's values over the pairs: how much the pairing narrows the interval. */
  correlation: number;
  paired: true;
}

/**
 * The % difference of mean(B) from mean(A) over paired values, with its confidence interval: the ratio
 * r = mean(b) / mean(a) by the delta method for paired data, se(r) = sd(b_i - r a_i) / (sqrt(n) |mean(a)|), with
 * a t quantile at n - 1 degrees of freedom; the p-value is the paired t-test on b_i - a_i. Null with fewer than 2
 * pairs or mean(a) = 0.
 */
export function pairedCompare(a: readonly number[], b: readonly number[], level = 0.95): PairedComparison | null {
  const n = a.length;
  if (n !== b.length) throw new RangeError(`paired samples differ in length: ${n} and ${b.length}`);
  if (n < 2) return null;
  checkLevel(level);
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < n; i++) {
    sa += a[i];
    sb += b[i];
  }
  const ma = sa / n;
  const mb = sb / n;
  if (ma === 0) return null;
  const ratio = mb / ma;
  let residual = 0; // sum of (b_i - r a_i)^2: b_i - r a_i has mean 0
  let diffSq = 0;
  let caa = 0;
  let cbb = 0;
  let cab = 0;
  for (let i = 0; i < n; i++) {
    const e = b[i] - ratio * a[i];
    residual += e * e;
    const d = b[i] - a[i] - (mb - ma);
    diffSq += d * d;
    caa += (a[i] - ma) ** 2;
    cbb += (b[i] - mb) ** 2;
    cab += (a[i] - ma) * (b[i] - mb);
  }
  const df = n - 1;
  const seRatio = Math.sqrt(residual / df) / (Math.sqrt(n) * Math.abs(ma));
  const half = 100 * tQuantile(1 - (1 - level) / 2, df) * seRatio;
  const percent = 100 * (ratio - 1);
  const seDiff = Math.sqrt(diffSq / df / n);
  const t = seDiff === 0 ? (mb === ma ? 0 : Infinity) : (mb - ma) / seDiff;
  const pValue = 2 * tCdf(-Math.abs(t), df); // the lower tail directly: 1 - cdf is 0 below ~1e-16
  const correlation = caa > 0 && cbb > 0 ? cab / Math.sqrt(caa * cbb) : 0;
  return { ratio, percent, low: percent - half, high: percent + half, level, df, pValue, n, correlation, paired: true };
}

/** The 2x2 table of paired outcomes (1 = success) for pairedRateDifference. */
export function outcomeTable(
  a: PointValues,
  b: PointValues,
): { both: number; onlyA: number; onlyB: number; neither: number } {
  const table = { both: 0, onlyA: 0, onlyB: 0, neither: 0 };
  let j = 0;
  for (let i = 0; i < a.repeats.length; i++) {
    while (j < b.repeats.length && b.repeats[j] < a.repeats[i]) j++;
    if (j >= b.repeats.length || b.repeats[j] !== a.repeats[i]) continue;
    const x = a.values[i] === 1;
    const y = b.values[j] === 1;
    if (x && y) table.both++;
    else if (x) table.onlyA++;
    else if (y) table.onlyB++;
    else table.neither++;
  }
  return table;
}
