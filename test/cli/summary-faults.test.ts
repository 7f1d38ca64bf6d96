// Faults through the real CLI: each is exit 2, one `xorlab: ...` line, no stack trace, and the file unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  existsSync,
  readFileSync,
  truncateSync,
  writeFileSync,
  openSync,
  writeSync,
  closeSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteStore } from '../../src/store/index.js';
import { runCli, tempDir, usageErrorLine } from '../helpers/cli.js';
import { sha1, trial } from '../store/fixtures.js';

const LOCK_HOLDER = fileURLToPath(new URL('./lock-holder.cjs', import.meta.url));

/** A closed (checkpointed) xorlab database with `trials` rows in 10 points. */
async function studyDb(dir: string, trials = 200): Promise<string> {
  const path = join(dir, 'study.db');
  const store = openSqliteStore(path);
  await store.ensureStudy('s', { s: 1 });
  await store.insertTrials(
    Array.from({ length: trials }, (_, i) => trial('s', i % 10, Math.floor(i / 10), 100 + (i % 17))),
  );
  await store.close();
  return path;
}

function expectFault(args: string[], file: string, pattern: RegExp): void {
  const before = existsSync(file) ? sha1(file) : null;
  const line = usageErrorLine(runCli(args));
  assert.match(line, pattern);
  assert.equal(existsSync(file) ? sha1(file) : null, before, `${file} changed`);
}

test('a text file as --db: not an SQLite database, for every reading command', () => {
  const text = join(tempDir(), 'notes.txt');
  writeFileSync(text, 'not a database\n'.repeat(100));
  expectFault(['summary', 's', '--db', text], text, /notes\.txt is not an SQLite database \(file is not a database\)/);
  expectFault(['studies', '--db', text], text, /not an SQLite database/);
  expectFault(['export', 's', '--db', text], text, /not an SQLite database/);
});

test('a truncated or overwritten database file is reported as corrupt', async () => {
  const dir = tempDir();
  const truncated = await studyDb(dir, 20_000);
  truncateSync(truncated, Math.floor(statSync(truncated).size / 2));
  expectFault(['summary', 's', '--db', truncated], truncated, /is corrupt \(database disk image is malformed\)/); // SQLite checks the header page count against the file size

  const damaged = await studyDb(tempDir(), 20_000);
  const size = statSync(damaged).size;
  const fd = openSync(damaged, 'r+');
  // Garbage over every page but the first (the header and schema): the trial rows' b-tree pages among them.
  const garbage = Buffer.alloc(size - 4096, 0xa5);
  writeSync(fd, garbage, 0, garbage.length, 4096);
  closeSync(fd);
  expectFault(['export', 's', '--db', damaged], damaged, /is corrupt/);
  expectFault(['summary', 's', '--db', damaged], damaged, /is corrupt/);
});

/** Starts lock-holder.cjs on `db` and resolves once it holds its lock; returns a function that releases it. */
async function holdLock(db: string, mode: 'exclusive' | 'write'): Promise<() => Promise<void>> {
  const holder = spawn(process.execPath, [LOCK_HOLDER, db, mode], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    holder.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve());
    holder.on('error', reject);
    holder.on('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
  return async () => {
    holder.stdin.end();
    await new Promise((resolve) => holder.on('exit', resolve));
  };
}

test('a database locked by another process: a clear line naming the other process', async () => {
  const db = await studyDb(tempDir());
  const release = await holdLock(db, 'exclusive');
  try {
    expectFault(['summary', 's', '--db', db], db, /is locked by another process \(probably another xorlab sweep/);
  } finally {
    await release();
  }
  assert.equal(runCli(['summary', 's', '--db', db]).status, 0, 'readable again once the lock is gone');
});

test('a writer between commits does not block readers (WAL): they see the committed state', async () => {
  const db = await studyDb(tempDir());
  const release = await holdLock(db, 'write');
  try {
    const r = runCli(['studies', '--db', db, '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(
      JSON.parse(r.stdout).map((s: { name: string }) => s.name),
      ['s'],
    );
  } finally {
    await release();
  }
});

test('an unknown study, a missing database, a directory, an unwritable --out: one line each, nothing created', async () => {
  const dir = tempDir();
  const db = await studyDb(dir);
  expectFault(['summary', 'nope', '--db', db], db, /unknown study "nope" in .*study\.db \(studies here: s\)/);
  expectFault(['export', 'nope', '--db', db, '--out', join(dir, 'x.csv')], db, /unknown study "nope"/);
  assert.equal(existsSync(join(dir, 'x.csv')), false, 'no output file for an unknown study');
  const missing = join(dir, 'missing.db');
  expectFault(['summary', 's', '--db', missing], missing, /no database at .*missing\.db/);
  expectFault(['studies', '--db', missing], missing, /no database at/);
  assert.equal(existsSync(missing), false, 'a reading command never creates the database');
  expectFault(['studies', '--db', dir], db, /is a directory/);
  // /proc takes no new files, even for root.
  expectFault(
    ['export', 's', '--db', db, '--out', '/proc/xorlab-export.csv'],
    db,
    /--out: cannot write \/proc\/xorlab-export\.csv/,
  );
  assert.equal(readFileSync(db).length > 0, true);
});
