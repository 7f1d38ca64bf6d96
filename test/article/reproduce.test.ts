// prepareReproduction against a real SQLite file: every definition is checked before any is registered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { builtinDataset } from '../../src/core/index.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { resolveStudy } from '../../src/study/definition.js';
import { ReproduceError, SCALES, prepareReproduction, reproductionStudies, resolveReproduction } from '../../src/article/reproduce.js';
import { tempDir } from '../helpers/cli.js';

test('a conflict in the third study registers none of the ten', async () => {
  const store = openSqliteStore(join(tempDir(), 'p.db'));
  try {
    const third = reproductionStudies(SCALES.quick, 'c').textbookCurve;
    const other = resolveStudy({ ...third, repeats: 3 });
    await store.ensureStudy(other.definition.name, other.definition);
    await assert.rejects(prepareReproduction(store, resolveReproduction(SCALES.quick, 'c')), (e: Error) => e instanceof ReproduceError && /study "c-textbook-curve" already exists with a different definition/.test(e.message));
    assert.deepEqual((await store.listStudies()).map((s) => s.name), ['c-textbook-curve']);
    // Under another prefix all ten are registered (the first part's four, the next questions' six: one per schedule).
    await prepareReproduction(store, resolveReproduction(SCALES.quick, 'd'), { datasets: { xor: builtinDataset('xor') }, request: {} });
    assert.deepEqual((await store.listStudies()).map((s) => s.name).sort(), ['c-textbook-curve', 'd-activation', 'd-claims', 'd-curve', 'd-loss', 'd-schedule-constant', 'd-schedule-cosine', 'd-schedule-exponential', 'd-schedule-step', 'd-textbook-claims', 'd-textbook-curve']);
  } finally {
    await store.close();
  }
});

test('both scales resolve: the next questions add 9,400 trainings at quick scale and 1,060,000 at paper scale', () => {
  const size = (s: { pointCount: number; definition: { repeats: number } }) => s.pointCount * s.definition.repeats;
  const quick = resolveReproduction(SCALES.quick, 'q');
  assert.deepEqual([size(quick.activation), size(quick.loss), ...quick.schedules.map(size)], [5 * 10 * 60, 2 * 4 * 8 * 40, 8 * 120, 8 * 120, 8 * 120, 8 * 120]);
  // The schedules share one root seed and one grid (paired by seed); the other studies have their own seeds.
  assert.deepEqual(new Set(quick.schedules.map((s) => s.definition.seed)).size, 1);
  assert.deepEqual(new Set(quick.schedules.map((s) => JSON.stringify(s.definition.sweep))).size, 1);
  assert.equal(new Set([quick.curve, quick.claims, quick.activation, quick.loss, quick.schedules[0]].map((s) => s.definition.seed)).size, 5);
  const paper = resolveReproduction(SCALES.paper, 'p');
  assert.equal(size(paper.activation) + size(paper.loss) + paper.schedules.reduce((n, s) => n + size(s), 0), 1_060_000);
});
