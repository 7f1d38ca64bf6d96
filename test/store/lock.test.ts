import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteStore, StoreError } from '../../src/store/index.js';
import { tempDir } from '../helpers/cli.js';
import { sha1, trial } from './fixtures.js';

const LOCK_HOLDER = fileURLToPath(new URL('../cli/lock-holder.cjs', import.meta.url));

test('writing to a database another process holds: StoreError after the short busy timeout, file untouched', async () => {
  const path = join(tempDir(), 'locked.db');
  const store = openSqliteStore(path);
  await store.ensureStudy('s', {});
  await store.insertTrials([trial('s', 0, 0, 1)]);
  await store.close();

  // A writer between commits: a second writer waits, then reports the lock (readers are not blocked).
  const holder = spawn(process.execPath, [LOCK_HOLDER, path, 'write'], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    holder.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve());
    holder.on('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
  try {
    const before = sha1(path);
    const writer = openSqliteStore(path);
    const started = Date.now();
    await assert.rejects(
      async () => await writer.insertTrials([trial('s', 0, 1, 2)]),
      (e: unknown) => e instanceof StoreError && /locked by another process/.test(e.message),
    );
    assert.ok(Date.now() - started < 5000, 'the busy timeout is short');
    assert.equal((await writer.summarize('s'))[0].count, 1);
    await writer.close();
    assert.equal(sha1(path), before);
  } finally {
    holder.stdin.end();
    await new Promise((resolve) => holder.on('exit', resolve));
  }
  const after = openSqliteStore(path);
  assert.equal(await after.insertTrials([trial('s', 0, 1, 2)]), 1, 'writable again once the other process is gone');
  await after.close();
});
