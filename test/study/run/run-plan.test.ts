// The worker pool end to end through the sources (workers load worker.ts through tsx), with a real SQLite file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinDataset, trainFromSeed } from '../../../src/core/index.js';
import { defaultConfig } from '../../../src/config/index.js';
import { openSqliteStore } from '../../../src/store/sqlite/open.js';
import type { TrialRow } from '../../../src/store/types.js';
import { resolveStudy } from '../../../src/study/definition/definition.js';
import { planMissing } from '../../../src/study/run/browser/plan.js';
import { runPlan } from '../../../src/study/run/run-plan.js';
import { trialSeed } from '../../../src/study/run/browser/plan.js';
import { collect } from '../../helpers/cli.js';

const definition = {
  name: 'small',
  config: { epochs: 150, outputStd: 0.8165, updateOrder: 'seed' },
  sweep: { hiddenStd: 'exp:-1:1:4' },
  repeats: 3,
  seed: 9,
};
const datasets = { xor: builtinDataset('xor') };

async function rowsOf(path: string): Promise<TrialRow[]> {
  const store = openSqliteStore(path, { readonly: true });
  try {
    return await collect(store.iterateTrials('small'));
  } finally {
    await store.close();
  }
}

async function sweepInto(path: string, workers: number, chunkSize: number): Promise<void> {
  const study = resolveStudy(definition);
  const store = openSqliteStore(path);
  try {
    await store.ensureStudy('small', study.definition);
    const plan = planMissing(study.pointCount, 3, await store.storedRuns('small'));
    const outcome = await runPlan({
      study,
      plan,
      store,
      datasets,
      workers,
      engine: { engine: 'reference', precision: 'f64' },
      chunkSize,
    });
    assert.equal(outcome.planned, 12);
    assert.equal(outcome.stored, 12);
    assert.equal(outcome.interrupted, false);
  } finally {
    await store.close();
  }
}

test('stored trials equal the reference engine on the derived seeds, whatever the workers and chunks', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xorlab-run-'));
  await sweepInto(join(dir, 'a.db'), 2, 5);
  await sweepInto(join(dir, 'b.db'), 1, 12);
  const a = await rowsOf(join(dir, 'a.db'));
  const b = await rowsOf(join(dir, 'b.db'));
  assert.equal(a.length, 12);
  assert.deepEqual(b, a);
  const study = resolveStudy(definition);
  for (const row of a) {
    assert.equal(row.seed, trialSeed(9, row.point, row.repeat));
    assert.deepEqual(row.params, study.pointParams(row.point));
    const m = trainFromSeed(
      defaultConfig({ ...definition.config, updateOrder: 'seed', hiddenStd: row.params.hiddenStd as number }),
      datasets.xor,
      row.seed,
    ).metrics;
    assert.equal(row.totalLoss, m.totalLoss);
    assert.equal(row.finalLoss, m.finalLoss);
    assert.equal(row.success, m.success);
    assert.equal(row.epochsToThreshold, m.epochsToThreshold);
    assert.equal(row.engine, 'reference');
    assert.equal(row.precision, 'f64');
  }
});

/** The abort tests' run: one worker, the reference engine, chunks of 10 trials. */
const oneWorker = { datasets, workers: 1, engine: { engine: 'reference', precision: 'f64' }, chunkSize: 10 } as const;

test('an aborted run stops dispatching and reports itself interrupted', async () => {
  const study = resolveStudy({ ...definition, name: 'abort', repeats: 50 });
  const controller = new AbortController();
  controller.abort();
  const written: number[] = [];
  const outcome = await runPlan({
    study,
    plan: planMissing(study.pointCount, 50, new Map()),
    store: { insertTrials: async (rows) => (written.push(rows.length), rows.length) },
    ...oneWorker,
    signal: controller.signal,
  });
  assert.equal(outcome.interrupted, true);
  assert.equal(outcome.completed, 0);
  assert.deepEqual(written, []);
});

test('an abort in the middle: the running chunks are handed over, the rest is not run', async () => {
  const study = resolveStudy({ ...definition, name: 'mid', repeats: 50 });
  const plan = planMissing(study.pointCount, 50, new Map());
  const controller = new AbortController();
  const handed: TrialRow[] = [];
  const outcome = await runPlan({
    study,
    plan,
    store: {
      insertTrials: async (rows) => {
        handed.push(...rows);
        controller.abort(); // after the first chunk's result
        return rows.length;
      },
    },
    ...oneWorker,
    signal: controller.signal,
  });
  assert.equal(outcome.planned, 200);
  assert.equal(outcome.interrupted, true);
  assert.ok(outcome.completed > 0 && outcome.completed < outcome.planned, `completed ${outcome.completed}`);
  // Every completed trial was handed over once, with its own seed.
  assert.equal(handed.length, outcome.completed);
  assert.equal(outcome.stored, outcome.completed);
  assert.equal(new Set(handed.map((r) => `${r.point}:${r.repeat}`)).size, handed.length);
  for (const row of handed) assert.equal(row.seed, trialSeed(9, row.point, row.repeat));
});
