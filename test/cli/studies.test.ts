import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/index.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { trial } from '../store/fixtures.js';

test('studies lists each study with its points, trials, swept parameters and creation time', async () => {
  const path = join(tempDir(), 'many.db');
  const store = openSqliteStore(path);
  // The swept parameters come from the stored definition's grids (the fixture's trials use the same values).
  await store.ensureStudy('first', { name: 'first', sweep: { hiddenStd: '0.5,1,2,4' } });
  await store.ensureStudy('empty', { n: 2 });
  await store.ensureStudy('planned', {
    name: 'planned',
    sweep: { hiddenStd: 'exp:-3:4:400', activation: 'sigmoid,tanh' },
  });
  await store.insertTrials(
    [0, 1, 2, 3, 4].flatMap((point) => [0, 1].map((repeat) => trial('first', point, repeat, 10 + point))),
  );
  await store.close();

  const r = runCli(['studies', '--db', path, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const list = JSON.parse(r.stdout);
  assert.deepEqual(
    list.map((s: { name: string; points: number; trials: number }) => [s.name, s.points, s.trials]),
    [
      ['first', 5, 10],
      ['empty', 0, 0],
      ['planned', 0, 0],
    ],
  );
  // Fixture grid: hiddenStd 0.5, 1, 2, 4, then 1 (point 4): 4 distinct values from 0.5 to 4.
  assert.deepEqual(list[0].swept, [{ name: 'hiddenStd', values: 4, min: 0.5, max: 4 }]);
  // A study with no trials yet shows the grids it will sweep, in axis order.
  assert.deepEqual(list[2].swept, [
    { name: 'hiddenStd', values: 400, min: Math.exp(-3), max: Math.exp(4) },
    { name: 'activation', values: 2 },
  ]);
  assert.match(list[0].createdAt, /^\d{4}-\d\d-\d\dT/);

  const text = runCli(['studies', '--db', path]);
  assert.equal(text.status, 0, text.stderr);
  const lines = text.stdout.trimEnd().split('\n');
  assert.deepEqual(lines[0].split(/\s+/), ['study', 'points', 'trials', 'swept', 'created']);
  assert.match(lines[1], /^first\s+5\s+10\s+hiddenStd 0\.5\.\.4 \(4\)\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  assert.match(lines[2], /^empty\s+0\s+0\s+-\s+/);
  assert.match(lines[3], /^planned\s+0\s+0\s+hiddenStd 0\.04979\.\.54\.6 \(400\), activation \(2 values\)\s+/);
});
