// The minimum's confirmatory design and its estimator (issue 21). Exploration (./minimum-goal.ts) locates the
// vertex and the window and measures each point's noise; from those alone a fixed design is chosen: 7 grid points
// over the window, weighted for the vertex of a cubic in ln x (c-optimal: where the vertex is most sensitive), and
// the confirmatory batches at that design alone give the reported interval: a weighted cubic over the 7 means
// (3 degrees of freedom left for a chi² check of the model), its vertex, and a parametric bootstrap interval.
//
// Why concentrated and why these windows: a cubic fitted to a window ±h of an asymmetric curve has a bias in its
// vertex that grows like h^4 or faster, while the noise of the vertex falls like 1/h. On the article-like curves of
// test/study/analysis/minimum.test.ts the bias stays below a tenth of the target's noise for h <= 0.7 when the
// window is centred within ~0.05 of the vertex, and grows past it by h = 1 to 1.4; so h is the exploration fit's
// window clamped to [0.35, 0.6], and under a budget whose answer is noisier than the paper's, up to ±1 (widerHalf).
// The coverage of the whole procedure at the paper scale's noise, and at the quick scale's budget, is simulated in
// test/study/goal/minimum-goal.test.ts.
import { fitPolynomial, type MinimumFit } from '../analysis/minimum.js';
import { chiSquareSurvival, normalQuantile } from '../analysis/stats.js';
import { Rng } from '../../core/index.js';
import type { RangeMoments } from './moments.js';

/** The design's half-window in ln x: the exploration fit's window clamped to this range (max: at the paper's noise;
 * a budget's noisier answer may widen it, see widerHalf). */
export const HALF_WINDOW = { min: 0.35, max: 0.6 } as const;
/** The sd of the fitted ln x* at which HALF_WINDOW.max was calibrated: the paper's target width, 0.022 at 0.6 at the
 * first look's 97% (asinh(0.022 / 1.2) / 2.17). */
const REFERENCE_SD = 0.0085;
/** The widest half-window however noisy the answer: at ±1.2 the simulated coverage at the quick scale's noise fell to
 * 90%, at ±1.5 to 76-84% (the cubic's bias on the article-like curves outgrows even that noise). */
export const WIDEST_HALF = 1;

/**
 * The half-window for a budget's answer whose ln x* will have standard deviation `sd`: HALF_WINDOW.max (the bound on
 * exploration's window) at the paper's noise, wider for a noisier answer, growing like sd^(1/4) up to WIDEST_HALF. The
 * cubic's vertex bias grows like h^4 (h^2 with a design centred off the vertex) while its noise falls like 1/h, so a
 * noisier answer tolerates a wider window; the exponent is the simulation's (test/study/goal/minimum-goal.test.ts: at
 * the quick scale's budget, 60 stds x 5 then 4,500 trainings, 95.7% and 97.0% over 300 studies each of two curves;
 * capped by exploration's own window instead, 94.2% and 95.5%, with more designs centred off the minimum). The
 * vertex's variance falls like 1/h^2: ±1 needs about a third of the trainings ±0.6 does for the same width.
 */
export function widerHalf(sd: number): number {
  if (!(sd > REFERENCE_SD)) return HALF_WINDOW.max;
  return Math.min(WIDEST_HALF, HALF_WINDOW.max * (sd / REFERENCE_SD) ** 0.25);
}
/** Offsets of the design's points in units of the half-window. */
const OFFSETS = [-1, -2 / 3, -1 / 3, 0, 1 / 3, 2 / 3, 1] as const;
/** Points in a design (at most: points of the grid that coincide are taken once). */
export const DESIGN_POINTS = OFFSETS.length;
/** Each design point's least share of a batch, so that every point's mean is measured (the chi² check). */
export const FLOOR_SHARE = 0.02;
/** Each design point's least trainings in a batch. */
export const MIN_NODE_TRAININGS = 10;
/** Below this many trainings, a point's noise is taken from the window's median std instead of its own. */
const MIN_OWN_STD = 10;
/** The chi² p-value under which the cubic is taken to misfit and the errors are scaled up by sqrt(chi²/dof). */
const ACCEPT_P = 0.05;

/** A point of a curve as the design sees it: its axis value and the exploration's mean, std and trainings. */
export interface DesignPoint {
  x: number;
  mean: number | null;
  std: number | null;
  n: number;
}

export interface MinimumDesign {
  /** ln x of the window's centre (the exploration's fitted minimum) and its half-width in ln x. */
  centre: number;
  half: number;
  /** The design's points: indices into the curve, their ln x - centre, their shares of a batch (sum 1) and the
   * per-training std assumed for them. */
  nodes: number[];
  u: number[];
  shares: number[];
  sigma: number[];
  /** The cubic's second derivative at its vertex (u = vertex), from the exploration. */
  curvature: number;
  vertex: number;
  /** Var(ln of the fitted vertex) x trainings in the batch, by the delta method at these shares. */
  unitVariance: number;
}

/** Solves m z = d by Gaussian elimination with partial pivoting; null when singular. */
function solve(m: readonly (readonly number[])[], d: readonly number[]): number[] | null {
  const k = d.length;
  const a = m.map((row, i) => [...row, d[i]]);
  for (let col = 0; col < k; col++) {
    let pivot = col;
    for (let r = col + 1; r < k; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    if (!(Math.abs(a[pivot][col]) > 1e-300)) return null;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    for (let r = col + 1; r < k; r++) {
      const f = a[r][col] / a[col][col];
      for (let c = col; c <= k; c++) a[r][c] -= f * a[col][c];
    }
  }
  const z = new Array<number>(k).fill(0);
  for (let r = k - 1; r >= 0; r--) {
    let v = a[r][k];
    for (let c = r + 1; c < k; c++) v -= a[r][c] * z[c];
    z[r] = v / a[r][r];
  }
  return z.every(Number.isFinite) ? z : null;
}

/** sum_i weight_i x_i x_i^T of a cubic in u, x_i = (1, u, u^2, u^3). */
function information(u: readonly number[], weight: readonly number[]): number[][] {
  const m = Array.from({ length: 4 }, () => new Array<number>(4).fill(0));
  for (let i = 0; i < u.length; i++) {
    const x = [1, u[i], u[i] ** 2, u[i] ** 3];
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) m[r][c] += weight[i] * x[r] * x[c];
  }
  return m;
}

/** The local minimum of c0 + c1 u + c2 u^2 + c3 u^3 (where its slope crosses zero upwards), or null. */
export function cubicVertex(c: readonly number[]): number | null {
  const [, c1, c2, c3] = c;
  const disc = c2 * c2 - 3 * c1 * c3;
  if (!(disc >= 0)) return null;
  // The root with f'' = 2 sqrt(disc) > 0, in the form that stays exact as c3 -> 0.
  const denominator = c2 + Math.sqrt(disc);
  if (!(denominator > 0)) return null;
  return -c1 / denominator;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** The design's points: the grid point nearest each offset (distinct), or null when the grid has too few there. */
function designNodes(xs: readonly number[], centre: number, half: number): number[] | null {
  const used = new Set<number>();
  const nodes: number[] = [];
  for (const offset of OFFSETS) {
    const target = centre + offset * half;
    let best = -1;
    for (let i = 0; i < xs.length; i++) {
      if (!(xs[i] > 0) || used.has(i)) continue;
      if (best < 0 || Math.abs(Math.log(xs[i]) - target) < Math.abs(Math.log(xs[best]) - target)) best = i;
    }
    // A grid too coarse for the offset: a point farther than a third of the half-window from it is no stand-in.
    if (best < 0 || Math.abs(Math.log(xs[best]) - target) > half / 3 + 1e-9) return null;
    used.add(best);
    nodes.push(best);
  }
  return nodes.sort((a, b) => xs[a] - xs[b]);
}

/**
 * The confirmatory design for the vertex of a curve (see the top of this file), from the exploration's points and
 * its fit (summary's fitMinimum over them), over exploration's window or `wider` (a half-window in ln x). Null when
 * the grid has too few points around the fit or the exploration's cubic there has no minimum.
 */
export function minimumDesign(points: readonly DesignPoint[], fit: MinimumFit, wider?: number): MinimumDesign | null {
  const centre = Math.log(fit.x);
  // Toward a width, exploration's window clamped to HALF_WINDOW; a budget's noisier answer may ask for a wider one
  // (widerHalf), taken as it is: at that noise exploration's own window is short because it is noisy.
  let half = wider ?? Math.min(HALF_WINDOW.max, Math.max(HALF_WINDOW.min, fit.window));
  let nodes = designNodes(
    points.map((p) => p.x),
    centre,
    half,
  );
  // A coarse grid: widen the window until 7 distinct points stand in for the offsets.
  while (!nodes && half < 2.8) {
    half *= Math.SQRT2;
    nodes = designNodes(
      points.map((p) => p.x),
      centre,
      half,
    );
  }
  if (!nodes) return null;
  const inWindow = points.filter((p) => p.x > 0 && Math.abs(Math.log(p.x) - centre) <= half + 1e-9);
  const typical = median(inWindow.flatMap((p) => (p.std !== null && p.std > 0 && p.n >= 2 ? [p.std] : [])));
  if (typical === null) return null;
  const sigma = nodes.map((i) => {
    const p = points[i];
    return p.std !== null && p.std > 0 && p.n >= MIN_OWN_STD ? p.std : typical;
  });
  const u = nodes.map((i) => Math.log(points[i].x) - centre);
  // The curvature at the vertex, from a cubic over the window's exploration means weighted by their errors.
  const used = inWindow.filter((p) => p.mean !== null && p.n >= 2);
  const coef = fitPolynomial(
    used.map((p) => Math.log(p.x) - centre),
    used.map((p) => p.mean!),
    used.map((p) => p.n / (p.std !== null && p.std > 0 ? p.std : typical) ** 2),
    3,
  );
  if (!coef) return null;
  const vertex = cubicVertex(coef) ?? 0;
  const at = Math.abs(vertex) <= half ? vertex : 0;
  const curvature = 2 * coef[2] + 6 * coef[3] * at;
  if (!(curvature > 0)) return null;
  // The vertex u* = -f'(u*)/f''...: dU*/dc = -(0, 1, 2u*, 3u*^2) / f''(u*) (the sign does not matter for a variance).
  const d = [0, 1, 2 * at, 3 * at * at].map((v) => v / curvature);
  // c-optimal shares by the multiplicative algorithm: each point in proportion to |its sensitivity| x its std.
  let shares = nodes.map(() => 1 / nodes.length);
  for (let iteration = 0; iteration < 500; iteration++) {
    const z = solve(
      information(
        u,
        shares.map((a, j) => a / (sigma[j] * sigma[j])),
      ),
      d,
    );
    if (!z) break;
    const next = shares.map(
      (a, j) => (a * Math.abs(z[0] + z[1] * u[j] + z[2] * u[j] ** 2 + z[3] * u[j] ** 3)) / sigma[j],
    );
    const total = next.reduce((acc, v) => acc + v, 0);
    if (!(total > 0)) break;
    shares = next.map((v) => v / total);
  }
  shares = shares.map((a) => (1 - FLOOR_SHARE * nodes.length) * a + FLOOR_SHARE);
  const design = { centre, half, nodes, u, shares, sigma, curvature, vertex: at, unitVariance: 0 };
  design.unitVariance = designVariance(design, shares);
  return Number.isFinite(design.unitVariance) ? design : null;
}

/** Var(ln of the fitted vertex) x trainings at `shares` of the design's points, by the delta method. */
export function designVariance(
  design: Pick<MinimumDesign, 'u' | 'sigma' | 'curvature' | 'vertex'>,
  shares: readonly number[],
): number {
  const { u, sigma, vertex } = design;
  const d = [0, 1, 2 * vertex, 3 * vertex * vertex].map((v) => v / design.curvature);
  const z = solve(
    information(
      u,
      shares.map((a, j) => a / (sigma[j] * sigma[j])),
    ),
    d,
  );
  return z ? z.reduce((acc, zk, j) => acc + zk * d[j], 0) : Infinity;
}

/** Trainings per batch for an interval of width `targetWidth` (x units) at confidence `level`, predicted from the
 * design's variance; `safety` > 1 so that one batch usually suffices despite the prediction's own noise. */
export function predictedBatch(design: MinimumDesign, targetWidth: number, level: number, safety: number): number {
  const z = normalQuantile(1 - (1 - level) / 2);
  const x = Math.exp(design.centre);
  // x (e^{z sd} - e^{-z sd}) = W for the interval of ln x*, sd = sqrt(unitVariance / N).
  const sd = Math.asinh(targetWidth / (2 * x)) / z;
  return Math.ceil((safety * design.unitVariance) / (sd * sd));
}

/** The confirmatory fit: the reported minimum and interval. */
export interface DesignFit {
  x: number;
  low: number;
  high: number;
  level: number;
  /** The design's x range, and the points with a mean. */
  from: number;
  to: number;
  pointsUsed: number;
  chi2: number;
  dof: number;
  pValue: number;
  /** Whether the cubic is consistent with the errors (chi² p >= 0.05); else the errors were scaled by sqrt(chi²/dof). */
  consistent: boolean;
  /** Share of bootstrap fits with no minimum inside the design's range (counted at its edge). */
  failedShare: number;
  /** Trainings of the batches at the design's points, and of them diverged ones left out of the means. */
  trainings: number;
  excluded: number;
}

function evaluate(coef: readonly number[], u: number): number {
  return coef[0] + u * (coef[1] + u * (coef[2] + u * coef[3]));
}

/**
 * The reported minimum from the confirmatory batches' moments at the design's points: a weighted cubic in
 * u = ln x - centre, its vertex, and a parametric bootstrap interval (every mean redrawn from N(mean, stderr^2),
 * seeded) at `level`. Null when fewer than 5 points have a mean or the cubic has no minimum inside the design.
 */
export function fitDesign(
  design: MinimumDesign,
  batch: readonly RangeMoments[],
  level: number,
  options: { resamples?: number; seed?: number } = {},
): DesignFit | null {
  const at = design.nodes.flatMap((_, j) => (batch[j].mean !== null && (batch[j].stderr ?? 0) > 0 ? [j] : []));
  if (at.length < 5) return null;
  const u = at.map((j) => design.u[j]);
  const y = at.map((j) => batch[j].mean!);
  const se = at.map((j) => batch[j].stderr!);
  const w = se.map((s) => 1 / (s * s));
  const coef = fitPolynomial(u, y, w, 3);
  if (!coef) return null;
  const lo = Math.min(...u);
  const hi = Math.max(...u);
  const vertex = cubicVertex(coef);
  if (vertex === null || vertex <= lo || vertex >= hi) return null;
  let chi2 = 0;
  for (let i = 0; i < u.length; i++) chi2 += w[i] * (y[i] - evaluate(coef, u[i])) ** 2;
  const dof = u.length - 4;
  const pValue = chiSquareSurvival(chi2, dof);
  const consistent = pValue >= ACCEPT_P;
  const inflation = consistent ? 1 : Math.sqrt(chi2 / dof);
  const rng = new Rng(options.seed ?? 1);
  const resamples = options.resamples ?? 2000;
  const found: number[] = [];
  let failed = 0;
  const redrawn = new Array<number>(y.length);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < y.length; i++) redrawn[i] = y[i] + inflation * se[i] * rng.nextNormal();
    const refit = fitPolynomial(u, redrawn, w, 3);
    const v = refit ? cubicVertex(refit) : null;
    if (refit && v !== null && v > lo && v < hi) {
      found.push(v);
      continue;
    }
    failed++;
    // No minimum inside: the edge the refit falls towards.
    found.push(refit && evaluate(refit, lo) < evaluate(refit, hi) ? lo : hi);
  }
  found.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  const quantile = (q: number): number => {
    const pos = (found.length - 1) * q;
    const a = Math.floor(pos);
    const b = Math.ceil(pos);
    return found[a] + (found[b] - found[a]) * (pos - a);
  };
  const trainings = design.nodes.reduce((acc, _, j) => acc + batch[j].present, 0);
  const valued = design.nodes.reduce((acc, _, j) => acc + batch[j].n, 0);
  return {
    x: Math.exp(design.centre + vertex),
    low: Math.exp(design.centre + quantile(tail)),
    high: Math.exp(design.centre + quantile(1 - tail)),
    level,
    from: Math.exp(design.centre + lo),
    to: Math.exp(design.centre + hi),
    pointsUsed: u.length,
    chi2,
    dof,
    pValue,
    consistent,
    failedShare: failed / resamples,
    trainings,
    excluded: trainings - valued,
  };
}

/**
 * The confidence of confirmatory look k (1-based) when the batches may continue until a target width: a Bonferroni
 * split of the error rate alpha = 1 - level over the looks, 0.6 alpha at the first and 0.4 alpha 2^-(k-1) at look
 * k >= 2 (they sum to alpha), so whichever look the rule stops at, its interval covers with at least `level`.
 * (With 0.8 alpha at the first look, 96%, the simulated coverage after a stop at the target width was 92-94%: the
 * looks that stop are those whose bootstrap interval came out narrow.)
 */
export function lookLevel(look: number, level: number): number {
  const alpha = 1 - level;
  return 1 - (look === 1 ? 0.6 * alpha : 0.4 * alpha * 2 ** -(look - 1));
}
