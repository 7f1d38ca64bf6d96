import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openSqliteStore, type TrialRow } from '../../src/store/index.js';
import { tempDir } from '../helpers/cli.js';

const CHILD = fileURLToPath(new URL('./writer-child.ts', import.meta.url));

test('a writer SIGKILLed mid-stream loses at most its open batch and corrupts nothing', async () => {
  const path = join(tempDir(), 'killed.db');
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  let committed = -1;
  await new Promise<void>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const all = [...text.matchAll(/committed (\d+)/g)];
      if (all.length) committed = Number(all[all.length - 1][1]);
      if (committed >= 20 && !child.killed) child.kill('SIGKILL');
    });
    child.on('exit', () => resolve());
    child.on('error', reject);
  });
  assert.ok(committed >= 20, 'the child committed batches before it was killed');

  const db = new Database(path, { readonly: true });
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  db.close();
  // What `xorlab summary` does right after the crash: a read-only connection (it must recover the WAL's commits).
  const reader = openSqliteStore(path, { readonly: true });
  const trials = (await reader.getStudy('killed'))!.trialCount;
  await reader.close();
  const store = openSqliteStore(path);
  assert.equal(trials % 1000, 0, 'whole batches only');
  assert.ok(
    trials >= (committed + 1) * 1000,
    `every batch reported as committed is there (${trials} rows, ${committed + 1} batches)`,
  );
  // The per-point aggregates were committed with their rows: they agree with a recount.
  const kept = await store.summarize('killed');
  const recount = await store.recomputeSummary('killed');
  assert.deepEqual(
    kept.map((p) => p.count),
    recount.map((p) => p.count),
  );
  kept.forEach((p, i) =>
    assert.ok(Math.abs(p.mean! - recount[i].mean!) < 1e-9 && Math.abs(p.std! - recount[i].std!) < 1e-9),
  );
  // And the writer can go on where it stopped.
  let first: TrialRow | null = null;
  for await (const t of store.iterateTrials('killed')) {
    first = t;
    break; // an abandoned iteration must release the connection
  }
  assert.equal(await store.insertTrials([{ ...first!, repeat: 10_000_000 }]), 1);
  await store.close();
});
