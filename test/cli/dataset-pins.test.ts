// A study on a dataset file pins the file's truth table: editing the file between `sweep` and `refine` (or a
// resumed sweep) is refused in one line instead of mixing two truth tables in one study.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/index.js';
import { resolveStudy } from '../../src/study/definition/definition.js';
import { datasetDigest } from '../../src/study/run/pins.js';
import { builtinDataset } from '../../src/core/index.js';
import { runCli, tempDir, usageErrorLine } from '../helpers/cli.js';
import { sha1 } from '../store/fixtures.js';

const XOR = 'a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n';
const AND = 'a,b,y\n0,0,0\n0,1,0\n1,0,0\n1,1,1\n';

test('a dataset file edited after the study was stored is refused by refine and by a resumed sweep; the database is untouched', async () => {
  const dir = tempDir();
  const db = join(dir, 'pins.db');
  const table = join(dir, 'table.csv');
  writeFileSync(table, XOR);
  const sweep = [
    'sweep',
    '--name',
    'p',
    '--dataset',
    table,
    '--sweep',
    'hiddenStd=0.5,1',
    '--repeats',
    '3',
    '--epochs',
    '30',
    '--db',
    db,
  ];
  assert.equal(runCli(sweep).status, 0);
  const store = openSqliteStore(db, { readonly: true });
  const definition = (await store.getStudy('p'))?.definition as { datasets?: Record<string, string> };
  await store.close();
  assert.deepEqual(
    definition.datasets,
    { [table]: datasetDigest(builtinDataset('xor')) },
    'the stored definition pins the table',
  );

  // Comments and spacing are not the table: the same numbers pass.
  writeFileSync(table, `# the XOR gate\n${XOR.replace(/,/g, ', ')}`);
  assert.equal(runCli(['refine', 'p', '--budget', '2', '--db', db]).status, 0);

  writeFileSync(table, AND);
  const before = sha1(db);
  const changed =
    /the dataset file .*table\.csv has changed since study "p" was stored .*; restore the file as it was, or run the new table as another study under another --name/;
  assert.match(usageErrorLine(runCli(['refine', 'p', '--budget', '5', '--db', db])), changed);
  assert.match(usageErrorLine(runCli(['sweep', '--name', 'p', '--db', db])), changed);
  assert.match(usageErrorLine(runCli(sweep)), changed); // the same flags as the first run
  assert.equal(sha1(db), before);
  // Restored, it goes on.
  writeFileSync(table, XOR);
  assert.equal(runCli(['refine', 'p', '--budget', '2', '--db', db]).status, 0);
});

test('a study stored before pins existed keeps working: resumed, refined and rerun with the same flags', async () => {
  const dir = tempDir();
  const db = join(dir, 'old.db');
  const table = join(dir, 'table.csv');
  writeFileSync(table, XOR);
  // Stored the way earlier versions stored it: the definition without "datasets".
  const study = resolveStudy({
    name: 'old',
    config: { dataset: table, epochs: 30 },
    sweep: { hiddenStd: '0.5,1' },
    repeats: 2,
    seed: 1,
  });
  const store = openSqliteStore(db);
  await store.ensureStudy('old', study.definition);
  await store.close();
  assert.equal(runCli(['sweep', '--name', 'old', '--db', db]).status, 0);
  const again = runCli([
    'sweep',
    '--name',
    'old',
    '--dataset',
    table,
    '--sweep',
    'hiddenStd=0.5,1',
    '--repeats',
    '2',
    '--epochs',
    '30',
    '--db',
    db,
  ]);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /all 4 trials are stored/);
  assert.equal(runCli(['refine', 'old', '--budget', '2', '--db', db]).status, 0);
  const reader = openSqliteStore(db, { readonly: true });
  const stored = (await reader.getStudy('old'))?.definition as object;
  await reader.close();
  assert.deepEqual(stored, study.definition, 'the stored definition was changed');
});
