// The comparison goal's rounds (issue 21): how much B differs from A (the % difference of mean total losses, or the
// difference of success rates in points), toward a target width, within a budget, or until the interval excludes 0
// (or toward a width and until resolved at once: the batch sized for whichever it reaches first).
//
// Honest after a data-dependent stop: exploration rounds (every training so far, printed for watching only) choose
// the split between A and B and the size of one confirmatory batch; the batch is fresh repeats no decision looked
// at, run at that split, and the reported interval comes from it alone, one look at the stated level. So the
// interval keeps its coverage whatever rule stopped the exploration, and --until-resolved with a true difference
// of 0 claims one about as often as the level allows (test/study/goal/compare-goal.test.ts).
import { largestRemainder } from '../run/allocate.js';
import { rateDifference } from '../analysis/proportions.js';
import { compare, normalQuantile } from '../analysis/stats.js';
import type { MomentsSource, RangeMoments } from './moments.js';
import { MAX_ROUNDS, complete, count, type GoalRound, type GoalState, type GoalStop } from './rounds.js';

/** Share of the trainings (of the budget, or of the predicted batch) exploration may spend before the batch. */
const COMPARE_EXPLORE_SHARE = 0.2;
/** The predicted batch is scaled by this, so that its interval usually reaches the target. */
const SAFETY = 1.2;
/** Each point's least share of a round or a batch. */
const MIN_SHARE = 0.1;
/** The smallest round and batch: the % difference is a ratio, whose delta-method interval needs A's mean measured. */
const MIN_ROUND = 1000;

/**
 * How N trainings split between A and B to shrink the interval of the difference fastest: in proportion to each
 * point's standard deviation on the difference's scale (Neyman's allocation). For a % difference of means that is
 * the coefficient of variation std/mean; for a difference of rates, sqrt(p (1 - p)). Returns A's share and the
 * variance of the difference (in % or points, squared) for one training in all at that split.
 */
export function compareAllocation(scaleA: number, scaleB: number, ratio = 1): { shareA: number; unitVariance: number } {
  const a = Math.max(scaleA, 1e-9);
  const b = Math.max(scaleB, 1e-9);
  // Kept within [0.1, 0.9]: a split past 9:1 comes from a few noisy early trainings more often than from the points.
  const shareA = Math.min(1 - MIN_SHARE, Math.max(MIN_SHARE, a / (a + b)));
  return { shareA, unitVariance: (100 * ratio) ** 2 * (a ** 2 / shareA + b ** 2 / (1 - shareA)) };
}

/** The comparison's answer: B against A from the confirmatory batch alone. */
export interface CompareGoalResult {
  /** % difference of B's mean from A's (or, for success, B's rate minus A's in points), with its interval. */
  estimate: number;
  low: number;
  high: number;
  level: number;
  /** The interval excludes 0. */
  resolved: boolean;
  /** Trainings of the batch at A and B, and of them diverged ones left out of the means. */
  batch: { a: number; b: number };
  excluded: number;
  /** Exploration's trainings beyond the study's repeats, and all trainings beyond them. */
  explored: number;
  spent: number;
}

type CompareMetric = 'mean' | 'rate';

/** The estimate (% difference of means, or rate difference in points) and its interval over two samples. */
function compareRange(
  a: RangeMoments,
  b: RangeMoments,
  metric: CompareMetric,
  level: number,
): { estimate: number; low: number; high: number } | null {
  if (metric === 'rate') {
    const d = rateDifference({ successes: a.sum, n: a.n }, { successes: b.sum, n: b.n }, level);
    return d && { estimate: 100 * d.difference, low: 100 * d.low, high: 100 * d.high };
  }
  if (a.mean === null || b.mean === null) return null;
  const c = compare({ n: a.n, mean: a.mean, std: a.std }, { n: b.n, mean: b.mean, std: b.std }, level);
  return c && { estimate: c.percent, low: c.low, high: c.high };
}

function scale(mo: RangeMoments, metric: CompareMetric): number {
  if (metric === 'rate') {
    const p = mo.n > 0 ? (mo.sum + 1) / (mo.n + 2) : 0.5; // kept off 0 and 1, where sqrt(p(1-p)) says nothing
    return Math.sqrt(p * (1 - p));
  }
  return mo.std !== null && mo.mean ? mo.std / Math.abs(mo.mean) : NaN;
}

/** What the next round is: more exploration, or the batch (and why it is smaller than asked, if it is). */
function nextRound(
  stop: GoalStop,
  spent: number,
  lastRound: number,
  predicted: number,
): { phase: 'explore' | 'confirm'; size: number; note: string | null } {
  const grow = Math.max(MIN_ROUND, 2 * lastRound);
  if (stop.budget !== undefined) {
    const explore = Math.floor(COMPARE_EXPLORE_SHARE * stop.budget);
    if (spent < explore) return { phase: 'explore', size: Math.min(explore - spent, grow), note: null };
    return { phase: 'confirm', size: Math.max(0, stop.budget - spent), note: null };
  }
  const room = stop.maxTrials - spent;
  if (!Number.isFinite(predicted)) {
    if (room <= MIN_ROUND)
      return {
        phase: 'confirm',
        size: Math.max(0, room),
        note: `exploration could not predict the batch; it used the ${count(stop.maxTrials)} trainings allowed`,
      };
    return { phase: 'explore', size: Math.min(room - MIN_ROUND, grow), note: null };
  }
  const batch = Math.ceil(predicted);
  const capExplore = Math.floor(COMPARE_EXPLORE_SHARE * stop.maxTrials);
  if (spent + batch > stop.maxTrials && spent < capExplore) {
    // The target looks out of reach under the cap: first better exploration (its share of the cap), then the batch.
    return { phase: 'explore', size: Math.min(capExplore - spent, grow), note: null };
  }
  if (spent >= COMPARE_EXPLORE_SHARE * batch || spent + batch >= stop.maxTrials) {
    if (spent + batch > stop.maxTrials) {
      return {
        phase: 'confirm',
        size: Math.max(0, room),
        note: `the target needs a batch of about ${count(batch)} trainings; the batch got the ${count(Math.max(0, room))} left under the cap of ${count(stop.maxTrials)}`,
      };
    }
    return { phase: 'confirm', size: batch, note: null };
  }
  return { phase: 'explore', size: Math.min(Math.ceil(COMPARE_EXPLORE_SHARE * batch) - spent, grow), note: null };
}

/** Replays the rounds of a comparison of points A and B (see the top of this file). */
export function replayCompare(
  pointA: number,
  pointB: number,
  source: MomentsSource,
  base: number,
  metric: CompareMetric,
  stop: GoalStop,
): GoalState<CompareGoalResult> {
  const level = stop.level ?? 0.95;
  const z = normalQuantile(1 - (1 - level) / 2);
  const points = [pointA, pointB];
  let targets = [base, base];
  const rounds: GoalRound[] = [];
  if (!complete(source, points, [0, 0], targets))
    return { rounds, need: { points, from: [0, 0], to: targets }, result: null, note: null };
  let spent = 0;
  let lastRound = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const [a, b] = points.map((p, i) => source.moments(p, 0, targets[i]));
    const now = compareRange(a, b, metric, level);
    rounds.push({
      round,
      phase: 'explore',
      added: lastRound,
      spent,
      estimate: now?.estimate ?? null,
      low: now?.low ?? null,
      high: now?.high ?? null,
      level,
    });
    const ratio = metric === 'mean' && a.mean && b.mean !== null ? b.mean / a.mean : 1;
    const { shareA, unitVariance } = compareAllocation(scale(a, metric), scale(b, metric), ratio);
    // Toward a width, until resolved, or both: the batch that reaches whichever comes first.
    let predicted = Infinity;
    if (Number.isFinite(unitVariance)) {
      if (stop.targetWidth !== undefined)
        predicted = SAFETY * ((2 * z * Math.sqrt(unitVariance)) / stop.targetWidth) ** 2;
      if (stop.untilResolved && now && now.estimate !== 0) {
        // The batch that resolves the difference seen so far with 90% power.
        const resolving =
          SAFETY * (((z + normalQuantile(0.9)) * Math.sqrt(unitVariance)) / Math.abs(now.estimate)) ** 2;
        predicted = Math.min(predicted, resolving);
      }
    }
    const next = nextRound(stop, spent, lastRound, predicted);
    // Neither a round nor the batch smaller than MIN_ROUND (within what the budget or the cap leaves).
    const left = (stop.budget ?? stop.maxTrials) - spent;
    // An exploration round takes at most half of what is left, so that a cap below MIN_ROUND still leaves the batch
    // its part (before, a cap of 300 went whole to exploration and the batch was padded past it).
    const floor = Math.max(next.size, Math.min(MIN_ROUND, left));
    const size = next.phase === 'explore' ? Math.min(floor, Math.floor(left / 2)) : floor;
    let add = largestRemainder([shareA, 1 - shareA], size);
    if (next.phase === 'confirm') add = add.map((k) => Math.max(k, 2));
    const added = add[0] + add[1];
    const to = [targets[0] + add[0], targets[1] + add[1]];
    if (!complete(source, points, targets, to))
      return { rounds, need: { points, from: targets, to }, result: null, note: null };
    if (next.phase === 'confirm') {
      const [ca, cb] = points.map((p, i) => source.moments(p, targets[i], to[i]));
      const final = compareRange(ca, cb, metric, level);
      const explored = spent;
      spent += added;
      rounds.push({
        round: round + 1,
        phase: 'confirm',
        added,
        spent,
        estimate: final?.estimate ?? null,
        low: final?.low ?? null,
        high: final?.high ?? null,
        level,
      });
      if (!final) return { rounds, need: null, result: null, note: 'the confirmatory batch gave no estimate' };
      let note = next.note;
      const resolved = final.low > 0 || final.high < 0;
      const wide = stop.targetWidth !== undefined && final.high - final.low > stop.targetWidth;
      if (stop.untilResolved && stop.targetWidth !== undefined) {
        if (wide && !resolved)
          note ??= `neither resolved nor within the target ${stop.targetWidth}: the confirmatory interval includes 0`;
      } else {
        if (wide)
          note ??= `the batch's interval is wider than the target ${stop.targetWidth}: exploration predicted it narrower`;
        if (stop.untilResolved && !resolved) note ??= 'not resolved: the confirmatory interval includes 0';
      }
      const excluded = ca.present - ca.n + (cb.present - cb.n);
      return {
        rounds,
        need: null,
        result: { ...final, level, resolved, batch: { a: add[0], b: add[1] }, excluded, explored, spent },
        note,
      };
    }
    targets = to;
    spent += added;
    lastRound = added;
  }
  return { rounds, need: null, result: null, note: `no answer after ${MAX_ROUNDS} rounds` };
}
