// `xorlab recheck` as a command: its help, what it prints, bad input as one line (exit 2, nothing created), and a
// study with nothing to recheck left byte-identical. What it computes is tested in process (test/study/run/recheck.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteStore, type TrialRow } from '../../src/store/index.js';
import { collect, runCli, tempDir, usageErrorLine } from '../helpers/cli.js';

const RELU = {
  name: 'relu',
  config: { activation: 'relu', epochs: 300, outputStd: 0.8165 },
  sweep: { hiddenStd: [1, 4] },
  repeats: 4,
  seed: 2,
};

/** The real sweep, run once for the file (a CLI process and its worker cost about a second). */
let truthDb: string | undefined;
function truth(): string {
  if (truthDb !== undefined) return truthDb;
  const dir = tempDir();
  const file = join(dir, 'relu.json');
  writeFileSync(file, JSON.stringify(RELU));
  const sweep = runCli(['sweep', '--study-file', file, '--db', join(dir, 'truth.db'), '--workers', '1']);
  assert.equal(sweep.status, 0, sweep.stderr);
  return (truthDb = join(dir, 'truth.db'));
}

/** A real sweep's trials, two of them stored as an xorlab before the fix stored an f32 overflow, in a new file. */
async function oldDatabase(): Promise<string> {
  const dir = tempDir();
  const source = openSqliteStore(truth(), { readonly: true });
  const path = join(dir, 'old.db');
  const store = openSqliteStore(path);
  try {
    await store.ensureStudy('relu', (await source.getStudy('relu'))!.definition);
    const rows: TrialRow[] = (await collect(source.iterateTrials('relu'))).map((r) =>
      r.point === 1 && r.repeat < 2
        ? {
            ...r,
            totalLoss: null,
            finalLoss: null,
            success: false,
            epochsToThreshold: null,
            diverged: true,
            engine: 'fast',
            precision: 'f32',
          }
        : r,
    );
    await store.insertTrials(rows);
  } finally {
    await source.close();
    await store.close();
  }
  return path;
}

test('recheck --help says what it does and when to run it', () => {
  const r = runCli(['recheck', '--help']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /recompute in f64 the trials a study stored as diverged by the fast engine in f32/);
  assert.match(r.stdout, /Ctrl-C keeps the chunks done; run it again/);
  assert.match(r.stdout, /xorlab recheck relu-stds/);
});

test('recheck recomputes the trials and says how many; a second run and a clean study change nothing', async () => {
  const db = await oldDatabase();
  const summary = runCli(['summary', 'relu', '--db', db]);
  assert.match(summary.stderr, /2 trials are stored as diverged by the fast engine in f32/);
  const r = runCli(['recheck', 'relu', '--db', db]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    r.stdout,
    'study relu: rechecked 2 of 2 trials stored as diverged by the fast engine in f32, with the fast engine in f64: 2 now have a loss, 0 diverged in f64 too\n',
  );
  assert.doesNotMatch(runCli(['summary', 'relu', '--db', db]).stderr, /recheck/);
  const store = openSqliteStore(db, { readonly: true });
  const before = await collect(store.iterateTrials('relu'));
  await store.close();
  const again = runCli(['recheck', 'relu', '--db', db]);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stdout, 'study relu: no trial stored as diverged by the fast engine in f32; nothing to recheck\n');
  const reopened = openSqliteStore(db, { readonly: true });
  assert.deepEqual(await collect(reopened.iterateTrials('relu')), before);
  await reopened.close();
});

test('recheck: an unknown study or a missing database is one line, exit 2, nothing created', async () => {
  const db = await oldDatabase();
  const unknown = runCli(['recheck', 'nope', '--db', db]);
  assert.equal(unknown.status, 2);
  assert.match(usageErrorLine(unknown), /there is no study "nope" in .*; studies: relu/);
  const missing = join(tempDir(), 'none.db');
  const r = runCli(['recheck', 'relu', '--db', missing]);
  assert.equal(r.status, 2);
  assert.equal(existsSync(missing), false);
});
