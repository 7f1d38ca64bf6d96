// prepareReproduction against a real SQLite file: every definition is checked before any is registered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { builtinDataset } from '../../src/core/index.js';
import { openSqliteStore } from '../../src/store/sqlite/open.js';
import { resolveStudy } from '../../src/study/definition/definition.js';
import {
  ReproduceError,
  SCALES,
  prepareReproduction,
  reproductionStudies,
  resolveReproduction,
} from '../../src/article/reproduce.js';
import { tempDir } from '../helpers/cli.js';

test('a conflict in the third study registers none of the seventeen', async () => {
  const store = openSqliteStore(join(tempDir(), 'p.db'));
  try {
    const third = reproductionStudies(SCALES.quick, 'c').textbookCurve;
    const other = resolveStudy({ ...third, repeats: 3 });
    await store.ensureStudy(other.definition.name, other.definition);
    await assert.rejects(
      prepareReproduction(store, resolveReproduction(SCALES.quick, 'c')),
      (e: Error) =>
        e instanceof ReproduceError &&
        /study "c-textbook-curve" already exists with a different definition/.test(e.message),
    );
    assert.deepEqual(
      (await store.listStudies()).map((s) => s.name),
      ['c-textbook-curve'],
    );
    // Under another prefix all seventeen are registered (the first part's four, the goal-directed designs' two, the
    // next questions' eleven: one per setting).
    await prepareReproduction(store, resolveReproduction(SCALES.quick, 'd'), {
      datasets: { xor: builtinDataset('xor') },
      request: {},
    });
    assert.deepEqual((await store.listStudies()).map((s) => s.name).sort(), [
      'c-textbook-curve',
      'd-activation-elu',
      'd-activation-leaky-relu',
      'd-activation-relu',
      'd-activation-sigmoid',
      'd-activation-tanh',
      'd-claims',
      'd-curve',
      'd-goal-claims',
      'd-goal-curve',
      'd-loss-bce',
      'd-loss-mse',
      'd-schedule-constant',
      'd-schedule-cosine',
      'd-schedule-exponential',
      'd-schedule-step',
      'd-textbook-claims',
      'd-textbook-curve',
    ]);
  } finally {
    await store.close();
  }
});

test('both scales resolve: the next questions add 9,400 trainings at quick scale and 1,060,000 at paper scale', () => {
  const size = (s: { pointCount: number; definition: { repeats: number } }) => s.pointCount * s.definition.repeats;
  const quick = resolveReproduction(SCALES.quick, 'q');
  assert.deepEqual([...quick.activations, ...quick.losses, ...quick.schedules].map(size), [
    ...Array<number>(5).fill(10 * 60),
    4 * 8 * 40,
    4 * 8 * 40,
    ...Array<number>(4).fill(8 * 120),
  ]);
  // A question's studies share one root seed and one grid (paired by seed); the questions and the first part differ.
  for (const group of [quick.activations, quick.losses, quick.schedules]) {
    assert.equal(new Set(group.map((s) => s.definition.seed)).size, 1);
    assert.equal(new Set(group.map((s) => JSON.stringify(s.definition.sweep))).size, 1);
  }
  assert.equal(
    new Set(
      [quick.curve, quick.claims, quick.activations[0], quick.losses[0], quick.schedules[0], ...quick.goal].map(
        (s) => s.definition.seed,
      ),
    ).size,
    7,
  );
  // The goal-directed designs: the curve's 60 stds x 5 and the two compared stds x 100, beside the others by name.
  assert.deepEqual(
    quick.goal.map((s) => [s.definition.name, size(s)]),
    [
      ['q-goal-curve', 300],
      ['q-goal-claims', 200],
    ],
  );
  const paper = resolveReproduction(SCALES.paper, 'p');
  // At paper scale the goal-directed designs start from the article's 400 stds x 10 and 1,000 at each compared std.
  assert.deepEqual(
    paper.goal.map((s) => size(s)),
    [4_000, 2_000],
  );
  assert.equal(
    [...paper.activations, ...paper.losses, ...paper.schedules].reduce((n, s) => n + size(s), 0),
    1_060_000,
  );
});
