// The minimum goal's rounds (issue 21): exploration, then confirmation.
//
// Exploration rounds are adaptive and cheap: each fits the minimum over every training so far as `summary` does
// (fitMinimum: the cubic in ln x, window from the data, bootstrap interval: printed for watching only), and sends
// its trainings half evenly over that fit's window (the window and every point's noise) and half to the current
// confirmatory design's points (the vertex and the noise where it matters). They stop once they have spent
// EXPLORE_SHARE of the confirmatory batch they predict and located the vertex, or (a budget) BUDGET_EXPLORE_SHARE of
// the budget.
//
// Honest after a data-dependent stop: the confirmatory design (./design.ts) and the batch size are chosen from
// exploration alone; the batches are fresh repeats at the design's points that no decision looked at before, and
// the reported interval comes from them alone. With --budget there is one batch (the rest of the budget) and one
// look at the stated level. With --target-width a batch that misses the width may be followed by more batches of
// the same design and size, look k reported at lookLevel(k) (a Bonferroni split of the error rate), so the
// interval at whichever look stops keeps its coverage.
//
// Everything is a pure function of the moments of stored values (./moments.ts): an interrupted run replays the
// same rounds and asks for the same repeats (seeds from (study, point, repeat)), so it gives the same trials.
import { largestRemainder } from '../run/allocate.js';
import { fitMinimum, type MinimumFit } from '../analysis/minimum.js';
import { normalQuantile } from '../analysis/stats.js';
import {
  DESIGN_POINTS,
  HALF_WINDOW,
  MIN_NODE_TRAININGS,
  fitDesign,
  lookLevel,
  minimumDesign,
  predictedBatch,
  widerHalf,
  type DesignFit,
  type MinimumDesign,
} from './design.js';
import type { MomentsSource, RangeMoments } from './moments.js';
import { MAX_ROUNDS, complete, count, type GoalRound, type GoalState, type GoalStop } from './rounds.js';

/** The least budget a minimum goal takes: exploration may spend half of it, and the batch gives each of the design's
 * points at least MIN_NODE_TRAININGS. */
export const MIN_MINIMUM_BUDGET = 2 * DESIGN_POINTS * MIN_NODE_TRAININGS;

/** Share of the predicted confirmatory batch (or of the budget) that exploration spends before it. */
const EXPLORE_SHARE = 0.2;
/** Under a budget, the share exploration spends before the one batch (the design is then fixed whether or not its
 * vertex is located: the batch's window widens with its noise, see designFor, and the simulated coverage at the quick
 * scale's budget holds with it, test/study/goal/minimum-goal.test.ts). */
const BUDGET_EXPLORE_SHARE = 0.3;
/** The predicted batch is scaled by this, so that one batch usually reaches the target width. */
const BATCH_SAFETY = 1.4;

/** Exploration goes on until its interval's width in ln x is at most this share of the design's half-window. */
const LOCATED_SHARE = 0.25;

interface CurveInput {
  /** The study's point indices along the curve and their axis values. */
  points: number[];
  x: number[];
}

/** The minimum's answer: the confirmatory fit (its interval is the reported one) and what it took. */
export interface MinimumGoalResult {
  fit: DesignFit | null;
  /** The design: its x range, and each point's x and trainings per batch. */
  design: { from: number; to: number; points: { x: number; perBatch: number }[] };
  /** Confirmatory looks (batches) and the trainings in them; exploration's trainings beyond the study's repeats;
   * both together. */
  looks: number;
  confirmed: number;
  explored: number;
  spent: number;
}

interface MinimumGoalOptions {
  /** Bootstrap redraws of each fit (default 2000). */
  resamples?: number;
  /** Fits of earlier replays over the same source (a replay repeats every round before the new one; the fits are
   * the same, so a driver that replays after each round passes one map to all its replays). */
  cache?: Map<string, unknown>;
}

function cached<T>(cache: Map<string, unknown> | undefined, key: string, compute: () => T): T {
  if (!cache) return compute();
  if (!cache.has(key)) cache.set(key, compute());
  return cache.get(key) as T;
}

function fitOf(curve: CurveInput, moments: readonly RangeMoments[], level: number, resamples?: number) {
  return fitMinimum(
    moments.map((m, i) => ({ x: curve.x[i], mean: m.mean, stderr: m.stderr })),
    { level, resamples },
  );
}

function exploreRound(round: number, added: number, spent: number, fit: MinimumFit | null, level: number): GoalRound {
  return {
    round,
    phase: 'explore',
    added,
    spent,
    estimate: fit?.x ?? null,
    low: fit?.low ?? null,
    high: fit?.high ?? null,
    level,
  };
}

/** Whether exploration has located the vertex well enough to centre the design on it: its interval (summary's
 * fit) no wider than LOCATED_SHARE of the design's half-window in ln x. A design centred off the vertex by a tenth
 * of its half-window has a bias of about half the noise at the paper's target width on the article-like curves. */
function located(fit: MinimumFit | null, design: MinimumDesign): boolean {
  return fit !== null && fit.low > 0 && Math.log(fit.high / fit.low) <= LOCATED_SHARE * design.half;
}

/** Half of an exploration round evenly over the fit's window, half at the design's shares. */
function exploreShares(curve: CurveInput, fit: MinimumFit | null, design: MinimumDesign | null): number[] {
  const m = curve.points.length;
  if (!fit) return curve.points.map(() => 1 / m);
  const centre = Math.log(fit.x);
  const inside = curve.x.map((x) => (x > 0 && Math.abs(Math.log(x) - centre) <= fit.window + 1e-9 ? 1 : 0));
  const k = inside.reduce<number>((a, v) => a + v, 0);
  const shares = inside.map((v) => (k > 0 ? v / k : 1 / m));
  if (!design) return shares;
  const half = shares.map((s) => s / 2);
  design.nodes.forEach((i, j) => (half[i] += design.shares[j] / 2));
  return half;
}

/**
 * The confirmatory design from exploration's points and fit. Under a budget its window is as wide as the answer's
 * noise allows (widerHalf, whatever exploration's own window): the sd of ln x* the batch will give, predicted from exploration's own interval scaled by
 * sqrt(trainings so far / the batch the budget leaves). Toward a target width it keeps the calibrated HALF_WINDOW.max
 * (the paper scale's simulations; a wide target would allow a wider window, not simulated yet).
 */
function designFor(
  curve: CurveInput,
  moments: readonly RangeMoments[],
  fit: MinimumFit,
  stop: GoalStop,
  spent: number,
): MinimumDesign | null {
  const points = moments.map((mo, i) => ({ x: curve.x[i], mean: mo.mean, std: mo.std, n: mo.n }));
  const calibrated = minimumDesign(points, fit);
  if (!calibrated) return null;
  if (stop.budget === undefined) return calibrated;
  const batch = stop.budget - Math.max(spent, Math.floor(BUDGET_EXPLORE_SHARE * stop.budget));
  const held = moments.reduce((a, mo) => a + mo.n, 0);
  const sdNow = fit.low > 0 ? Math.log(fit.high / fit.low) / (2 * normalQuantile(1 - (1 - fit.level) / 2)) : 0;
  const sd = batch > 0 ? sdNow * Math.sqrt(held / batch) : 0;
  const half = widerHalf(sd);
  return half > HALF_WINDOW.max ? (minimumDesign(points, fit, half) ?? calibrated) : calibrated;
}

/**
 * Replays the rounds of a minimum goal on one curve from the moments of the stored values (see the top of this
 * file) and says what to run next, or the answer. `base` is the study's own repeats per point (round 0).
 */
export function replayMinimum(
  curve: CurveInput,
  source: MomentsSource,
  base: number,
  stop: GoalStop,
  options: MinimumGoalOptions = {},
): GoalState<MinimumGoalResult> {
  const level = stop.level ?? 0.95;
  const m = curve.points.length;
  let targets = curve.points.map(() => base);
  const zeros = curve.points.map(() => 0);
  const rounds: GoalRound[] = [];
  if (!complete(source, curve.points, zeros, targets))
    return { rounds, need: { points: curve.points, from: zeros, to: targets }, result: null, note: null };
  let spent = 0;
  let lastRound = 0;
  const minRound = Math.max(1000, 20 * m);
  let design: MinimumDesign | null;
  let batch: number;
  let note: string | null = null;
  for (let round = 0; ; round++) {
    if (round >= MAX_ROUNDS) return { rounds, need: null, result: null, note: `no answer after ${MAX_ROUNDS} rounds` };
    const moments = curve.points.map((p, i) => source.moments(p, 0, targets[i]));
    const fit = cached(options.cache, `explore ${round} ${spent}`, () =>
      fitOf(curve, moments, level, options.resamples),
    );
    rounds.push(exploreRound(round, lastRound, spent, fit, level));
    design = cached(options.cache, `design ${round} ${spent}`, () =>
      fit ? designFor(curve, moments, fit, stop, spent) : null,
    );
    let size: number;
    if (stop.budget !== undefined) {
      const exploreBudget = Math.floor(BUDGET_EXPLORE_SHARE * stop.budget);
      if (spent >= exploreBudget && design) {
        batch = stop.budget - spent;
        if (batch < design.nodes.length * MIN_NODE_TRAININGS)
          return {
            rounds,
            need: null,
            result: null,
            note: 'the budget ran out before a confirmatory design was found',
          };
        break;
      }
      // Without a design yet, exploration goes on, to all of the budget at most.
      // Past its share, exploration adds a tenth of the budget a round: the batch keeps what a design needs no more of.
      const limit = spent < exploreBudget ? exploreBudget : stop.budget;
      const grow = spent < exploreBudget ? Math.max(minRound, 2 * lastRound) : Math.ceil(stop.budget / 10);
      size = Math.min(limit - spent, grow);
      if (size <= 0)
        return { rounds, need: null, result: null, note: 'the budget ran out before a confirmatory design was found' };
    } else {
      const room = stop.maxTrials - spent;
      const predicted =
        design && stop.targetWidth !== undefined
          ? predictedBatch(design, stop.targetWidth, lookLevel(1, level), BATCH_SAFETY)
          : Infinity;
      if (design && located(fit, design) && spent >= EXPLORE_SHARE * Math.min(predicted, stop.maxTrials)) {
        batch = Math.min(predicted, room);
        if (batch < predicted)
          note = `the target needs a batch of about ${count(predicted)} trainings; the batch got the ${count(batch)} left under the cap of ${count(stop.maxTrials)}`;
        break;
      }
      const wanted = Number.isFinite(predicted)
        ? Math.ceil(EXPLORE_SHARE * Math.min(predicted, stop.maxTrials)) - spent
        : Infinity;
      size = Math.min(Math.max(wanted, minRound), Math.max(minRound, 2 * lastRound), room - minRound);
      if (size <= 0)
        return {
          rounds,
          need: null,
          result: null,
          note: `no confirmatory design within the cap of ${count(stop.maxTrials)} trainings`,
        };
    }
    const add = largestRemainder(exploreShares(curve, fit, design), size);
    const to = targets.map((t, i) => t + add[i]);
    if (!complete(source, curve.points, targets, to))
      return { rounds, need: { points: curve.points, from: targets, to }, result: null, note: null };
    targets = to;
    spent += size;
    lastRound = size;
  }
  // Confirmation: the design and the batch are fixed now; each look adds one batch of fresh repeats.
  const frozen = design;
  // With a budget the batch is what is left of it, spent exactly: each point's floor first, the rest by the shares
  // (refineStudy refuses a budget below MIN_MINIMUM_BUDGET, so the floors fit). Toward a width, the floors are added.
  const perBatch =
    stop.budget !== undefined
      ? largestRemainder(frozen.shares, Math.max(0, batch - frozen.nodes.length * MIN_NODE_TRAININGS)).map(
          (k) => k + MIN_NODE_TRAININGS,
        )
      : largestRemainder(frozen.shares, batch).map((k) => Math.max(k, MIN_NODE_TRAININGS));
  const batchSize = perBatch.reduce((a, k) => a + k, 0);
  const start = frozen.nodes.map((i) => targets[i]);
  const points = frozen.nodes.map((i) => curve.points[i]);
  const explored = spent;
  const designInfo = {
    from: Math.exp(frozen.centre + Math.min(...frozen.u)),
    to: Math.exp(frozen.centre + Math.max(...frozen.u)),
    points: frozen.nodes.map((i, j) => ({ x: curve.x[i], perBatch: perBatch[j] })),
  };
  const single = stop.budget !== undefined;
  for (let look = 1; look <= MAX_ROUNDS; look++) {
    const to = start.map((s, j) => s + look * perBatch[j]);
    const from = start.map((s, j) => s + (look - 1) * perBatch[j]);
    if (!complete(source, points, from, to)) return { rounds, need: { points, from, to }, result: null, note: null };
    spent += batchSize;
    const lookAt = single ? level : lookLevel(look, level);
    const fit = cached(options.cache, `look ${look} ${explored}`, () =>
      fitDesign(
        frozen,
        points.map((p, j) => source.moments(p, start[j], to[j])),
        lookAt,
        { resamples: options.resamples },
      ),
    );
    rounds.push({
      round: rounds.length,
      phase: 'confirm',
      added: batchSize,
      spent,
      estimate: fit?.x ?? null,
      low: fit?.low ?? null,
      high: fit?.high ?? null,
      level: lookAt,
    });
    const result = (): MinimumGoalResult => ({
      fit,
      design: designInfo,
      looks: look,
      confirmed: look * batchSize,
      explored,
      spent,
    });
    const wide = fit === null || stop.targetWidth === undefined || fit.high - fit.low > stop.targetWidth;
    if (single || !wide) {
      if (!fit) note = 'the confirmatory batch found no minimum inside its design';
      return { rounds, need: null, result: result(), note };
    }
    if (spent + batchSize > stop.maxTrials || look === MAX_ROUNDS) {
      note ??=
        look === MAX_ROUNDS
          ? `the interval is wider than the target ${stop.targetWidth} after ${MAX_ROUNDS} batches`
          : `the interval is wider than the target ${stop.targetWidth}; another batch of ${count(batchSize)} would pass the cap of ${count(stop.maxTrials)}`;
      if (!fit) note = 'the confirmatory batches found no minimum inside their design';
      return { rounds, need: null, result: result(), note };
    }
  }
  return { rounds, need: null, result: null, note: `no answer after ${MAX_ROUNDS} confirmatory looks` };
}
