// The bench's postgres section at a small scale: a real server starts, both writer counts store every row with
// their aggregates (the section checks the summary's count itself), and the figures come back formatted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benchPostgres, formatPostgresBench } from '../../src/bench/postgres.js';

test('bench postgres section: 1 and 2 writers store every row, on a small scale', async () => {
  const r = await benchPostgres({ trials: 6000, repeats: 300, chunk: 700 });
  assert.ok(r.available, r.available ? '' : r.reason);
  assert.deepEqual(
    r.runs.map((w) => [w.writers, w.rows]),
    [
      [1, 6000],
      [2, 6000],
    ],
  );
  for (const w of r.runs) assert.ok(Number.isFinite(w.rowsPerSecond) && w.rowsPerSecond > 0);
  assert.equal(r.summarisedTrials, 6000);
  const text = formatPostgresBench(r);
  assert.match(text, /^postgres: trials stored with their block aggregates, chunks of 700 rows/);
  assert.match(text, /\n {2}2 writers: +[\d,]+ rows\/s \(6,000 rows in/);
  assert.match(text, /\n {2}1 writer : per CPU-second [\d,?]+ rows \(client [\d,]+, server [\d,?]+;/);
  assert.equal(
    formatPostgresBench({ name: 'postgres', available: false, reason: 'cannot start PostgreSQL: no binaries' }),
    'postgres: not run: cannot start PostgreSQL: no binaries',
  );
});
