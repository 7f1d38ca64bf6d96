// The bench's retry section on a tiny scale: a row per activation of the paper's activation question, and the
// ReLU family retried where sigmoid is not (no timing is judged here: tests never time).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benchRetry, formatRetryBench } from '../../src/bench/retry.js';

test('bench retry section: a row per activation, retrials only where f32 overflows', () => {
  const r = benchRetry({ networks: 4, epochs: 2000 });
  assert.deepEqual(
    r.rows.map((row) => row.activation),
    ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'elu'],
  );
  const retried = Object.fromEntries(r.rows.map((row) => [row.activation, row.retried]));
  assert.equal(retried.sigmoid, 0);
  assert.equal(retried.tanh, 0);
  assert.ok(retried.relu > 0 && retried.elu > 0, JSON.stringify(retried));
  for (const row of r.rows) assert.ok(row.trainings === 160 && row.msF32Alone > 0 && row.msWithRetries > 0);
  assert.match(formatRetryBench(r), /relu +\d+ of 160 retried \(\d+\.\d%\)/);
});
