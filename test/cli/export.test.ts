import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/index.js';
import type { TrialRow } from '../../src/store/types.js';
import { PARAMETER_NAMES } from '../../src/config/index.js';
import { collect, runCli, tempDir } from '../helpers/cli.js';
import { trial } from '../store/fixtures.js';
import { Double, EJSON, Int32, Long } from 'bson';

async function studyDb(dir: string): Promise<{ path: string; rows: TrialRow[] }> {
  const path = join(dir, 'study.db');
  const store = openSqliteStore(path);
  await store.ensureStudy('e', { e: 1 });
  await store.ensureStudy('other', { other: 1 });
  const rows = [
    trial('e', 0, 0, 10.25),
    trial('e', 0, 1, null),
    trial('e', 1, 0, 1 / 3, { engine: 'reference', precision: 'f32' }),
  ];
  // Out of order on purpose, and another study's rows that must not appear.
  await store.insertTrials([rows[2], trial('other', 0, 0, 5), rows[1], rows[0]]);
  await store.close();
  return { path, rows };
}

test('export writes every trial as CSV, ordered by (point, repeat), nulls empty, full precision', async () => {
  const { path } = await studyDb(tempDir());
  const r = runCli(['export', 'e', '--db', path]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trimEnd().split('\n'), [
    'study,point,repeat,hiddenStd,seed,totalLoss,finalLoss,success,epochsToThreshold,diverged,engine,precision',
    'e,0,0,0.5,0,10.25,0.001,1,100,0,fast,f64',
    'e,0,1,0.5,1,,,0,,1,fast,f64',
    `e,1,0,1,1000,${1 / 3},0.001,1,100,0,reference,f32`,
  ]);
});

test('export takes its parameter columns from the stored definition: a study with no trials yet still has them', async () => {
  const path = join(tempDir(), 'planned.db');
  const store = openSqliteStore(path);
  await store.ensureStudy('planned', { name: 'planned', sweep: { lr: '0.1,1', hiddenStd: '0.5,1' } });
  await store.close();
  const r = runCli(['export', 'planned', '--db', path]);
  assert.equal(r.status, 0, r.stderr);
  // Every configuration value is a column (the trial_rows view's columns), the swept ones among them.
  assert.equal(
    r.stdout,
    `study,point,repeat,${PARAMETER_NAMES.join(',')},seed,totalLoss,finalLoss,success,epochsToThreshold,diverged,engine,precision\n`,
  );
});

test('export --format jsonl --out FILE writes one TrialRow per line, equal to what was stored', async () => {
  const dir = tempDir();
  const { path, rows } = await studyDb(dir);
  const out = join(dir, 'trials.jsonl');
  const r = runCli(['export', 'e', '--db', path, '--format', 'jsonl', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  const lines = readFileSync(out, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as TrialRow);
  assert.deepEqual(lines, [rows[0], rows[1], rows[2]]);
  const bad = runCli(['export', 'e', '--db', path, '--format', 'xml']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--format must be one of csv, jsonl/);
});

test("export --format mongo writes the article's documents as Extended JSON that the bson parser reads back with their types", async () => {
  const dir = tempDir();
  const db = join(dir, 'm.db');
  const study = [
    'sweep',
    '--name',
    'm',
    '--sweep',
    'hiddenStd=0.5,2',
    '--output-std',
    '0.8165',
    '--repeats',
    '3',
    '--epochs',
    '200',
    '--seed',
    '4',
    '--workers',
    '1',
    '--db',
    db,
  ];
  assert.equal(runCli(study).status, 0);
  const store = openSqliteStore(db);
  // A whole-number total loss and a diverged trial: the types must survive them too.
  await store.insertTrials([
    trial('m', 0, 3, 6931, { params: { hiddenStd: 0.5 }, seed: 2 ** 53 - 1 }),
    trial('m', 1, 3, null, { params: { hiddenStd: 2 } }),
  ]);
  // The stored rows, ordered by (point, repeat) as export orders them (what --format jsonl prints: the test above).
  const jsonl = await collect(store.iterateTrials('m'));
  await store.close();
  const r = runCli(['export', 'm', '--format', 'mongo', '--db', db]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 8);
  lines.forEach((line, i) => {
    const doc = EJSON.parse(line, { relaxed: false }) as Record<string, unknown>;
    const want = jsonl[i];
    assert.deepEqual(Object.keys(doc).slice(0, 3), ['hidden_std_dev', 'output_std_dev', 'loss']);
    assert.ok(doc.hidden_std_dev instanceof Double && doc.hidden_std_dev.value === want.params.hiddenStd, line);
    assert.ok(doc.output_std_dev instanceof Double && doc.output_std_dev.value === 0.8165, line);
    if (want.totalLoss === null) assert.equal(doc.loss, null);
    else assert.ok(doc.loss instanceof Double && doc.loss.value === want.totalLoss, line);
    assert.ok(doc.seed instanceof Long && doc.seed.toNumber() === want.seed, line);
    assert.ok(doc.point instanceof Int32 && doc.point.value === want.point);
    assert.ok(doc.repeat instanceof Int32 && doc.repeat.value === want.repeat);
    assert.equal(doc.success, want.success);
    assert.equal(doc.diverged, want.diverged);
    assert.deepEqual([doc.study, doc.engine, doc.precision], [want.study, want.engine, want.precision]);
    if (want.finalLoss !== null) assert.ok(doc.finalLoss instanceof Double && doc.finalLoss.value === want.finalLoss);
  });
  assert.match(lines[3], /"loss":\{"\$numberDouble":"6931\.0"\}.*"seed":\{"\$numberLong":"9007199254740991"\}/);
});
