// recheckStudy on a database as xorlab wrote it before f32 overflow was trained again in f64: a real sweep's rows,
// with some trials stored as that xorlab stored an f32 overflow (diverged, no metrics, engine fast/f32). Afterwards
// no such trial remains, each rechecked trial is the fast engine's f64 result for its seed to the bit, and every
// other trial and study is as it was. Against SQLite and a real PostgreSQL server.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { builtinDataset } from '../../../src/core/index.js';
import { trainMany } from '../../../src/engine/index.js';
import { openSqliteStore, openStore, type Store, type TrialRow } from '../../../src/store/index.js';
import { resolveStudy } from '../../../src/study/definition/definition.js';
import { recheckStudy } from '../../../src/study/run/recheck.js';
import { isStaleDiverged, staleDivergedTrials } from '../../../src/study/analysis/stale.js';
import { summarizeStudy } from '../../../src/study/analysis/summary.js';
import { runStudy } from '../../../src/study/run/run-study.js';
import { collect, tempDir } from '../../helpers/cli.js';
import { startPostgres } from '../../helpers/postgres.js';

const RELU = {
  name: 'relu',
  config: { activation: 'relu', epochs: 400, outputStd: 0.8165 },
  sweep: { hiddenStd: [0.5, 1, 2, 4] },
  repeats: 6,
  seed: 5,
};
const SIGMOID = { name: 'sigmoid', config: { epochs: 200 }, sweep: { hiddenStd: [0.5, 1] }, repeats: 4, seed: 8 };
const xor = builtinDataset('xor');

/** The trials made stale: what an xorlab before the fix stored for a trial whose f32 numbers overflowed. */
const isPicked = (row: TrialRow): boolean =>
  (row.point >= 2 && row.repeat % 2 === 0) || (row.point === 1 && row.repeat === 5);
const asStoredBefore = (row: TrialRow): TrialRow => ({
  ...row,
  totalLoss: null,
  finalLoss: null,
  success: false,
  epochsToThreshold: null,
  diverged: true,
  engine: 'fast',
  precision: 'f32',
});

/** A real sweep of both studies (fast engine, f32), then the same rows written into `store` as today's main writes
 * them, the picked ReLU trials stored diverged. Returns the rows as stored. */
async function fixture(store: Store): Promise<{ relu: TrialRow[]; sigmoid: TrialRow[] }> {
  const truth = openSqliteStore(join(tempDir(), 'truth.db'));
  try {
    for (const definition of [RELU, SIGMOID]) await runStudy(definition, { store: truth, workers: 1 });
    for (const name of ['relu', 'sigmoid']) await store.ensureStudy(name, (await truth.getStudy(name))!.definition);
    const relu = (await collect(truth.iterateTrials('relu'))).map((r) => (isPicked(r) ? asStoredBefore(r) : r));
    const sigmoid = await collect(truth.iterateTrials('sigmoid'));
    await store.insertTrials(relu);
    await store.insertTrials(sigmoid);
    return { relu, sigmoid };
  } finally {
    await truth.close();
  }
}

function recheckSuite(name: string, fresh: () => Promise<Store>): void {
  test(`${name}: recheck recomputes exactly the diverged fast/f32 trials in f64, in place; everything else is as it was`, async () => {
    const store = await fresh();
    try {
      const before = await fixture(store);
      const picked = before.relu.filter(isStaleDiverged);
      assert.equal(picked.length, 7);
      const summary = await summarizeStudy(store, 'relu');
      assert.equal(summary.staleDiverged, 7); // summary flags the study
      assert.equal((await summarizeStudy(store, 'sigmoid')).staleDiverged, 0);

      // A study that needs no recheck is not touched.
      assert.deepEqual(await recheckStudy(store, 'sigmoid'), {
        study: 'sigmoid',
        found: 0,
        rechecked: 0,
        stillDiverged: 0,
        interrupted: false,
      });

      // Interrupted after the first chunk (3 trials, committed whole); a rerun does the rest.
      const controller = new AbortController();
      const first = await recheckStudy(store, 'relu', {
        chunkSize: 3,
        signal: controller.signal,
        onChunk: () => controller.abort(),
      });
      assert.deepEqual([first.found, first.rechecked, first.interrupted], [7, 3, true]);
      assert.equal((await staleDivergedTrials(store, 'relu')).length, 4);
      const rest = await recheckStudy(store, 'relu', { chunkSize: 3 });
      assert.deepEqual([rest.found, rest.rechecked, rest.interrupted], [4, 4, false]);
      assert.equal(first.stillDiverged + rest.stillDiverged, 0); // f64 carries every one of them

      const after = await collect(store.iterateTrials('relu'));
      assert.equal(after.filter(isStaleDiverged).length, 0);
      const study = resolveStudy((await store.getStudy('relu'))!.definition);
      assert.equal(after.length, before.relu.length);
      after.forEach((row, i) => {
        const old = before.relu[i];
        if (!isStaleDiverged(old)) {
          assert.deepEqual(row, old); // every other trial as it was
          return;
        }
        const run = trainMany(study.pointConfig(row.point), xor, [row.seed], { engine: 'fast', precision: 'f64' });
        const m = run.metrics[0];
        assert.deepEqual(row, {
          ...old,
          totalLoss: m.totalLoss,
          finalLoss: m.finalLoss,
          success: m.success,
          epochsToThreshold: m.epochsToThreshold,
          diverged: m.diverged,
          engine: 'fast',
          precision: 'f64',
        });
        assert.ok(row.totalLoss !== null && Number.isFinite(row.totalLoss));
      });
      assert.deepEqual(await collect(store.iterateTrials('sigmoid')), before.sigmoid);
      // The kept aggregates are those of a study stored with these rows from the start (to the bit).
      const scratch = openSqliteStore(join(tempDir(), 'scratch.db'));
      try {
        await scratch.ensureStudy('relu', (await store.getStudy('relu'))!.definition);
        await scratch.insertTrials(after);
        assert.deepEqual(await store.summarize('relu'), await scratch.summarize('relu'));
      } finally {
        await scratch.close();
      }
      assert.equal((await summarizeStudy(store, 'relu')).staleDiverged, 0);
      // Nothing left: a second recheck changes nothing.
      assert.equal((await recheckStudy(store, 'relu')).found, 0);
    } finally {
      await store.close();
    }
  });
}

recheckSuite('sqlite', async () => openSqliteStore(join(tempDir(), 'old.db')));

const server = await startPostgres();
after(() => server.close());
recheckSuite('postgres', async () => openStore(await server.createDatabase()));
