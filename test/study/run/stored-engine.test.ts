// A study run with the fast engine in f32 holds some trials in f64 (those f32 could not carry, trained again in f64:
// src/engine/train-many.ts). Resuming or refining it in f32 goes on, whatever trial comes first; a study run in f64
// still refuses an f32 run (no mixing of engines in one study).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { openSqliteStore } from '../../../src/store/sqlite/open.js';
import { refineStudy } from '../../../src/study/run/refine.js';
import { runStudy } from '../../../src/study/run/run-study.js';
import type { StudyDefinitionInput } from '../../../src/study/definition/definition.js';
import { collect, tempDir } from '../../helpers/cli.js';

const dir = tempDir();

// ReLU at std 54.6 for 1,500 epochs: about three in four trials leave f32's range and are retried in f64.
const definition = (seed: number): StudyDefinitionInput => ({
  name: `relu-${seed}`,
  config: { activation: 'relu', hiddenStd: 54.6, outputStd: 0.8165, epochs: 1500, updateOrder: 'seed', bceClip: 1e-15 },
  sweep: { lr: [0.1, 0.2] },
  repeats: 4,
  seed,
});

test('an f32 study whose first stored trial was retried in f64 resumes and refines in f32; an f64 study still refuses f32', async () => {
  const store = openSqliteStore(join(dir, 'studies.db'));
  try {
    // The first root seed whose first trial (point 0, repeat 0) was retried, so the old rule (the first fast row tells
    // the precision) would read the study as f64.
    let found: number | null = null;
    for (let seed = 1; seed <= 20 && found === null; seed++) {
      await runStudy(definition(seed), { store, workers: 1 });
      const [first] = await collect(store.iterateTrials(`relu-${seed}`));
      if (first.precision === 'f64') found = seed;
    }
    assert.ok(found !== null, 'no seed in 1-20 has its first trial retried');
    const name = `relu-${found}`;
    const rows = await collect(store.iterateTrials(name));
    assert.ok(
      rows.some((r) => r.precision === 'f32'),
      'some trials stay f32',
    );
    // Run again (a resume) and refine, asking for f32 or leaving the engine to the stored trials: neither is refused
    // as mixing engines, and the new trials are trained in f32 (the old rule read the study as f64 and either refused
    // f32 or went on in f64).
    await runStudy(definition(found), { store, workers: 1, precision: 'f32' });
    await refineStudy(name, { store, workers: 1, budget: 4, precision: 'f32' });
    await refineStudy(name, { store, workers: 1, budget: 4 });
    const after = await collect(store.iterateTrials(name));
    assert.equal(after.length, 16);
    const added = after.filter((r) => r.repeat >= 4);
    assert.ok(
      added.some((r) => r.precision === 'f32'),
      `the refined trials are f32's: ${JSON.stringify(added.map((r) => r.precision))}`,
    );
    // A study run in f64 is still f64's: an f32 run is refused.
    await runStudy({ ...definition(found), name: 'relu-f64' }, { store, workers: 1, precision: 'f64' });
    await assert.rejects(
      refineStudy('relu-f64', { store, workers: 1, budget: 4, precision: 'f32' }),
      /would mix engines/,
    );
  } finally {
    await store.close();
  }
});
