// The bench's distributed section at a small scale: a real server starts, the same sweep runs into SQLite and as a
// distributed study, both store every trial (the section checks), and the figures come back formatted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benchDistributed, formatDistributedBench } from '../../src/bench/distributed.js';

test('bench distributed section: the same sweep into SQLite and through the queue, on a small scale', async () => {
  const r = await benchDistributed({ points: 10, repeats: 200, epochs: 300, workers: 2 });
  assert.ok(r.available, r.available ? '' : r.reason);
  assert.equal(r.trials, 2000);
  for (const x of [r.sqlite.trainingsPerSecond, r.distributed.trainingsPerSecond, r.ratio])
    assert.ok(Number.isFinite(x) && x > 0);
  assert.ok(r.distributed.chunks >= 1 && r.distributed.chunkSize >= 1);
  const text = formatDistributedBench(r);
  assert.match(text, /^distributed: a 2,000-trial sweep \(x 300 epochs\) on 2 workers/);
  assert.match(text, /\n {2}distributed: +[\d,]+ trainings\/s \([\d.]+ s; \d+ chunks of [\d,]+\)/);
  assert.match(text, /\n {2}ratio: [\d.]+x \(goal >= 0\.9x\)/);
  assert.equal(
    formatDistributedBench({ name: 'distributed', available: false, reason: 'no server' }),
    'distributed: not run: no server',
  );
});
