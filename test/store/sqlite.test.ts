import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore, openStore, StoreError, type PointSummary } from '../../src/store/index.js';
import { tempDir, collect } from '../helpers/cli.js';
import { sha1, trial } from './fixtures.js';

const DEF = { name: 'unit', sweep: { hiddenStd: [0.5, 1] }, repeats: 4, seed: 7 };

function close(actual: number | null, expected: number, tolerance = 1e-12): void {
  assert.ok(actual !== null && Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `expected ${expected}, got ${actual}`);
}

test('insertTrials stores rows once: duplicates of (study, point, repeat) are ignored and not counted', async () => {
  const store = openSqliteStore(join(tempDir(), 'a.db'));
  assert.equal(await store.ensureStudy('unit', DEF), 'created');
  assert.equal(await store.ensureStudy('unit', JSON.parse(JSON.stringify(DEF))), 'exists'); // the same text
  assert.equal(await store.insertTrials([trial('unit', 0, 0, 10), trial('unit', 0, 1, 12)]), 2);
  // Same keys again (different values): ignored; the first stored values stay.
  assert.equal(await store.insertTrials([trial('unit', 0, 0, 999), trial('unit', 0, 2, 14)]), 1);
  const rows = await collect(store.iterateTrials('unit'));
  assert.deepEqual(rows.map((r) => [r.point, r.repeat, r.totalLoss]), [[0, 0, 10], [0, 1, 12], [0, 2, 14]]);
  const s = await store.summarize('unit');
  assert.equal(s.length, 1);
  assert.equal(s[0].count, 3);
  close(s[0].mean, 12);
  assert.deepEqual(await store.summarize('unit'), await store.recomputeSummary('unit'));
  assert.deepEqual((await store.getStudy('unit'))?.trialCount, 3);
  await store.close();
});

test('ensureStudy refuses a different definition under the same name', async () => {
  const store = openSqliteStore(join(tempDir(), 'a.db'));
  await store.ensureStudy('unit', DEF);
  await assert.rejects(async () => await store.ensureStudy('unit', { ...DEF, repeats: 5 }), (e: unknown) => e instanceof StoreError && /different definition.*repeats/.test(e.message));
  await store.close();
});

test('ensureStudy compares the definition text exactly: swapped axes index points differently, so they are another study', async () => {
  const store = openSqliteStore(join(tempDir(), 'a.db'));
  const xy = { name: 'xy', sweep: { hiddenStd: [0.5, 1], lr: [0.1, 1] }, repeats: 2, seed: 1 };
  const yx = { name: 'xy', sweep: { lr: [0.1, 1], hiddenStd: [0.5, 1] }, repeats: 2, seed: 1 };
  assert.equal(await store.ensureStudy('xy', xy), 'created');
  await assert.rejects(async () => await store.ensureStudy('xy', yx), (e: unknown) => e instanceof StoreError && /different definition \(it differs in sweep\)/.test(e.message));
  // Other keys in another order: the store does not decide that this is the same study (the study layer does).
  await assert.rejects(async () => await store.ensureStudy('xy', { seed: 1, repeats: 2, sweep: xy.sweep, name: 'xy' }), (e: unknown) => e instanceof StoreError && /another order/.test(e.message));
  assert.equal(await store.ensureStudy('xy', xy), 'exists');
  assert.deepEqual((await store.getStudy('xy'))?.definition, xy);
  await store.close();
});

test('summarize matches a hand computation, with a diverged trial and a single-trial point (std null)', async () => {
  const store = openSqliteStore(join(tempDir(), 'a.db'));
  await store.ensureStudy('unit', DEF);
  // Point 0: totalLoss 1, 2, 4 and one diverged trial, over two batches (the per-point aggregates are merged).
  await store.insertTrials([trial('unit', 0, 0, 1), trial('unit', 0, 1, 2), trial('unit', 1, 0, 10, { success: false, epochsToThreshold: null })]);
  await store.insertTrials([trial('unit', 0, 2, 4), trial('unit', 0, 3, null)]);
  for (const summary of [await store.summarize('unit'), await store.recomputeSummary('unit')]) {
    const [p0, p1] = summary;
    assert.equal(p0.point, 0);
    assert.deepEqual(p0.params, { hiddenStd: 0.5 });
    assert.equal(p0.count, 4);
    assert.equal(p0.lossCount, 3);
    close(p0.mean, 7 / 3);
    // deviations -4/3, -1/3, 5/3: sum of squares 42/9, / (n-1) = 7/3
    close(p0.std, Math.sqrt(7 / 3));
    close(p0.stderr, Math.sqrt(7) / 3);
    close(p0.successRate, 0.75);
    assert.equal(p0.diverged, 1);
    close(p0.meanEpochsToThreshold, (100 + 101 + 102) / 3);
    assert.equal(p1.count, 1);
    close(p1.mean, 10);
    assert.equal(p1.std, null);
    assert.equal(p1.stderr, null);
    assert.equal(p1.successRate, 0);
    assert.equal(p1.meanEpochsToThreshold, null);
  }
  await store.close();
});

test('the variance survives a mean that dwarfs the spread (no sum-of-squares cancellation)', async () => {
  const store = openSqliteStore(join(tempDir(), 'a.db'));
  await store.ensureStudy('unit', DEF);
  // 1e6 + k/1000: sum(x^2) - n mean^2 loses ~1e-3 of the variance here (measured), a centred computation none.
  const xs = Array.from({ length: 1000 }, (_, k) => 1e6 + k * 0.001);
  for (let start = 0; start < xs.length; start += 100) {
    await store.insertTrials(xs.slice(start, start + 100).map((x, i) => trial('unit', 0, start + i, x))); // ten merges
  }
  const meanX = 1e6 + 0.4995;
  const expectedStd = 0.001 * Math.sqrt((1000 * 1001) / 12); // std of 0..999 (n-1 denominator), scaled
  for (const [p] of [await store.summarize('unit'), await store.recomputeSummary('unit')]) {
    close(p.mean, meanX);
    close(p.std, expectedStd, 1e-9);
  }
  await store.close();
});

test('storedRepeats lists repeat indices per point, with gaps', async () => {
  const store = openSqliteStore(join(tempDir(), 'a.db'));
  await store.ensureStudy('unit', DEF);
  await store.insertTrials([0, 1, 2, 3].map((r) => trial('unit', 0, r, r)));
  await store.insertTrials([trial('unit', 1, 0, 1), trial('unit', 1, 2, 1), trial('unit', 1, 5, 1)]);
  const repeats = await store.storedRepeats('unit');
  assert.deepEqual([...repeats.keys()], [0, 1]);
  assert.deepEqual([...repeats.get(0)!], [0, 1, 2, 3]);
  assert.deepEqual([...repeats.get(1)!], [0, 2, 5]);
  await store.close();
});

test('a batch with a duplicate recounts its points from the rows (aggregates stay exact)', async () => {
  const store = openSqliteStore(join(tempDir(), 'a.db'));
  await store.ensureStudy('unit', DEF);
  const first = Array.from({ length: 150 }, (_, r) => trial('unit', r % 3, Math.floor(r / 3), 100 + (r % 7)));
  assert.equal(await store.insertTrials(first), 150);
  // 250 rows of which the first 150 are already stored: exercises the 100-row statement and the recount.
  const second = Array.from({ length: 250 }, (_, r) => trial('unit', r % 3, Math.floor(r / 3), 100 + (r % 7)));
  assert.equal(await store.insertTrials(second), 100);
  const summary = await store.summarize('unit');
  assert.deepEqual(summary.map((p) => p.count), [84, 83, 83]);
  const recomputed = await store.recomputeSummary('unit');
  summary.forEach((p: PointSummary, i) => {
    close(p.mean, recomputed[i].mean!);
    close(p.std, recomputed[i].std!, 1e-9);
  });
  assert.equal((await collect(store.iterateTrials('unit'))).length, 250);
  await store.close();
});

test('iterateTrials returns every field as stored, ordered by (point, repeat), across studies', async () => {
  const store = openSqliteStore(join(tempDir(), 'a.db'));
  await store.ensureStudy('unit', DEF);
  await store.ensureStudy('other', { other: true });
  const rows = [trial('unit', 1, 0, 5, { engine: 'reference', precision: 'f32', seed: 2 ** 53 - 1 }), trial('unit', 0, 1, null), trial('other', 0, 0, 3), trial('unit', 0, 0, 4)];
  assert.equal(await store.insertTrials(rows), 4);
  const got = await collect(store.iterateTrials('unit'));
  assert.deepEqual(got, [rows[3], rows[1], rows[0]]);
  assert.deepEqual((await store.listStudies()).map((s) => [s.name, s.pointCount, s.trialCount]), [['unit', 2, 3], ['other', 1, 1]]);
  await store.close();
});

test('reading a missing file never creates it; writing creates it', async () => {
  const dir = tempDir();
  const path = join(dir, 'new.db');
  assert.throws(() => openSqliteStore(path, { readonly: true }), (e: unknown) => e instanceof StoreError && /no database at/.test(e.message));
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
  await assert.rejects(async () => await store.summarize('nope'), (e: unknown) => e instanceof StoreError && /unknown study "nope"/.test(e.message));
  await assert.rejects(async () => await store.insertTrials([trial('nope', 0, 0, 1)]), StoreError);
  await store.close();

  const foreign = join(dir, 'foreign.db');
  const db = new Database(foreign);
  db.exec('CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES (\'keep me\')');
  db.close();
  const before = sha1(foreign);
  for (const readonly of [false, true]) {
    assert.throws(() => openSqliteStore(foreign, { readonly }), (e: unknown) => e instanceof StoreError && /not an xorlab database/.test(e.message));
  }
  assert.equal(sha1(foreign), before);

  const text = join(dir, 'notes.txt');
  writeFileSync(text, 'hello, not a database\n'.repeat(20));
  const textBefore = sha1(text);
  for (const readonly of [false, true]) {
    assert.throws(() => openSqliteStore(text, { readonly }), (e: unknown) => e instanceof StoreError && /not an SQLite database/.test(e.message));
  }
  assert.equal(sha1(text), textBefore);

  // /proc takes no new files, even for root.
  assert.throws(() => openSqliteStore('/proc/xorlab-test.db'), (e: unknown) => e instanceof StoreError && /cannot open/.test(e.message));
  assert.throws(() => openSqliteStore(join(dir, 'missing-dir', 'x.db')), (e: unknown) => e instanceof StoreError && /does not exist/.test(e.message));
  await assert.rejects(async () => openStore('postgres://localhost/x'), (e: unknown) => e instanceof StoreError && /not supported yet/.test(e.message));
});

test('summarize depends only on the stored rows, not on batching, order or duplicates (bit for bit)', async () => {
  let state = 12345;
  const random = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const rows = Array.from({ length: 3 * 700 }, (_, i) => trial('unit', i % 3, Math.floor(i / 3), random() < 0.02 ? null : 1000 * random() + 1 / 3));
  const once = openSqliteStore(join(tempDir(), 'once.db'));
  await once.ensureStudy('unit', DEF);
  await once.insertTrials(rows);
  const whole = await once.summarize('unit');
  await once.close();

  const pieces = openSqliteStore(join(tempDir(), 'pieces.db'));
  await pieces.ensureStudy('unit', DEF);
  const shuffled = [...rows].sort(() => random() - 0.5);
  for (let at = 0; at < shuffled.length; ) {
    const size = 1 + Math.floor(random() * 300);
    await pieces.insertTrials(shuffled.slice(at, at + size));
    if (random() < 0.3) await pieces.insertTrials(shuffled.slice(Math.max(0, at - 50), at + 10)); // resent rows
    at += size;
  }
  assert.deepEqual(await pieces.summarize('unit'), whole);
  await pieces.close();

  // Each block of 256 repeats in one batch of its own, its rows in reverse order.
  const reversed = openSqliteStore(join(tempDir(), 'reversed.db'));
  await reversed.ensureStudy('unit', DEF);
  for (let point = 2; point >= 0; point--) {
    for (let block = 2; block >= 0; block--) {
      await reversed.insertTrials(rows.filter((r) => r.point === point && Math.floor(r.repeat / 256) === block).reverse());
    }
  }
  assert.deepEqual(await reversed.summarize('unit'), whole);
  await reversed.close();
});

test('reserveRepeats hands out indices after everything stored or reserved, atomically, across connections', async () => {
  const path = join(tempDir(), 'reserve.db');
  const a = openSqliteStore(path);
  await a.ensureStudy('unit', DEF);
  await a.insertTrials([trial('unit', 0, 0, 1), trial('unit', 0, 1, 2), trial('unit', 1, 0, 3)]);
  const b = openSqliteStore(path);
  // Point 0 holds repeats 0-1, point 1 repeat 0, point 2 nothing.
  assert.deepEqual(await a.reserveRepeats('unit', new Map([[0, 3], [1, 2], [2, 1]])), new Map([[0, 2], [1, 1], [2, 0]]));
  // Another connection (another process) continues after those reservations, not after the stored rows.
  assert.deepEqual(await b.reserveRepeats('unit', new Map([[0, 1], [2, 2], [3, 0]])), new Map([[0, 5], [2, 1]]));
  // Rows stored beyond a reservation move the next one on.
  await a.insertTrials([trial('unit', 1, 9, 4)]);
  assert.deepEqual(await b.reserveRepeats('unit', new Map([[1, 1]])), new Map([[1, 10]]));
  await assert.rejects(async () => await a.reserveRepeats('nope', new Map([[0, 1]])), (e: unknown) => e instanceof StoreError && /unknown study "nope"/.test(e.message));
  await a.close();
  await b.close();
});

test('deleteStudy removes a study and all it holds; renameStudy moves it to a new name with its new definition', async () => {
  const store = openSqliteStore(join(tempDir(), 'admin.db'));
  await store.ensureStudy('unit', DEF);
  await store.ensureStudy('other', { ...DEF, name: 'other' });
  await store.insertTrials([trial('unit', 0, 0, 1), trial('unit', 1, 0, 2), trial('other', 0, 0, 5)]);
  await store.reserveRepeats('unit', new Map([[0, 4]]));
  await store.renameStudy('unit', 'renamed', { ...DEF, name: 'renamed' });
  assert.equal(await store.getStudy('unit'), null);
  assert.deepEqual((await store.getStudy('renamed'))?.definition, { ...DEF, name: 'renamed' });
  assert.equal((await collect(store.iterateTrials('renamed'))).length, 2);
  // The reservation (repeats 1-4 at point 0, after the stored repeat 0) went with it.
  assert.deepEqual(await store.reserveRepeats('renamed', new Map([[0, 1]])), new Map([[0, 5]]));
  await assert.rejects(async () => await store.renameStudy('renamed', 'other', {}), (e: unknown) => e instanceof StoreError && /already a study "other"/.test(e.message));
  assert.equal(await store.deleteStudy('renamed'), 2);
  assert.equal(await store.getStudy('renamed'), null);
  await assert.rejects(async () => await store.deleteStudy('renamed'), (e: unknown) => e instanceof StoreError && /unknown study "renamed"/.test(e.message));
  // Nothing of it is left: a new study of that name starts empty, at repeat 0.
  await store.ensureStudy('renamed', DEF);
  assert.deepEqual(await store.summarize('renamed'), []);
  assert.deepEqual(await store.reserveRepeats('renamed', new Map([[0, 1]])), new Map([[0, 0]]));
  assert.equal((await collect(store.iterateTrials('other'))).length, 1, 'another study was touched');
  await store.close();
});
