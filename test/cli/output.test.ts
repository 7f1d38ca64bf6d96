// Every command writing into a closed pipe (`| head -1`) ends quietly, and into a full disk (/dev/full) with one
// line and exit 2: real child processes with real pipes and the real /dev/full.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/index.js';
import { BIN, tempDir } from '../helpers/cli.js';
import { trial } from '../store/fixtures.js';

const dir = tempDir();
const db = join(dir, 'out.db');

before(async () => {
  // 2,000 points: the summary's table (~150 KB) and the exports are larger than a pipe's buffer (64 KiB).
  const store = openSqliteStore(db);
  await store.ensureStudy('s', { name: 's', sweep: { hiddenStd: 'exp:-3:4:2000' }, repeats: 2, seed: 1 });
  const rows = [];
  for (let point = 0; point < 2000; point++)
    for (let repeat = 0; repeat < 2; repeat++) rows.push(trial('s', point, repeat, 100 + point + repeat));
  await store.insertTrials(rows);
  await store.close();
});

/** Commands whose standard output is large: each must meet a closed pipe in the middle of writing (and a full
 * disk at its first write, like `studies` below). */
const COMMANDS: [string, string[]][] = [
  ['train', ['train', '--seed', '1', '--epochs', '20000', '--log-every', '1']],
  ['summary', ['summary', 's', '--db', db]],
  ['summary --json', ['summary', 's', '--db', db, '--json']],
  ['export', ['export', 's', '--db', db]],
  ['plot --spec', ['plot', 'curve', 's', '--db', db, '--spec']],
  ['train --json', ['train', '--seed', '1', '--epochs', '20000', '--log-every', '1', '--json']],
];

function quote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

test('studies into a full disk: one line, exit 2', () => {
  const full = openSync('/dev/full', 'w');
  try {
    const r = spawnSync(process.execPath, [BIN, 'studies', '--db', db], {
      stdio: ['ignore', full, 'pipe'],
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^xorlab: cannot write standard output \(no space left on device\)\n$/);
  } finally {
    closeSync(full);
  }
});

for (const [name, args] of COMMANDS) {
  test(`${name} into a closed pipe: exit 0, nothing on stderr`, () => {
    const err = join(dir, `${name.replace(/\W+/g, '-')}.err`);
    // `| head -c 1`: head reads one byte and exits, so the next write meets a closed pipe (EPIPE).
    const script = `${quote(process.execPath)} ${quote(BIN)} ${args.map(quote).join(' ')} 2>${quote(err)} | head -c 1 >/dev/null; echo "\${PIPESTATUS[0]}"`;
    const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const stderr = existsSync(err) ? readFileSync(err, 'utf8') : '';
    assert.equal(stderr, '', `stderr of ${name}:\n${stderr}`);
    assert.equal(r.stdout.trim(), '0', `exit status of ${name}; stderr:\n${stderr}`);
  });

  test(`${name} into a full disk: one line, exit 2`, () => {
    const full = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(process.execPath, [BIN, ...args], {
        stdio: ['ignore', full, 'pipe'],
        encoding: 'utf8',
        timeout: 120_000,
      });
      assert.equal(r.status, 2, r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'stack trace');
      assert.match(r.stderr, /^xorlab: cannot write standard output \(no space left on device\)\n$/);
    } finally {
      closeSync(full);
    }
  });
}
