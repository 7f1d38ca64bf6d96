// prepareRun in process, on a real SQLite file: what a run of a study is before the worker pool (the study, its
// datasets checked against their pins, the engine the stored trials settle, the plan), and the stored engine rule on
// trials written straight into the store (no training: the rule reads only each row's engine and precision).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSqliteStore } from '../../../src/store/sqlite/open.js';
import type { TrialRow } from '../../../src/store/types.js';
import { resolveStudy, type StudyDefinitionInput } from '../../../src/study/definition/definition.js';
import { loadStudy, prepareRun, type PrepareOptions } from '../../../src/study/run/prepare.js';
import { trial } from '../../store/fixtures.js';
import { tempDir } from '../../helpers/cli.js';

const dir = tempDir();

/** Two points (hiddenStd 0.5 and 1) x 3 repeats of a short training. */
const definition = (name: string, extra: Partial<StudyDefinitionInput> = {}): StudyDefinitionInput => ({
  name,
  config: { epochs: 50 },
  sweep: { hiddenStd: [0.5, 1] },
  repeats: 3,
  seed: 1,
  ...extra,
});

const sweepOptions = (store: PrepareOptions['store'], engine?: PrepareOptions['engine']): PrepareOptions => ({
  store,
  engine,
  hint: 'the hint',
  plan: 'missing',
});

/** Stored trials of study `name`, each with the engine and precision given (in this order of repeats at point 0). */
function rows(name: string, engines: [TrialRow['engine'], TrialRow['precision']][], point = 0): TrialRow[] {
  return engines.map(([engine, precision], repeat) =>
    trial(name, point, repeat, 1, { params: { hiddenStd: 0.5 }, engine, precision }),
  );
}

test('a new study: registered, every trial planned, fast f32 unless asked otherwise', async () => {
  const store = openSqliteStore(join(dir, 'new.db'));
  try {
    const loaded = loadStudy(resolveStudy(definition('fresh')));
    assert.deepEqual(Object.keys(loaded.datasets), ['xor']);
    const run = await prepareRun(loaded, sweepOptions(store));
    assert.deepEqual(run.engine, { engine: 'fast', precision: 'f32' });
    assert.equal(run.plan.size, 6);
    assert.equal(run.study, loaded.study);
    assert.equal(run.datasets, loaded.datasets);
    assert.deepEqual((await store.getStudy('fresh'))?.definition, loaded.study.definition);
    // Asked for: as given, the other half from the defaults.
    const asked = await prepareRun(
      loadStudy(resolveStudy(definition('f64'))),
      sweepOptions(store, { precision: 'f64' }),
    );
    assert.deepEqual(asked.engine, { engine: 'fast', precision: 'f64' });
    const reference = await prepareRun(
      loadStudy(resolveStudy(definition('ref'))),
      sweepOptions(store, { engine: 'reference' }),
    );
    assert.deepEqual(reference.engine, { engine: 'reference', precision: 'f32' });
  } finally {
    await store.close();
  }
});

test('a resumed study plans only the trials the store misses', async () => {
  const store = openSqliteStore(join(dir, 'resume.db'));
  try {
    const loaded = loadStudy(resolveStudy(definition('half')));
    await prepareRun(loaded, sweepOptions(store));
    await store.insertTrials(
      rows('half', [
        ['fast', 'f32'],
        ['fast', 'f32'],
      ]),
    );
    const run = await prepareRun(loaded, sweepOptions(store));
    assert.equal(run.plan.size, 4);
    const planned: string[] = [];
    for (let i = 0; i < run.plan.runCount; i++) {
      const { point, start, end } = run.plan.run(i);
      planned.push(`${point}:${start}-${end}`);
    }
    assert.deepEqual(planned, ['0:2-3', '1:0-3']);
  } finally {
    await store.close();
  }
});

test('the stored engine rule: the stored trials settle what the options leave open, and refuse another engine', async () => {
  const store = openSqliteStore(join(dir, 'engine.db'));
  try {
    const settle = async (name: string, stored: [TrialRow['engine'], TrialRow['precision']][], asked = {}) => {
      const loaded = loadStudy(resolveStudy(definition(name)));
      await prepareRun(loaded, sweepOptions(store, asked));
      await store.insertTrials(rows(name, stored));
      return (await prepareRun(loaded, sweepOptions(store, asked))).engine;
    };
    assert.deepEqual(await settle('ref', [['reference', 'f64']]), { engine: 'reference', precision: 'f32' });
    assert.deepEqual(await settle('f64', [['fast', 'f64']]), { engine: 'fast', precision: 'f64' });
    // f32 runs store the trials f32 could not carry in f64: an f32 row after them says f32.
    assert.deepEqual(
      await settle('retried', [
        ['fast', 'f64'],
        ['fast', 'f32'],
      ]),
      { engine: 'fast', precision: 'f32' },
    );
    // What is asked and agrees with the stored trials stands.
    assert.deepEqual(await settle('asked', [['fast', 'f64']], { precision: 'f64' }), {
      engine: 'fast',
      precision: 'f64',
    });

    // Another engine than the stored trials': refused, nothing written.
    const loaded = loadStudy(resolveStudy(definition('ref')));
    await assert.rejects(
      prepareRun(loaded, sweepOptions(store, { engine: 'fast' })),
      /study "ref" holds trials trained with --engine reference; this run asks for --engine fast --precision f32, which would mix engines/,
    );
    await assert.rejects(
      prepareRun(loadStudy(resolveStudy(definition('f64'))), sweepOptions(store, { precision: 'f32' })),
      /holds trials trained with --engine fast --precision f64; this run asks for --engine fast --precision f32/,
    );
    assert.equal((await store.getStudy('ref'))?.trialCount, 1);
  } finally {
    await store.close();
  }
});

test('reference trials where the fast engine does not cover the point do not settle the engine', async () => {
  const store = openSqliteStore(join(dir, 'fallback.db'));
  try {
    // Adam is not covered by the fast engine: both engines train it with the reference engine.
    const loaded = loadStudy(resolveStudy(definition('adam', { config: { epochs: 50, optimizer: 'adam' } })));
    await prepareRun(loaded, sweepOptions(store));
    await store.insertTrials(rows('adam', [['reference', 'f64']]));
    assert.deepEqual((await prepareRun(loaded, sweepOptions(store))).engine, { engine: 'fast', precision: 'f32' });
    assert.deepEqual((await prepareRun(loaded, sweepOptions(store, { engine: 'reference' }))).engine, {
      engine: 'reference',
      precision: 'f32',
    });
  } finally {
    await store.close();
  }
});

test("plan 'none' reads only: nothing registered, nothing planned, the engine checked", async () => {
  const store = openSqliteStore(join(dir, 'none.db'));
  try {
    const fresh = await prepareRun(loadStudy(resolveStudy(definition('unstored'))), {
      ...sweepOptions(store),
      plan: 'none',
    });
    assert.equal(fresh.plan.size, 0);
    assert.deepEqual(fresh.engine, { engine: 'fast', precision: 'f32' });
    assert.equal(await store.getStudy('unstored'), null);

    const loaded = loadStudy(resolveStudy(definition('stored')));
    await prepareRun(loaded, sweepOptions(store));
    await store.insertTrials(rows('stored', [['reference', 'f64']]));
    const checked = await prepareRun(loaded, { ...sweepOptions(store), plan: 'none' });
    assert.deepEqual(checked.engine, { engine: 'reference', precision: 'f32' });
    await assert.rejects(
      prepareRun(loaded, { ...sweepOptions(store, { engine: 'fast' }), plan: 'none' }),
      /would mix engines/,
    );
  } finally {
    await store.close();
  }
});

test('a stored study of the same name with another definition is refused with the hint; nothing is written', async () => {
  const store = openSqliteStore(join(dir, 'other.db'));
  try {
    await prepareRun(loadStudy(resolveStudy(definition('taken'))), sweepOptions(store));
    const other = loadStudy(resolveStudy(definition('taken', { repeats: 5 })));
    await assert.rejects(
      prepareRun(other, sweepOptions(store)),
      /study "taken" already exists with a different definition \(.*repeats.*\); the hint$/,
    );
    assert.equal(((await store.getStudy('taken'))?.definition as { repeats: number }).repeats, 3);
  } finally {
    await store.close();
  }
});

test('loadStudy pins a dataset file and refuses it once it has changed', async () => {
  const file = join(dir, 'table.csv');
  writeFileSync(file, 'a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n');
  const study = resolveStudy(definition('pinned', { config: { epochs: 50, dataset: file } }));
  const loaded = loadStudy(study);
  const pin = loaded.study.definition.datasets?.[file];
  assert.match(pin ?? '', /^sha256:[0-9a-f]{64}$/);
  // The pinned definition loads again while the file is unchanged, and is refused once it holds another table.
  assert.equal(loadStudy(loaded.study).study.definition.datasets?.[file], pin);
  writeFileSync(file, 'a,b,y\n0,0,1\n0,1,1\n1,0,1\n1,1,0\n');
  assert.throws(
    () => loadStudy(loaded.study),
    /the dataset file .*table\.csv has changed since study "pinned" was stored/,
  );
  // Datasets given by the caller (the CLI loads them first) are the ones checked and kept, not the file's.
  const given = loadStudy(loaded.study, loaded.datasets);
  assert.equal(given.datasets, loaded.datasets);
  assert.equal(given.study.definition.datasets?.[file], pin);
  // A new study made from the changed file pins its new table.
  assert.notEqual(loadStudy(study).study.definition.datasets?.[file], pin);
});
