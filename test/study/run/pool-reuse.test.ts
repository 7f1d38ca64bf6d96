// The sweep's worker threads outlive their pool (src/study/run/pool.ts keeps them for the next pool of the process):
// a kept thread must train with the new pool's engine, precision and datasets, never the pool's before it.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSqliteStore } from '../../../src/store/sqlite/open.js';
import { runStudy } from '../../../src/study/run/run-study.js';
import type { StudyDefinitionInput } from '../../../src/study/definition/definition.js';
import { collect, tempDir } from '../../helpers/cli.js';

const dir = tempDir();
// A truth table of its own (OR): a thread still holding the XOR pool's datasets would train on XOR.
const orTable = join(dir, 'or.csv');
writeFileSync(orTable, 'x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,1\n');

const onOr: StudyDefinitionInput = {
  name: 'or',
  config: { epochs: 300, dataset: orTable },
  sweep: { hiddenStd: [0.5, 1, 2] },
  repeats: 4,
  seed: 9,
};
const onXor: StudyDefinitionInput = {
  name: 'xor',
  config: { epochs: 300 },
  sweep: { hiddenStd: [0.5, 1, 2] },
  repeats: 4,
  seed: 9,
};

/** The study's trials as stored, in a fresh database. */
async function trials(definition: StudyDefinitionInput, options: { engine: 'fast' | 'reference' }, db: string) {
  const store = openSqliteStore(join(dir, db));
  try {
    await runStudy(definition, { store, workers: 2, ...options });
    return await collect(store.iterateTrials(definition.name));
  } finally {
    await store.close();
  }
}

test("a pool's threads kept for the next pool train with that pool's engine and datasets", async () => {
  const first = await trials(onOr, { engine: 'reference' }, 'first.db');
  // Another engine and another truth table in between, on the same threads.
  const xor = await trials(onXor, { engine: 'fast' }, 'xor.db');
  const again = await trials(onOr, { engine: 'reference' }, 'again.db');
  assert.deepEqual(again, first);
  assert.equal(first.length, 12);
  // The check can fail: the same seeds on XOR with the fast engine give other trials.
  assert.notDeepEqual(
    xor.map((row) => row.totalLoss),
    first.map((row) => row.totalLoss),
  );
});
