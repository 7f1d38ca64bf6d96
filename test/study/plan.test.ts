import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../../src/config/index.js';
import { chooseChunkSize, chunksOf, planAdditional, planMissing, trialSeconds } from '../../src/study/plan.js';
import { trialSeed } from '../../src/study/plan.js';

const pairs = (plan: { points: Int32Array; repeats: Int32Array }) => Array.from(plan.points, (p, i) => `${p}:${plan.repeats[i]}`);

test('planning finds exactly the missing (point, repeat) pairs', () => {
  assert.deepEqual(pairs(planMissing(2, 2, new Map())), ['0:0', '0:1', '1:0', '1:1']);
  const stored = new Map([
    [0, Int32Array.from([0, 2])],
    [2, Int32Array.from([0, 1, 2])],
    [3, Int32Array.from([1, 5, 7])], // repeats beyond the study's (added by refine) do not count
  ]);
  assert.deepEqual(pairs(planMissing(4, 3, stored)), ['0:1', '1:0', '1:1', '1:2', '3:0', '3:2']);
  // Unsorted or repeated indices (another store) change nothing.
  assert.deepEqual(pairs(planMissing(1, 4, new Map([[0, Int32Array.from([3, 0, 0, 9])]]))), ['0:1', '0:2']);
  assert.equal(planMissing(3, 2, new Map([[0, Int32Array.from([0, 1])], [1, Int32Array.from([0, 1])], [2, Int32Array.from([0, 1])]])).points.length, 0);
});

test('refine\'s extra repeats are numbered from the first index reserved at each point', () => {
  const firsts = new Map([
    [0, 3],
    [1, 5],
    [2, 0],
  ]);
  assert.deepEqual(pairs(planAdditional([2, 1, 3, 0], firsts)), ['0:3', '0:4', '1:5', '2:0', '2:1', '2:2']);
  assert.throws(() => planAdditional([1], new Map()), /no first repeat index for point 0/);
});

test('chunks cover the plan in order, with seeds derived from (root, point, repeat) and each point\'s configuration', () => {
  const plan = planMissing(5, 3, new Map());
  const configFor = (point: number) => defaultConfig({ hiddenStd: 0.1 * (point + 1) });
  const chunks = [...chunksOf(plan, 4, 42, configFor)];
  // Chunk 1 holds points 1 and 2 (repeats 1, 2 of point 1; 0, 1 of point 2): exactly their configurations.
  assert.deepEqual(Object.keys(chunks[1].configs).map(Number), [1, 2]);
  assert.deepEqual(chunks[1].configs[2], configFor(2));
  assert.deepEqual(chunks.map((c) => c.points.length), [4, 4, 4, 3]);
  assert.deepEqual(chunks.map((c) => c.id), [0, 1, 2, 3]);
  const all = chunks.flatMap((c) => Array.from(c.points, (p, i) => [p, c.repeats[i], c.seeds[i]]));
  assert.deepEqual(all, pairs(plan).map((_, i) => [plan.points[i], plan.repeats[i], trialSeed(42, plan.points[i], plan.repeats[i])]));
});

test('chunk size: balanced over workers, bounded by the cost of a trial', () => {
  const fast = trialSeconds('fast', 10_000, 9, 4); // 0.4 ms
  const reference = trialSeconds('reference', 10_000, 9, 4); // 14 ms
  assert.equal(chooseChunkSize(100_000, 16, fast), 391);
  assert.equal(chooseChunkSize(4_000_000, 16, fast), 1250);
  assert.equal(chooseChunkSize(4_000_000, 16, reference), 35);
  assert.equal(chooseChunkSize(4_000_000, 16, trialSeconds('fast', 200, 9, 4)), 4096);
  assert.equal(chooseChunkSize(10, 2, fast), 1);
  // A bigger network costs more per epoch: parity8 (8 inputs, 256 samples) with 16 hidden units, 10,000 epochs.
  assert.equal(chooseChunkSize(4_000_000, 2, trialSeconds('reference', 10_000, 8 * 16 + 16 + 16 + 1, 256)), 1);
});
