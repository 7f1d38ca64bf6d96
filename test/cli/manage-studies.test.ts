// Deleting and renaming studies, and where `xorlab reproduce` (npm start) keeps its trials: real child processes on
// real SQLite files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
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

test("reproduce without --db keeps its trials in the report folder, away from the working directory's xorlab.db", () => {
  const cwd = tempDir();
  const r = runCli(
    ['reproduce', '--epochs', '100', '--points', '5', '--repeats', '2', '--workers', '1', '--out', 'report'],
    { cwd },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!existsSync(join(cwd, 'xorlab.db')), "npm start wrote into the user's xorlab.db");
  assert.ok(readdirSync(join(cwd, 'report')).includes('article.db'));
  const stored = studies(join(cwd, 'report', 'article.db'));
  const names = stored.map((s) => s.name);
  assert.ok(names.includes('article-quick-e100-p5-r2-curve'), names.join(', '));
  // One source for each number: the report counts what the database holds (both parts, every study), and its
  // running time is the one the console prints.
  const report = readFileSync(join(cwd, 'report', 'report.md'), 'utf8');
  const total = stored.reduce((n, s) => n + s.trials, 0).toLocaleString('en-US');
  assert.match(report, new RegExp(`: ${total} trainings in ${stored.length} studies stored in `));
  const said = /, (\d+) s of running in this invocation/.exec(report)?.[1];
  assert.ok(said !== undefined, report.split('\n')[2]);
  assert.match(r.stderr, new RegExp(`done: ${said} s of running \\(as report\\.md says\\)`));
  assert.match(runCli(['reproduce', '--help']).stdout.replace(/\s+/g, ' '), /default: article\.db in the --out folder/);
});
