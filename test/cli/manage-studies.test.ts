// Deleting and renaming studies: real child processes on real SQLite files. (Where `xorlab reproduce` keeps its
// trials without --db is checked by test/cli/reproduce.test.ts, on its one trial run.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir, usageErrorLine } from '../helpers/cli.js';
import { sha1 } from '../store/fixtures.js';

function studies(db: string): { name: string; trials: number }[] {
  const r = runCli(['studies', '--db', db, '--json']);
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as { name: string; trials: number }[]).map(({ name, trials }) => ({ name, trials }));
}

test('delete asks for --yes, then removes the study and its trials; others stay', () => {
  const db = join(tempDir(), 'd.db');
  for (const name of ['keep', 'drop'])
    assert.equal(
      runCli(['sweep', '--name', name, '--sweep', 'hiddenStd=0.5,1', '--repeats', '3', '--epochs', '20', '--db', db])
        .status,
      0,
    );
  const before = sha1(db);
  assert.match(
    usageErrorLine(runCli(['delete', 'drop', '--db', db])),
    /deleting study drop \(6 trials at 2 points\) from .*d\.db cannot be undone; add --yes to delete it/,
  );
  assert.equal(sha1(db), before, 'deleted without --yes');
  assert.match(
    usageErrorLine(runCli(['delete', 'dorp', '--yes', '--db', db])),
    /there is no study "dorp" in .*; studies: keep, drop/,
  );
  const r = runCli(['delete', 'drop', '--yes', '--db', db]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /deleted study drop and its 6 trials/);
  assert.deepEqual(studies(db), [{ name: 'keep', trials: 6 }]);
  // The name is free again: a new study of that name starts from nothing.
  const again = runCli([
    'sweep',
    '--name',
    'drop',
    '--sweep',
    'lr=0.1',
    '--repeats',
    '2',
    '--epochs',
    '20',
    '--db',
    db,
  ]);
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(studies(db), [
    { name: 'keep', trials: 6 },
    { name: 'drop', trials: 2 },
  ]);
  const missing = join(tempDir(), 'none.db');
  usageErrorLine(runCli(['delete', 'x', '--yes', '--db', missing]));
  assert.ok(!existsSync(missing), 'delete created a database');
});

test('rename moves a study to a new name: summary, resume and refine use the new name', () => {
  const db = join(tempDir(), 'r.db');
  assert.equal(
    runCli(['sweep', '--name', 'first', '--sweep', 'hiddenStd=0.5,1', '--repeats', '3', '--epochs', '20', '--db', db])
      .status,
    0,
  );
  assert.equal(
    runCli(['sweep', '--name', 'taken', '--sweep', 'hiddenStd=2', '--repeats', '1', '--epochs', '20', '--db', db])
      .status,
    0,
  );
  assert.match(usageErrorLine(runCli(['rename', 'first', 'taken', '--db', db])), /there is already a study "taken"/);
  assert.match(
    usageErrorLine(runCli(['rename', 'first', 'bad name', '--db', db])),
    /the new name "bad name" must be 1-100 letters/,
  );
  const r = runCli(['rename', 'first', 'second', '--db', db]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(
    studies(db).map((s) => s.name),
    ['second', 'taken'],
  );
  const resumed = runCli(['sweep', '--name', 'second', '--db', db]);
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stdout, /study second: all 6 trials are stored/);
  assert.equal(runCli(['refine', 'second', '--budget', '2', '--db', db]).status, 0);
  assert.equal(studies(db)[0].trials, 8);
  // The same flags with the new name are the same study.
  const same = runCli([
    'sweep',
    '--name',
    'second',
    '--sweep',
    'hiddenStd=0.5,1',
    '--repeats',
    '3',
    '--epochs',
    '20',
    '--db',
    db,
  ]);
  assert.equal(same.status, 0, same.stderr);
});
