import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore, openStore, StoreError } from '../../src/store/index.js';
import { tempDir } from '../helpers/cli.js';
import { sha1, trial } from './fixtures.js';

// What every store must do is in ./contract.ts (run by contract.test.ts); here what only a SQLite file has.

const DEF = { name: 'unit', sweep: { hiddenStd: [0.5, 1] }, repeats: 4, seed: 7 };

function close(actual: number | null, expected: number, tolerance = 1e-12): void {
  assert.ok(
    actual !== null && Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)),
    `expected ${expected}, got ${actual}`,
  );
}

test('reading a missing file never creates it; writing creates it', async () => {
  const dir = tempDir();
  const path = join(dir, 'new.db');
  assert.throws(
    () => openSqliteStore(path, { readonly: true }),
    (e: unknown) => e instanceof StoreError && /no database at/.test(e.message),
  );
  assert.equal(existsSync(path), false);
  await (await openStore(`sqlite:${path}`)).close();
  assert.equal(existsSync(path), true);
  const reader = openSqliteStore(path, { readonly: true });
  assert.deepEqual(await reader.listStudies(), []);
  await assert.rejects(async () => await reader.insertTrials([trial('unit', 0, 0, 1)]), StoreError);
  await reader.close();
});

test('unknown studies, foreign SQLite files, text files and unwritable places are StoreErrors, and files stay unchanged', async () => {
  const dir = tempDir();
  const ours = join(dir, 'ours.db');
  const store = openSqliteStore(ours);
  await assert.rejects(
    async () => await store.summarize('nope'),
    (e: unknown) => e instanceof StoreError && /unknown study "nope"/.test(e.message),
  );
  await assert.rejects(async () => await store.insertTrials([trial('nope', 0, 0, 1)]), StoreError);
  await store.close();

  const foreign = join(dir, 'foreign.db');
  const db = new Database(foreign);
  db.exec("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('keep me')");
  db.close();
  const before = sha1(foreign);
  for (const readonly of [false, true]) {
    assert.throws(
      () => openSqliteStore(foreign, { readonly }),
      (e: unknown) => e instanceof StoreError && /not an xorlab database/.test(e.message),
    );
  }
  assert.equal(sha1(foreign), before);

  const text = join(dir, 'notes.txt');
  writeFileSync(text, 'hello, not a database\n'.repeat(20));
  const textBefore = sha1(text);
  for (const readonly of [false, true]) {
    assert.throws(
      () => openSqliteStore(text, { readonly }),
      (e: unknown) => e instanceof StoreError && /not an SQLite database/.test(e.message),
    );
  }
  assert.equal(sha1(text), textBefore);

  // /proc takes no new files, even for root.
  assert.throws(
    () => openSqliteStore('/proc/xorlab-test.db'),
    (e: unknown) => e instanceof StoreError && /cannot open/.test(e.message),
  );
  assert.throws(
    () => openSqliteStore(join(dir, 'missing-dir', 'x.db')),
    (e: unknown) => e instanceof StoreError && /does not exist/.test(e.message),
  );
  await assert.rejects(
    async () => openStore('ftp://example/x.db'),
    (e: unknown) => e instanceof StoreError && /unknown store URL scheme "ftp:\/\/"/.test(e.message),
  );
});

test('reserveRepeats hands out indices after everything stored or reserved, atomically, across connections', async () => {
  const path = join(tempDir(), 'reserve.db');
  const a = openSqliteStore(path);
  await a.ensureStudy('unit', DEF);
  await a.insertTrials([trial('unit', 0, 0, 1), trial('unit', 0, 1, 2), trial('unit', 1, 0, 3)]);
  const b = openSqliteStore(path);
  // Point 0 holds repeats 0-1, point 1 repeat 0, point 2 nothing.
  assert.deepEqual(
    await a.reserveRepeats(
      'unit',
      new Map([
        [0, 3],
        [1, 2],
        [2, 1],
      ]),
    ),
    new Map([
      [0, 2],
      [1, 1],
      [2, 0],
    ]),
  );
  // Another connection (another process) continues after those reservations, not after the stored rows.
  assert.deepEqual(
    await b.reserveRepeats(
      'unit',
      new Map([
        [0, 1],
        [2, 2],
        [3, 0],
      ]),
    ),
    new Map([
      [0, 5],
      [2, 1],
    ]),
  );
  // Rows stored beyond a reservation move the next one on.
  await a.insertTrials([trial('unit', 1, 9, 4)]);
  assert.deepEqual(await b.reserveRepeats('unit', new Map([[1, 1]])), new Map([[1, 10]]));
  await assert.rejects(
    async () => await a.reserveRepeats('nope', new Map([[0, 1]])),
    (e: unknown) => e instanceof StoreError && /unknown study "nope"/.test(e.message),
  );
  await a.close();
  await b.close();
});

test('a version-2 database is read as it is (by a scan) and upgraded in place when opened for writing, to the same bits', async () => {
  const dir = tempDir();
  const path = join(dir, 'v2.db');
  const store = openSqliteStore(path);
  await store.ensureStudy('unit', DEF);
  const rows = Array.from({ length: 600 }, (_, i) =>
    trial('unit', i % 2, Math.floor(i / 2), i % 17 === 0 ? null : 1000 + ((i * 7919) % 613) / 7, {
      finalLoss: i % 17 === 0 ? null : ((i * 31) % 97) / 1000,
    }),
  );
  await store.insertTrials(rows);
  const expected = await store.summarize('unit');
  await store.close();
  // What version 2 wrote: no finalLoss moments and no epochsToThreshold m2 in the blocks.
  const db = new Database(path);
  for (const column of ['final_count', 'final_mean', 'final_m2', 'ett_m2'])
    db.exec(`ALTER TABLE blocks DROP COLUMN ${column}`);
  db.pragma('user_version = 2');
  db.close();
  const before = sha1(path);

  const reader = openSqliteStore(path, { readonly: true });
  const read = await reader.summarize('unit');
  read.forEach((p, i) => {
    close(p.mean, expected[i].mean!);
    close(p.finalLoss.std, expected[i].finalLoss.std!, 1e-9);
    close(p.epochsToThreshold.std, expected[i].epochsToThreshold.std!, 1e-9);
  });
  await reader.close();
  assert.equal(sha1(path), before, 'reading changed the file');

  const writer = openSqliteStore(path);
  assert.deepEqual(await writer.summarize('unit'), expected);
  await writer.close();
  const check = new Database(path, { readonly: true });
  assert.equal(check.pragma('user_version', { simple: true }), 3);
  check.close();
});
