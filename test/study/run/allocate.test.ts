import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AllocationError,
  allocateBudget,
  allocateToTarget,
  largestRemainder,
  predictedRse,
  type PointError,
} from '../../../src/study/run/allocate.js';

const pts = (rses: (number | null)[], count = 10): PointError[] =>
  rses.map((rse, point) => ({ point, count, lossCount: count, rse }));

test('largest remainder: proportional, sums exactly, ties to the lower index', () => {
  assert.deepEqual(largestRemainder([1, 2, 3, 4], 10), [1, 2, 3, 4]);
  // quotas 0.7 1.4 2.1 2.8 -> floors 0 1 2 2 (5), the 2 left go to .8 (index 3) and .7 (index 0)
  assert.deepEqual(largestRemainder([1, 2, 3, 4], 7), [1, 1, 2, 3]);
  assert.deepEqual(largestRemainder([1, 1, 1], 2), [1, 1, 0]);
  assert.deepEqual(largestRemainder([0, 0], 3), [2, 1]);
});

test('a budget goes in proportion to the relative standard errors and sums to the budget', () => {
  assert.deepEqual(allocateBudget(pts([0.01, 0.02, 0.03, 0.04]), 100), [10, 20, 30, 40]);
  assert.deepEqual(allocateBudget(pts([0.01, 0.02, 0.03, 0.04]), 7), [1, 1, 2, 3]);
  // 0.05 : 0.15 : 0 : 0.3 of 1000 -> 100, 300, 0, 600
  assert.deepEqual(allocateBudget(pts([0.05, 0.15, 0, 0.3]), 1000), [100, 300, 0, 600]);
  for (const budget of [1, 13, 999, 12345]) {
    const a = allocateBudget(pts([0.013, 0.5, 0.0021, 0.07, 0.07]), budget);
    assert.equal(
      a.reduce((x, y) => x + y, 0),
      budget,
    );
  }
});

test('points with too few trials for a std are topped up to 2 first', () => {
  const points: PointError[] = [
    { point: 0, count: 0, lossCount: 0, rse: null },
    { point: 1, count: 1, lossCount: 1, rse: null },
    { point: 2, count: 10, lossCount: 10, rse: 0.1 },
    { point: 3, count: 10, lossCount: 10, rse: 0.3 },
  ];
  // 2 + 1 top-ups, then 8 split 1:3
  assert.deepEqual(allocateBudget(points, 11), [2, 1, 2, 6]);
  // A budget smaller than the top-ups is split among them.
  assert.deepEqual(allocateBudget(points, 2), [1, 1, 0, 0]);
});

test('a target RSE asks each point for n((rse/r)^2 - 1) more, with a cap', () => {
  const points = pts([0.02, 0.01, 0.005], 10);
  // 0.02 -> 0.01 needs 4x the trials: +30; 0.01 is already there; 0.005 too
  assert.deepEqual(allocateToTarget(points, 0.01), [30, 0, 0]);
  const extra = allocateToTarget(pts([0.037, 0.0123]), 0.01, 1e6);
  assert.ok(predictedRse(pts([0.037])[0], extra[0])! <= 0.01);
  assert.ok(predictedRse(pts([0.037])[0], extra[0] - 1)! > 0.01);
  assert.throws(
    () => allocateToTarget(points, 0.0001, 1000),
    (e: Error) => e instanceof AllocationError && /over the cap of 1,000/.test(e.message),
  );
  assert.throws(() => allocateToTarget(points, 0), AllocationError);
});
