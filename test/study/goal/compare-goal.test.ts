// The comparison goal in process: the split between A and B, and whether the reported interval keeps its coverage
// under each stopping rule, including --until-resolved with a true difference of 0 (means drawn directly by
// ./simulated.ts; seeded, so the same numbers every run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareAllocation, replayCompare } from '../../../src/study/goal/compare-goal.js';
import { SimulatedMoments, drive } from './simulated.js';

test("a comparison splits in proportion to each point's relative standard deviation", () => {
  const { shareA, unitVariance } = compareAllocation(0.3, 0.1);
  assert.ok(Math.abs(shareA - 0.75) < 1e-12);
  // At that split the variance of the % difference, 100^2 (cvA^2/nA + cvB^2/nB), is (cvA + cvB)^2 100^2 / N.
  assert.ok(Math.abs(unitVariance - 1e4 * 0.16) < 1e-9);
  assert.ok(unitVariance < 1e4 * (0.3 ** 2 / 0.5 + 0.1 ** 2 / 0.5));
});

/** Two points whose trainings' total losses have these means and a std of 1500 (or success rates). */
function compareRuns(
  studies: number,
  meanA: number,
  meanB: number,
  stop: { targetWidth?: number; budget?: number; untilResolved?: boolean; maxTrials?: number },
  rate = false,
) {
  let covered = 0;
  let claims = 0;
  let answered = 0;
  let spent = 0;
  const truth = rate ? 100 * (meanB - meanA) : 100 * (meanB / meanA - 1);
  for (let s = 1; s <= studies; s++) {
    const source = new SimulatedMoments(s, (p) => ({ mean: p === 0 ? meanA : meanB, sigma: 1500 }), rate);
    const state = drive(source, () =>
      replayCompare(0, 1, source, 10, rate ? 'rate' : 'mean', { maxTrials: 20_000, ...stop }),
    );
    if (!state.result) continue;
    answered++;
    spent += state.result.spent;
    if (state.result.low <= truth && truth <= state.result.high) covered++;
    if (state.result.resolved) claims++;
  }
  return { covered, claims, answered, spent: spent / Math.max(1, answered) };
}

test("a comparison's reported 95% interval keeps its coverage under each stopping rule", () => {
  for (const stop of [{ targetWidth: 6 }, { budget: 10_000 }, { untilResolved: true }]) {
    const { covered, answered } = compareRuns(400, 1500, 1470, stop);
    assert.equal(answered, 400);
    assert.ok(covered / answered >= 0.93, `${JSON.stringify(stop)}: covered ${covered} of ${answered}`);
  }
  // The difference of success rates (--metric success), in points.
  const rates = compareRuns(400, 0.8, 0.77, { targetWidth: 4, maxTrials: 40_000 }, true);
  assert.equal(rates.answered, 400);
  assert.ok(rates.covered / rates.answered >= 0.93, `success: covered ${rates.covered} of ${rates.answered}`);
});

test('a budget is spent exactly: exploration first, the rest in the confirmatory batch', () => {
  const source = new SimulatedMoments(1, () => ({ mean: 1500, sigma: 1500 }));
  const state = drive(source, () => replayCompare(0, 1, source, 10, 'mean', { budget: 5000, maxTrials: 1e6 }));
  assert.equal(state.result!.spent, 5000);
  assert.equal(source.trained, 20 + 5000);
  assert.deepEqual(
    state.rounds.map((r) => r.phase),
    ['explore', 'explore', 'confirm'],
  );
});

test('--until-resolved with a true difference of 0 rarely claims one; stopping when the interval first excludes 0 would', () => {
  const studies = 2000;
  const { claims } = compareRuns(studies, 1500, 1500, { untilResolved: true, maxTrials: 20_000 });
  // 5% expected (5.45% measured here); the allowance is two binomial standard errors of a 2,000-study estimate.
  assert.ok(
    claims / studies <= 0.05 + 2 * Math.sqrt((0.05 * 0.95) / studies),
    `claimed a difference in ${claims} of ${studies}`,
  );
  // The trap the confirmatory batch avoids: look after every round of 200 and stop at the first interval without 0.
  let naive = 0;
  for (let s = 1; s <= 500; s++) {
    const source = new SimulatedMoments(s, () => ({ mean: 1500, sigma: 1500 }));
    for (let n = 200; n <= 10_000; n += 200) {
      source.draw(0, n - 200, n);
      source.draw(1, n - 200, n);
      const a = source.moments(0, 0, n);
      const b = source.moments(1, 0, n);
      if (Math.abs((b.mean! - a.mean!) / Math.sqrt(a.stderr! ** 2 + b.stderr! ** 2)) > 1.96) {
        naive++;
        break;
      }
    }
  }
  assert.ok(naive / 500 > 0.1, `the naive rule claimed in ${naive} of 500`);
});

test('toward a width and until resolved at once: the batch is sized for whichever comes first, and the interval keeps its coverage', () => {
  // A large difference (10%) resolves long before the width of 2 points; the width alone would spend far more.
  const both = compareRuns(100, 1500, 1350, { targetWidth: 2, untilResolved: true, maxTrials: 200_000 });
  const width = compareRuns(100, 1500, 1350, { targetWidth: 2, maxTrials: 200_000 });
  assert.equal(both.answered, 100);
  assert.ok(both.spent < width.spent / 3, `both ${both.spent}, width alone ${width.spent}`);
  // Sized for 90% power at the difference exploration saw: 72 of 100 resolve (exploration's estimate is noisy).
  assert.ok(both.claims >= 60, `resolved ${both.claims} of 100`);
  // No difference: nothing to resolve, so the batch goes to the width, and a difference is rarely claimed.
  const none = compareRuns(400, 1500, 1500, { targetWidth: 6, untilResolved: true });
  assert.equal(none.answered, 400);
  assert.ok(none.covered / none.answered >= 0.93, `covered ${none.covered} of 400`);
  assert.ok(none.claims <= 0.05 * 400 + 6, `claimed ${none.claims} of 400`);
});

test('a cap below the smallest round is never passed: exploration takes half of it, the batch the rest', () => {
  for (const maxTrials of [300, 999]) {
    const source = new SimulatedMoments(maxTrials, (p) => ({ mean: p ? 1500 : 1480, sigma: 1300 }));
    const state = drive(source, () =>
      replayCompare(0, 1, source, 20, 'mean', { targetWidth: 1, untilResolved: true, maxTrials }),
    );
    assert.ok(source.trained - 40 <= maxTrials, `cap ${maxTrials}: trained ${source.trained - 40}`);
    assert.equal(state.result!.spent, source.trained - 40);
    assert.ok(state.result!.batch.a + state.result!.batch.b >= maxTrials / 2, JSON.stringify(state.result!.batch));
    assert.match(state.note!, /the target needs a batch of about [\d,]+ trainings; the batch got/);
  }
});
