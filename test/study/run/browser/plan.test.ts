import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../../../../src/config/index.js';
import {
  chooseChunkSize,
  chunksOf,
  planAdditional,
  planMissing,
  planReserved,
  runsOf,
  trialSeconds,
  trialSeed,
  TrialPlan,
} from '../../../../src/study/run/browser/plan.js';

const pairs = (plan: TrialPlan) => Array.from(plan.trials(), ([p, r]) => `${p}:${r}`);
/** A store's answer (point -> runs) from lists of stored repeat indices. */
const runs = (entries: [number, Int32Array][]) => new Map(entries.map(([p, r]) => [p, runsOf(r)]));

test('planning finds exactly the missing (point, repeat) pairs', () => {
  assert.deepEqual(pairs(planMissing(2, 2, new Map())), ['0:0', '0:1', '1:0', '1:1']);
  const stored = runs([
    [0, Int32Array.from([0, 2])],
    [2, Int32Array.from([0, 1, 2])],
    [3, Int32Array.from([1, 5, 7])], // repeats beyond the study's (added by refine) do not count
  ]);
  assert.deepEqual(pairs(planMissing(4, 3, stored)), ['0:1', '1:0', '1:1', '1:2', '3:0', '3:2']);
  // Unsorted or repeated indices (another store) change nothing.
  assert.deepEqual(pairs(planMissing(1, 4, runs([[0, Int32Array.from([3, 0, 0, 9])]]))), ['0:1', '0:2']);
  assert.equal(
    planMissing(
      3,
      2,
      runs([
        [0, Int32Array.from([0, 1])],
        [1, Int32Array.from([0, 1])],
        [2, Int32Array.from([0, 1])],
      ]),
    ).size,
    0,
  );
});

test("refine's extra repeats continue after the largest stored repeat index", () => {
  const stored = runs([
    [0, Int32Array.from([0, 1, 2])],
    [1, Int32Array.from([0, 4])],
  ]);
  assert.deepEqual(pairs(planAdditional([2, 1, 3], stored)), ['0:3', '0:4', '1:5', '2:0', '2:1', '2:2']);
});

test("refine's extra repeats at reserved indices are numbered from the first index reserved at each point", () => {
  const firsts = new Map([
    [0, 3],
    [1, 5],
    [2, 0],
  ]);
  assert.deepEqual(pairs(planReserved([2, 1, 3, 0], firsts)), ['0:3', '0:4', '1:5', '2:0', '2:1', '2:2']);
  assert.throws(() => planReserved([1], new Map()), /no first repeat index for point 0/);
});

test("chunks cover the plan in order, with seeds derived from (root, point, repeat) and each point's configuration", () => {
  const plan = planMissing(5, 3, new Map());
  const configFor = (point: number) => defaultConfig({ hiddenStd: 0.1 * (point + 1) });
  const chunks = [...chunksOf(plan, 4, 42, configFor)];
  // Chunk 1 holds points 1 and 2 (repeats 1, 2 of point 1; 0, 1 of point 2): exactly their configurations.
  assert.deepEqual(Object.keys(chunks[1].configs).map(Number), [1, 2]);
  assert.deepEqual(chunks[1].configs[2], configFor(2));
  assert.deepEqual(
    chunks.map((c) => c.points.length),
    [4, 4, 4, 3],
  );
  assert.deepEqual(
    chunks.map((c) => c.id),
    [0, 1, 2, 3],
  );
  const all = chunks.flatMap((c) => Array.from(c.points, (p, i) => [p, c.repeats[i], c.seeds[i]]));
  assert.deepEqual(
    all,
    Array.from(plan.trials(), ([p, r]) => [p, r, trialSeed(42, p, r)]),
  );
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

test('a study at the trial cap plans as one run per point, and its first chunk is made alone', () => {
  // 1,000 points x 100,000 repeats = 100,000,000 trials, point 7 partly stored (with a gap): what a resumed run sees.
  const plan = planMissing(1000, 100_000, runs([[7, Int32Array.from([0, 1, 2, 10])]]));
  assert.equal(plan.size, 100_000_000 - 4);
  assert.equal(plan.runCount, 1001); // point 7 misses 3..9 and 11..99,999; every other point is one run
  assert.deepEqual(plan.run(7), { point: 7, start: 3, end: 10 });
  const first = chunksOf(plan, 4096, 5, () => defaultConfig()).next();
  assert.ok(!first.done);
  assert.equal(first.value.points.length, 4096);
  assert.deepEqual([first.value.repeats[0], first.value.repeats[4095]], [0, 4095]);
  assert.equal(first.value.seeds[4095], trialSeed(5, 0, 4095));
});

test('the same trials with the same seeds whatever the chunk size, across gaps and point boundaries', () => {
  const stored = runs([
    [0, Int32Array.from([1, 2, 5])],
    [2, Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])],
    [3, Int32Array.from([9])],
  ]);
  const plan = planMissing(5, 10, stored);
  const expected = Array.from(plan.trials(), ([p, r]) => [p, r, trialSeed(3, p, r)]);
  // Built trial by trial, the way the plan used to be: every (point, repeat) below 10 that is not stored.
  const eager: number[][] = [];
  const have = new Set(['0:1', '0:2', '0:5', '3:9', ...Array.from({ length: 10 }, (_, r) => `2:${r}`)]);
  for (let p = 0; p < 5; p++)
    for (let r = 0; r < 10; r++) if (!have.has(`${p}:${r}`)) eager.push([p, r, trialSeed(3, p, r)]);
  assert.deepEqual(expected, eager);
  for (const size of [1, 2, 3, 7, 10, 11, 36, 1000]) {
    const chunks = [...chunksOf(plan, size, 3, () => defaultConfig())];
    assert.ok(
      chunks.every(
        (c, i) => c.points.length === (i < chunks.length - 1 ? size : plan.size - size * (chunks.length - 1)),
      ),
      `size ${size}`,
    );
    assert.deepEqual(
      chunks.flatMap((c) => Array.from(c.points, (p, i) => [p, c.repeats[i], c.seeds[i]])),
      eager,
      `size ${size}`,
    );
  }
});

test('stored runs: any order, duplicates and adjacent indices make sorted disjoint runs', () => {
  assert.deepEqual([...runsOf([5, 0, 1, 1, 2, 7, 6, -1])], [0, 3, 5, 8]);
  assert.deepEqual([...runsOf([])], []);
  // A plan without what is stored: refine's plan after part of it ran.
  const plan = planAdditional([4, 0, 3], runs([[0, Int32Array.from([0, 1])]])); // 0:2..5, 2:0..2
  assert.deepEqual(
    pairs(
      plan.without(
        runs([
          [0, Int32Array.from([0, 1, 3])],
          [2, Int32Array.from([1, 2, 9])],
        ]),
      ),
    ),
    ['0:2', '0:4', '0:5', '2:0'],
  );
  assert.equal(TrialPlan.empty.size, 0);
  assert.deepEqual([...TrialPlan.empty.slices(4)], []);
});

test('chunks end on the 256-repeat aggregate blocks where they can, with the same trials and seeds', () => {
  // Point 0 from repeat 100 (refine after 100 stored), point 1 whole: 600 repeats each.
  const plan = TrialPlan.build((add) => {
    add(0, 100, 600);
    add(1, 0, 600);
  });
  const slices = [...plan.slices(300, 256)].map((s) => Array.from(s));
  assert.deepEqual(slices, [
    [0, 100, 256], // 156: the last block edge it reaches
    [0, 256, 512],
    [0, 512, 600, 1, 0, 212], // the run's end, then point 1 up to the room left (no block edge within it)
    [1, 212, 512],
    [1, 512, 600],
  ]);
  const aligned = [...chunksOf(plan, 300, 9, () => defaultConfig())].flatMap((c) =>
    Array.from(c.points, (p, i) => [p, c.repeats[i], c.seeds[i]]),
  );
  assert.deepEqual(
    aligned,
    Array.from(plan.trials(), ([p, r]) => [p, r, trialSeed(9, p, r)]),
  );
  // Smaller than a block: plain cuts.
  assert.deepEqual([...plan.slices(200, 256)].map((s) => Array.from(s)).slice(0, 2), [
    [0, 100, 300],
    [0, 300, 500],
  ]);
});
