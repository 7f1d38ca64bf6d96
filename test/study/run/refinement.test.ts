// Refine's allocation in process, on a real SQLite file holding trials written straight into it (no training): each
// point's relative standard error from the stored summary, where a budget goes and what it predicts, the checks of
// the options and the per-study cap, the repeat indices reserved for the new trials, and a dry run of refineStudy.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSqliteStore } from '../../../src/store/sqlite/open.js';
import { MAX_STUDY_TRIALS, resolveStudy } from '../../../src/study/definition/definition.js';
import { AllocationError } from '../../../src/study/run/allocate.js';
import { planRefinement, refineStudy } from '../../../src/study/run/refine.js';
import { pointErrors, reserveAdditional } from '../../../src/study/run/stored.js';
import { StudyError } from '../../../src/study/definition/types.js';
import { trial } from '../../store/fixtures.js';
import { tempDir } from '../../helpers/cli.js';

const dir = tempDir();
const study = resolveStudy({
  name: 'r',
  config: { epochs: 50 },
  sweep: { hiddenStd: [0.5, 1, 2] },
  repeats: 2,
  seed: 1,
});
const params = (point: number) => study.pointParams(point);

/** Point 0: losses 1, 3 (mean 2, standard error 1: rse 0.5). Point 1: 4, 6, 4, 6 (mean 5, standard error
 * sqrt(4/3)/2: rse 0.11547). Point 2: one diverged trial (no estimate). */
async function storedStudy(file: string): Promise<ReturnType<typeof openSqliteStore>> {
  const store = openSqliteStore(join(dir, file));
  await store.ensureStudy('r', study.definition);
  const losses: [number, number, number | null][] = [
    [0, 0, 1],
    [0, 1, 3],
    [1, 0, 4],
    [1, 1, 6],
    [1, 2, 4],
    [1, 3, 6],
    [2, 0, null],
  ];
  await store.insertTrials(
    losses.map(([point, repeat, loss]) => trial('r', point, repeat, loss, { params: params(point) })),
  );
  return store;
}

test("pointErrors: each point's count, non-diverged count and relative standard error from the stored summary", async () => {
  const store = await storedStudy('errors.db');
  try {
    const errors = await pointErrors(store, study);
    assert.deepEqual(
      errors.map(({ point, count, lossCount }) => ({ point, count, lossCount })),
      [
        { point: 0, count: 2, lossCount: 2 },
        { point: 1, count: 4, lossCount: 4 },
        { point: 2, count: 1, lossCount: 0 },
      ],
    );
    assert.ok(Math.abs(errors[0].rse! - 0.5) < 1e-12, String(errors[0].rse));
    assert.ok(Math.abs(errors[1].rse! - Math.sqrt(4 / 3) / 2 / 5) < 1e-12, String(errors[1].rse));
    assert.equal(errors[2].rse, null);
  } finally {
    await store.close();
  }
});

test('planRefinement: a budget split by relative error, what it predicts, and the counts', async () => {
  const store = await storedStudy('plan.db');
  try {
    const errors = await pointErrors(store, study);
    const plan = planRefinement(study, errors, { budget: 10 });
    assert.equal(plan.total, 10);
    assert.equal(plan.stored, 7);
    assert.equal(
      plan.extra.reduce((a, k) => a + k, 0),
      10,
    );
    // The point without two trials is topped up to two first (1); the other 9 go 0.5 : 0.115 (quotas 7.3 and 1.7).
    assert.deepEqual(plan.extra, [7, 2, 1]);
    assert.equal(plan.largestRse, errors[0].rse);
    // Predicted: rse x sqrt(n / (n + k)) at each point, the largest of them.
    const predicted = Math.max(
      errors[0].rse! * Math.sqrt(2 / (2 + plan.extra[0])),
      errors[1].rse! * Math.sqrt(4 / (4 + plan.extra[1])),
    );
    assert.ok(Math.abs(plan.predictedLargestRse! - predicted) < 1e-12, `${plan.predictedLargestRse} vs ${predicted}`);
    // A target asks each point for as many as it needs; one already below it gets none.
    const target = planRefinement(study, errors, { targetRse: 0.2 });
    // Point 0: 2 x ((0.5 / 0.2)^2 - 1) = 10.5 -> 11; point 2 topped up to two.
    assert.deepEqual(target.extra, [11, 0, 1]);
    assert.ok(target.predictedLargestRse! <= 0.2, String(target.predictedLargestRse));
  } finally {
    await store.close();
  }
});

test('planRefinement refuses options that plan nothing sensible, named as the caller names them, and the cap', async () => {
  const store = await storedStudy('checks.db');
  try {
    const errors = await pointErrors(store, study);
    assert.throws(() => planRefinement(study, errors, {}), AllocationError);
    assert.throws(
      () => planRefinement(study, errors, { budget: 1, targetRse: 0.1 }),
      /^AllocationError: give exactly one of budget or targetRse$/,
    );
    const flags = { budget: '--budget', targetRse: '--target-rse', maxTrials: '--max-trials' };
    assert.throws(() => planRefinement(study, errors, {}, flags), /give exactly one of --budget or --target-rse/);
    assert.throws(() => planRefinement(study, errors, { budget: 0 }, flags), /--budget must be an integer from 1/);
    assert.throws(() => planRefinement(study, errors, { budget: 1.5 }), /budget must be an integer from 1/);
    assert.throws(() => planRefinement(study, errors, { targetRse: 0 }), /targetRse must be a number > 0, got 0/);
    assert.throws(
      () => planRefinement(study, errors, { targetRse: 0.1, maxTrials: 0 }),
      /maxTrials must be an integer/,
    );
    // A target that needs more than maxTrials.
    assert.throws(() => planRefinement(study, errors, { targetRse: 1e-6, maxTrials: 100 }), AllocationError);
    // The cap of trials per study counts the stored ones.
    assert.throws(
      () => planRefinement(study, errors, { budget: MAX_STUDY_TRIALS }),
      (error: unknown) =>
        error instanceof StudyError &&
        /study r holds 7 trials; 100,000,000 more would pass the cap/.test(error.message),
    );
  } finally {
    await store.close();
  }
});

test('reserveAdditional: the new trials go after the stored repeats, and a second reservation gets others', async () => {
  const store = await storedStudy('reserve.db');
  try {
    const runs = (plan: Awaited<ReturnType<typeof reserveAdditional>>): string[] =>
      Array.from({ length: plan.runCount }, (_, i) => {
        const { point, start, end } = plan.run(i);
        return `${point}:${start}-${end}`;
      });
    const first = await reserveAdditional(store, study, [2, 0, 1]);
    assert.equal(first.size, 3);
    assert.deepEqual(runs(first), ['0:2-4', '2:1-2']);
    // Another refine of the same study at the same time: other indices, so both runs' trials are stored.
    const second = await reserveAdditional(store, study, [1, 1, 0]);
    assert.deepEqual(runs(second), ['0:4-5', '1:4-5']);
  } finally {
    await store.close();
  }
});

test('refineStudy with dryRun: the allocation per point, nothing run or written', async () => {
  const store = await storedStudy('dry.db');
  try {
    const result = await refineStudy('r', { store, budget: 10, dryRun: true });
    assert.equal(result.study, 'r');
    assert.equal(result.total, 10);
    assert.equal(result.run, null);
    // The points that get trials, in point order (as planRefinement's allocation gives them).
    const errors = await pointErrors(store, study);
    const { extra } = planRefinement(study, errors, { budget: 10 });
    assert.deepEqual(
      result.points.map((p) => [p.point, p.add]),
      extra.flatMap((k, point) => (k > 0 ? [[point, k]] : [])),
    );
    const zero = result.points.find((p) => p.point === 0)!;
    assert.deepEqual(zero.params, { hiddenStd: 0.5 });
    assert.equal(zero.trials, 2);
    assert.equal(zero.rse, 0.5);
    assert.equal(
      result.points.reduce((n, p) => n + p.add, 0),
      10,
    );
    assert.equal((await store.getStudy('r'))?.trialCount, 7);
    await assert.rejects(refineStudy('nope', { store, budget: 1 }), /there is no study "nope" in .*; studies: "?r"?/);
  } finally {
    await store.close();
  }
});
