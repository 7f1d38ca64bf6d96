// summarizeRows (a web page's study, held in memory) gives the bits a SQLite store's summarize gives for the same
// trials, whatever order they arrive in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/index.js';
import { summarizeRows } from '../../src/store/moments.js';
import { tempDir } from '../helpers/cli.js';
import { trial } from './fixtures.js';

test("summarizeRows equals the store's summarize bit for bit (several blocks, diverged trials, shuffled input)", async () => {
  let state = 777;
  const random = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const rows = Array.from({ length: 4 * 600 }, (_, i) =>
    trial('unit', i % 4, Math.floor(i / 4), random() < 0.03 ? null : 500 * random() + 1 / 7),
  );
  rows.push(trial('unit', 9, 0, 12.5)); // a point with one trial: std null
  const dir = tempDir();
  try {
    const store = openSqliteStore(join(dir, 'm.db'));
    await store.ensureStudy('unit', { name: 'unit' });
    await store.insertTrials(rows);
    const stored = await store.summarize('unit');
    await store.close();
    const shuffled = [...rows].sort(() => random() - 0.5);
    const params = (point: number) => rows.find((r) => r.point === point)!.params;
    assert.deepEqual(summarizeRows(shuffled, params), stored);
    assert.equal(stored.length, 5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
