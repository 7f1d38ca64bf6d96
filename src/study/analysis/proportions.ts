// Intervals for success rates (proportions): Wilson's score interval for one rate, and Newcombe's hybrid score
// intervals for the difference of two rates, independent (method 10 of Newcombe 1998) or paired by seed (method
// 10 of Newcombe 1998b, phi as Altman et al. compute it). Unlike the Wald interval p +- z sqrt(p(1-p)/n) they stay inside
// [0, 1] and keep their coverage near 0% and 100%, where XOR's success rates often lie.
import { normalQuantile } from './stats.js';

interface RateInterval {
  /** successes / n (NaN when n = 0). */
  rate: number;
  low: number;
  high: number;
  level: number;
}

export interface RateDifference {
  /** rate(B) - rate(A), a fraction (x100 for percentage points). */
  difference: number;
  low: number;
  high: number;
  level: number;
  paired: boolean;
}

function z(level: number): number {
  if (!(level > 0 && level < 1)) throw new RangeError(`confidence level must be in (0, 1), got ${level}`);
  return normalQuantile(1 - (1 - level) / 2);
}

/** Wilson's score interval: (p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n). n = 0 gives [0, 1]. */
export function wilsonInterval(successes: number, n: number, level = 0.95): RateInterval {
  const q = z(level);
  if (n === 0) return { rate: NaN, low: 0, high: 1, level };
  const p = successes / n;
  const q2 = q * q;
  const centre = (p + q2 / (2 * n)) / (1 + q2 / n);
  const half = (q * Math.sqrt((p * (1 - p)) / n + q2 / (4 * n * n))) / (1 + q2 / n);
  // At 0 and n successes the bounds are 0 and 1 exactly (rounding would leave 1e-17).
  return {
    rate: p,
    low: successes === 0 ? 0 : Math.max(0, centre - half),
    high: successes === n ? 1 : Math.min(1, centre + half),
    level,
  };
}

/** rate(B) - rate(A) for independent samples: Newcombe's hybrid score interval from the two Wilson intervals. */
export function rateDifference(
  a: { successes: number; n: number },
  b: { successes: number; n: number },
  level = 0.95,
): RateDifference | null {
  if (a.n === 0 || b.n === 0) return null;
  const wa = wilsonInterval(a.successes, a.n, level);
  const wb = wilsonInterval(b.successes, b.n, level);
  const d = wb.rate - wa.rate;
  return {
    difference: d,
    low: d - Math.sqrt((wb.rate - wb.low) ** 2 + (wa.high - wa.rate) ** 2),
    high: d + Math.sqrt((wb.high - wb.rate) ** 2 + (wa.rate - wa.low) ** 2),
    level,
    paired: false,
  };
}

/**
 * rate(B) - rate(A) for paired trials (the same seeds in A and B): Newcombe's method 10 for paired proportions,
 * from the 2x2 table of outcomes: both succeeded (both), only A, only B, neither. The Wilson intervals of the two
 * rates are combined with the correlation phi of the pairs.
 */
export function pairedRateDifference(
  table: { both: number; onlyA: number; onlyB: number; neither: number },
  level = 0.95,
): RateDifference | null {
  const { both, onlyA, onlyB, neither } = table;
  const n = both + onlyA + onlyB + neither;
  if (n === 0) return null;
  const wa = wilsonInterval(both + onlyA, n, level);
  const wb = wilsonInterval(both + onlyB, n, level);
  const d = wb.rate - wa.rate;
  // phi as Newcombe and Altman et al. (Statistics with Confidence, 2000) compute it: 0 where a margin of the table
  // is empty, and a positive numerator reduced by n/2 (a continuity correction that keeps the interval from
  // narrowing too much).
  const margins = (both + onlyA) * (onlyB + neither) * (both + onlyB) * (onlyA + neither);
  const cross = both * neither - onlyA * onlyB;
  const numerator = cross > n / 2 ? cross - n / 2 : cross < 0 ? cross : 0;
  const phi = margins === 0 ? 0 : numerator / Math.sqrt(margins);
  const dl = Math.sqrt(
    Math.max(
      0,
      (wb.rate - wb.low) ** 2 - 2 * phi * (wb.rate - wb.low) * (wa.high - wa.rate) + (wa.high - wa.rate) ** 2,
    ),
  );
  const du = Math.sqrt(
    Math.max(
      0,
      (wb.high - wb.rate) ** 2 - 2 * phi * (wb.high - wb.rate) * (wa.rate - wa.low) + (wa.rate - wa.low) ** 2,
    ),
  );
  return { difference: d, low: d - dl, high: d + du, level, paired: true };
}
