// Statistics of a study's totalLoss samples: pure functions, no I/O.
//
// Conventions (the article's pandas table): std is the sample std (n - 1), stderr = std / sqrt(n), the relative
// standard error is stderr / |mean|. Confidence intervals use Student's t quantile (exact for normal samples and
// the safe choice for small n; for the article's n = 10,000 it equals the normal 1.96 to 4 digits). The per-point
// mean and std themselves are computed by the store (store/moments.ts, and SQL), checked there by hand.

/** What an interval or a comparison needs of a sample. std is null when n < 2. */
export interface SampleStats {
  n: number;
  mean: number;
  std: number | null;
}

interface Interval {
  low: number;
  high: number;
  /** t quantile x stderr. */
  halfWidth: number;
  level: number;
  df: number;
}

function standardError(std: number, n: number): number {
  return std / Math.sqrt(n);
}

/** The standard error of a rate p over n trials, sqrt(p (1 - p) / n) (null when n = 0). */
export function rateStandardError(p: number, n: number): number | null {
  return n > 0 ? Math.sqrt((p * (1 - p)) / n) : null;
}

/** stderr / |mean|: the precision of a point's mean, which refine equalises. null when undefined. */
export function relativeStandardError(s: { mean: number | null; stderr: number | null }): number | null {
  if (s.mean === null || s.stderr === null || s.mean === 0 || !Number.isFinite(s.mean)) return null;
  return s.stderr / Math.abs(s.mean);
}

/** Confidence interval of the mean: mean +- t(1 - (1-level)/2, n-1) * std / sqrt(n). null when n < 2. */
export function confidenceInterval(s: SampleStats, level = 0.95): Interval | null {
  if (s.n < 2 || s.std === null) return null;
  checkLevel(level);
  const df = s.n - 1;
  const halfWidth = tQuantile(1 - (1 - level) / 2, df) * standardError(s.std, s.n);
  return { low: s.mean - halfWidth, high: s.mean + halfWidth, halfWidth, level, df };
}

/** The point with the lowest finite mean (ties: the first), or null when none has one. The one rule for "the
 * lowest mean" (summary's minimum via minimumPoint, the centre of the fitted minimum, the chart's rule when no fit is found). */
export function lowestMean<P extends { mean: number | null }>(points: readonly P[]): P | null {
  let best: P | null = null;
  for (const p of points) {
    if (p.mean === null || !Number.isFinite(p.mean)) continue;
    if (best === null || p.mean < best.mean!) best = p;
  }
  return best;
}

/** The point with the lowest mean (lowestMean: finite means, ties the first), with the confidence interval of its mean. */
export function minimumPoint<P extends { mean: number | null; std: number | null; lossCount: number }>(
  points: readonly P[],
  level = 0.95,
): { point: P; interval: Interval | null } | null {
  const best = lowestMean(points);
  if (best === null) return null;
  return { point: best, interval: confidenceInterval({ n: best.lossCount, mean: best.mean!, std: best.std }, level) };
}

export interface Comparison {
  /** mean(B) / mean(A). */
  ratio: number;
  /** 100 * (mean(B) - mean(A)) / mean(A): negative when B's loss is lower (B is better). */
  percent: number;
  /** Confidence interval of `percent`. */
  low: number;
  high: number;
  level: number;
  /** Degrees of freedom of the t quantile used (Welch-Satterthwaite on the relative variances). */
  df: number;
  /** Two-sided p-value of Welch's t-test that the means are equal. */
  pValue: number;
}

/**
 * The % difference of mean(B) from mean(A) with its confidence interval (independent samples A and B).
 * Delta method for the ratio r = mB / mA: Var(r) ~ r^2 (seA^2 / mA^2 + seB^2 / mB^2), so
 * percent = 100 (r - 1) +- t * 100 * se(r), with t at the Welch-Satterthwaite degrees of freedom of the two
 * relative variances (~ normal at the article's n = 10,000). The p-value is Welch's t-test on mB - mA.
 * Returns null when either sample has n < 2 or mean(A) = 0.
 */
export function compare(a: SampleStats, b: SampleStats, level = 0.95): Comparison | null {
  if (a.n < 2 || b.n < 2 || a.std === null || b.std === null || a.mean === 0) return null;
  checkLevel(level);
  const seA = standardError(a.std, a.n);
  const seB = standardError(b.std, b.n);
  const ratio = b.mean / a.mean;
  const relA = (seA / a.mean) ** 2;
  const relB = b.mean === 0 ? 0 : (seB / b.mean) ** 2;
  const seRatio = b.mean === 0 ? seB / Math.abs(a.mean) : Math.abs(ratio) * Math.sqrt(relA + relB);
  const df = welchDf(relA, a.n, relB, b.n);
  const t = tQuantile(1 - (1 - level) / 2, df);
  const percent = 100 * (ratio - 1);
  const half = 100 * t * seRatio;
  const seDiff = Math.sqrt(seA * seA + seB * seB);
  const welchT = seDiff === 0 ? (b.mean === a.mean ? 0 : Infinity) : (b.mean - a.mean) / seDiff;
  // The lower tail directly: 1 - cdf loses every digit below ~1e-16 (it printed "p = 0").
  const pValue = 2 * tCdf(-Math.abs(welchT), welchDf(seA * seA, a.n, seB * seB, b.n));
  return { ratio, percent, low: percent - half, high: percent + half, level, df, pValue };
}

/** Welch-Satterthwaite degrees of freedom for two variance terms va (from na values) and vb (from nb). */
function welchDf(va: number, na: number, vb: number, nb: number): number {
  const denominator = (va * va) / (na - 1) + (vb * vb) / (nb - 1);
  if (denominator === 0) return na + nb - 2;
  return ((va + vb) * (va + vb)) / denominator;
}

export function checkLevel(level: number): void {
  if (!(level > 0 && level < 1)) throw new RangeError(`confidence level must be in (0, 1), got ${level}`);
}

/**
 * Quantiles of the finite values (numpy's default, linear interpolation between order statistics: the q-quantile
 * of sorted x_0..x_{n-1} sits at position q (n - 1)). Null when no value is finite.
 */
export function quantiles(values: ArrayLike<number>, qs: readonly number[]): number[] | null {
  const finite = new Float64Array(values.length);
  let k = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) finite[k++] = values[i];
  if (k === 0) return null;
  const sorted = finite.subarray(0, k).sort();
  return qs.map((q) => {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`a quantile must be in [0, 1], got ${q}`);
    const pos = (sorted.length - 1) * q;
    const lo = Math.floor(pos);
    const hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  });
}

// ---- Distributions -----------------------------------------------------------------------------------------

/** Standard normal CDF, via the regularized incomplete gamma functions: erfc(|x|/sqrt 2) = Q(1/2, x^2/2), taken
 * directly (not as 1 - P) so that far tails keep their relative precision. */
export function normalCdf(x: number): number {
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  const [p, q] = regularizedGamma(0.5, (x * x) / 2);
  const tail = 0.5 * q; // P(Z > |x|)
  return x >= 0 ? (tail < 0.25 ? 1 - tail : 0.5 + 0.5 * p) : tail;
}

/** Inverse of normalCdf (Acklam's rational approximation, polished by one Halley step). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    throw new RangeError(`probability must be in [0, 1], got ${p}`);
  }
  const a = [
    -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
    2.506628277459239,
  ];
  const b = [
    -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1,
  ];
  const c = [
    -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
      (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x =
      -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** P(X >= x) for X ~ chi-squared with `dof` degrees of freedom: the p-value of a goodness-of-fit statistic. */
export function chiSquareSurvival(x: number, dof: number): number {
  if (!(dof > 0)) throw new RangeError(`degrees of freedom must be > 0, got ${dof}`);
  if (x <= 0) return 1;
  return regularizedGamma(dof / 2, x / 2)[1];
}

/** Student's t CDF with df degrees of freedom (df may be fractional, as from Welch; Infinity = normal). */
export function tCdf(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be > 0, got ${df}`);
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  if (df === Infinity || df > 1e7) return normalCdf(t);
  const tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** Inverse of tCdf (bisection on the CDF, to ~1e-12). */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be > 0, got ${df}`);
  if (df === Infinity || df > 1e7) return normalQuantile(p);
  if (p < 0.5) return -tQuantile(1 - p, df);
  if (p === 0.5) return 0;
  let lo = 0;
  let hi = Math.max(1, 2 * normalQuantile(p));
  while (tCdf(hi, df) < p) {
    lo = hi;
    hi *= 2;
  }
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (tCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** ln Gamma(x), Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for x > 0. */
function logGamma(x: number): number {
  const g = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let sum = g[0];
  for (let i = 1; i < 9; i++) sum += g[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Regularized incomplete beta I_x(a, b) (continued fraction, modified Lentz). */
function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
  if (x > (a + 1) / (a + b + 2)) return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
  return (front * betaContinuedFraction(x, a, b)) / a;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return h;
}

/** [P(a, x), Q(a, x) = 1 - P]: the smaller of the two is computed directly (series below a + 1, continued
 * fraction above), the other as its complement. */
function regularizedGamma(a: number, x: number): [number, number] {
  if (x <= 0) return [0, 1];
  if (x === Infinity) return [1, 0];
  const logFront = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    const p = sum * Math.exp(logFront);
    return [p, 1 - p];
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-16) break;
  }
  const q = Math.exp(logFront) * h;
  return [1 - q, q];
}
