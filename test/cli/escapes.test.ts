// Text from files and databases must not drive the terminal: a dataset cell, a stored study name or an argument
// echoed back is printed with its control characters escaped (\x1b, \r, \n), never as the bytes a terminal acts on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/index.js';
import { commandLine } from '../../src/cli/run.js';
import { runCli, tempDir, terminalControls, usageErrorLine, type CliResult } from '../helpers/cli.js';
import { trial } from '../store/fixtures.js';

const dir = tempDir('xorlab-escapes-');

/** stderr is one `xorlab: ...` line, exit 2, and no output holds a byte below 0x20 but the final newline. */
function oneCleanLine(r: CliResult): string {
  const line = usageErrorLine(r);
  assert.ok(r.stderr.endsWith('\n'));
  assert.deepEqual(terminalControls(r.stderr.slice(0, -1), { newline: false }), [], JSON.stringify(r.stderr));
  assert.deepEqual(terminalControls(r.stdout), [], JSON.stringify(r.stdout));
  return line;
}

function csv(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

test('a dataset cell with escape sequences or a carriage return is quoted escaped, on one line', () => {
  const cases = [
    ['evil.csv', '\x1b[31mEVIL\x1b[0m', '"\\x1b[31mEVIL\\x1b[0m" is not a number'],
    ['fake.csv', '1\rFAKE: all good', '"1\\rFAKE: all good" is not a number'],
    ['clear.csv', '\x1b[2J\x1b[H', '"\\x1b[2J\\x1b[H" is not a number'],
  ] as const;
  for (const [file, cell, shown] of cases) {
    const path = csv(file, `x1,x2,y\n0,0,0\n${cell},1,1\n`);
    const line = oneCleanLine(runCli(['train', '--dataset', path, '--epochs', '10']));
    assert.ok(line.endsWith(`--dataset: dataset ${path}: line 3, column 1: ${shown}`), line);
  }
});

test('a dataset file of random bytes gets one clean line, whatever its bytes', () => {
  // Deterministic bytes (a xorshift generator, seed 18): every byte value, newlines and CRs among them.
  let state = 18;
  const bytes = Buffer.alloc(4096);
  for (let i = 0; i < bytes.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  const line = oneCleanLine(runCli(['train', '--dataset', csv('bin.csv', bytes), '--epochs', '10']));
  assert.match(line, /^xorlab: --dataset: dataset \S+bin\.csv: line \d+, column \d+: ".*" is not a number$/);
});

test('a stored study name with control characters is shown escaped by studies and summary', async () => {
  const db = join(dir, 'crafted.db');
  const evil = 'evil\x1b[31mRED\x1b[2J';
  const broken = 'two\r\nlines';
  const store = openSqliteStore(db);
  // A database made elsewhere: the store takes any name, as one written by another program would hold.
  for (const name of [evil, broken]) {
    await store.ensureStudy(name, { name, sweep: { hiddenStd: '0.5,1' } });
    await store.insertTrials(
      [0, 1].flatMap((point) => [0, 1, 2].map((repeat) => trial(name, point, repeat, 10 + point + repeat))),
    );
  }
  await store.close();

  const studies = runCli(['studies', '--db', db]);
  assert.equal(studies.status, 0, studies.stderr);
  assert.deepEqual(terminalControls(studies.stdout), [], JSON.stringify(studies.stdout));
  const lines = studies.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 3, studies.stdout); // the header and one line per study: the CR LF did not split it
  assert.match(lines[1], /^evil\\x1b\[31mRED\\x1b\[2J\s+2\s+6\s/);
  assert.match(lines[2], /^two\\r\\nlines\s+2\s+6\s/);

  const summary = runCli(['summary', evil, '--db', db]);
  assert.equal(summary.status, 0, summary.stderr);
  assert.deepEqual(terminalControls(summary.stdout), [], JSON.stringify(summary.stdout));
  assert.ok(summary.stdout.startsWith('study evil\\x1b[31mRED\\x1b[2J: 2 points, 6 trials'), summary.stdout);
  const two = runCli(['summary', broken, '--db', db]);
  assert.equal(two.status, 0, two.stderr);
  assert.ok(two.stdout.startsWith('study two\\r\\nlines: 2 points'), two.stdout);

  // An unknown name is echoed escaped, and so are the stored names the message lists.
  const line = oneCleanLine(runCli(['summary', 'nope\x1b[32mGREEN', '--db', db]));
  assert.match(line, /"nope\\x1b\[32mGREEN"/);
  assert.match(line, /evil\\x1b\[31mRED\\x1b\[2J, two\\r\\nlines/);
  for (const command of [
    ['delete', 'nope\x1b[32mGREEN', '--yes'],
    ['rename', 'nope\x1b[32mGREEN', 'other'],
    ['refine', 'nope\x1b[32mGREEN', '--budget', '1'],
  ]) {
    const r = runCli([...command, '--db', db]);
    if (r.status === 2) oneCleanLine(r);
    else assert.fail(`${command[0]}: exit ${r.status}: ${r.stderr}`);
  }
});

test('a very long stored name is cut with an ellipsis where it is quoted', async () => {
  const db = join(dir, 'long.db');
  const long = `L${'o'.repeat(5000)}ng`;
  const store = openSqliteStore(db);
  await store.ensureStudy(long, { name: long, sweep: { hiddenStd: '0.5,1' } });
  await store.close();
  const studies = runCli(['studies', '--db', db]);
  assert.equal(studies.status, 0, studies.stderr);
  assert.match(studies.stdout.split('\n')[1], /^Lo{119}… /);
  const line = oneCleanLine(runCli(['summary', `${long}x`, '--db', db]));
  assert.ok(line.length < 500, `${line.length} characters`);
  assert.match(line, /"Lo{119}…"/);
});

test('an argument with control characters is echoed escaped by the option parser and any message', () => {
  oneCleanLine(runCli(['train', '--\x1b[2Jevil']));
  oneCleanLine(runCli(['train', '--epochs', '1\x1b[31m']));
  oneCleanLine(runCli(['train', '--dataset', '\x1b]0;title\x07.csv']));
});

test("a resume command quotes an argument with control characters as $'...', which bash reads back as typed", () => {
  const weird = "a\x1b[31m\r\n'b\\c\u009b";
  const line = commandLine(['sweep', '--name', weird]);
  assert.deepEqual(terminalControls(line, { newline: false }), []);
  assert.equal(line, "xorlab sweep --name $'a\\x1b[31m\\x0d\\x0a\\'b\\\\c\\xc2\\x9b'");
  const echoed = spawnSync('bash', ['-c', `printf %s ${line.slice('xorlab sweep --name '.length)}`], {
    encoding: 'utf8',
  });
  assert.equal(echoed.stdout, weird);
  assert.equal(commandLine(['--name', 'plain name']), "xorlab --name 'plain name'"); // as before
});
