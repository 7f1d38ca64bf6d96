// prepareReproduction against a real SQLite file: every definition is checked before any is registered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { builtinDataset } from '../../src/core/index.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { resolveStudy } from '../../src/study/definition.js';
import { ReproduceError, SCALES, prepareReproduction, reproductionStudies, resolveReproduction } from '../../src/article/reproduce.js';
import { tempDir } from '../helpers/cli.js';

test('a conflict in the third study registers none of the seven', async () => {
  const store = openSqliteStore(join(tempDir(), 'p.db'));
  try {
    const third = reproductionStudies(SCALES.quick, 'c').textbookCurve;
    const other = resolveStudy({ ...third, repeats: 3 });
    await store.ensureStudy(other.definition.name, other.definition);
    await assert.rejects(prepareReproduction(store, resolveReproduction(SCALES.quick, 'c')), (e: Error) => e instanceof ReproduceError && /study "c-textbook-curve" already exists with a different definition/.test(e.message));
    assert.deepEqual((await store.listStudies()).map((s) => s.name), ['c-textbook-curve']);
    // Under another prefix all seven are registered (the first part's four and the next questions' three).
    await prepareReproduction(store, resolveReproduction(SCALES.quick, 'd'), { datasets: { xor: builtinDataset('xor') }, request: {} });
    assert.deepEqual((await store.listStudies()).map((s) => s.name).sort(), ['c-textbook-curve', 'd-activation', 'd-claims', 'd-curve', 'd-loss', 'd-schedule', 'd-textbook-claims', 'd-textbook-curve']);
  } finally {
    await store.close();
  }
});

test('both scales resolve: the next questions add 9,400 trainings at quick scale and 1,060,000 at paper scale', () => {
  const size = (s: { pointCount: number; definition: { repeats: number } }) => s.pointCount * s.definition.repeats;
  const quick = resolveReproduction(SCALES.quick, 'q');
  assert.deepEqual([size(quick.activation), size(quick.loss), size(quick.schedule)], [5 * 10 * 60, 2 * 4 * 8 * 40, 4 * 8 * 120]);
  const paper = resolveReproduction(SCALES.paper, 'p');
  assert.equal(size(paper.activation) + size(paper.loss) + size(paper.schedule), 1_060_000);
});
