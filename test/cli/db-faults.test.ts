// What --db points at, through the real CLI: things that are not files, damaged databases (refused before anything
// is written, left byte-identical), and databases where nothing can be written (a read-only mount or folder):
// reading works there and leaves no -wal or -shm file behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { chmodSync, closeSync, existsSync, openSync, readdirSync, readSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../src/store/index.js';
import { XORLAB_APPLICATION_ID } from '../../src/store/sqlite/schema.js';
import { resolveStudy } from '../../src/study/definition/definition.js';
import { BIN, runCli, tempDir, usageErrorLine, type CliResult } from '../helpers/cli.js';
import { sha1, trial } from '../store/fixtures.js';

/** A closed xorlab database with one study of `points` x `repeats` trials (no -wal left). */
async function studyDb(path: string, points = 10, repeats = 20): Promise<string> {
  const store = openSqliteStore(path);
  const study = resolveStudy({
    name: 's',
    sweep: { hiddenStd: `exp:-3:4:${points}` },
    repeats,
    seed: 1,
    config: { epochs: 10 },
  });
  await store.ensureStudy('s', study.definition);
  const rows = [];
  for (let point = 0; point < points; point++)
    for (let repeat = 0; repeat < repeats; repeat++) rows.push(trial('s', point, repeat, 100 + point + repeat));
  await store.insertTrials(rows);
  await store.close();
  return path;
}

/** Every file in `dir` with its sha1: what must not change. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((name) => [name, sha1(join(dir, name))]),
  );
}

test('--db on a FIFO, a directory or a device: one line each, at once (a FIFO used to hang)', () => {
  const dir = tempDir();
  const fifo = join(dir, 'pipe.db');
  execFileSync('mkfifo', [fifo]);
  for (const args of [
    ['studies'],
    ['summary', 's'],
    ['sweep', '--name', 'f', '--sweep', 'hiddenStd=1', '--epochs', '10'],
  ]) {
    const r = runCli([...args, '--db', fifo], { timeout: 20_000 });
    assert.notEqual(r.status, null, `${args[0]} hung on a FIFO`);
    assert.match(usageErrorLine(r), /pipe\.db is a named pipe \(FIFO\), not a database file/);
  }
  assert.match(
    usageErrorLine(runCli(['sweep', '--name', 'd', '--sweep', 'hiddenStd=1', '--db', dir])),
    /is a directory, not a database file/,
  );
  assert.match(
    usageErrorLine(runCli(['studies', '--db', '/dev/null'])),
    /\/dev\/null is a device, not a database file/,
  );
  assert.match(
    usageErrorLine(runCli(['sweep', '--name', 'z', '--sweep', 'hiddenStd=1', '--db', '/dev/zero'])),
    /\/dev\/zero is a device/,
  );
});

test('8 KiB of garbage over the middle of a database: sweep and refine refuse it before writing; the file is unchanged', async () => {
  const dir = tempDir();
  const db = await studyDb(join(dir, 'damaged.db'), 50, 100);
  const size = statSync(db).size;
  const fd = openSync(db, 'r+');
  const middle = Math.floor(size / 2 / 4096) * 4096;
  writeSync(fd, Buffer.alloc(8192, 0xa5), 0, 8192, middle);
  closeSync(fd);
  const before = snapshot(dir);
  // A new study: its rows would go into pages of their own, far from the damage (main wrote them and exited 0).
  assert.match(
    usageErrorLine(
      runCli(['sweep', '--name', 'new', '--sweep', 'hiddenStd=1,2', '--repeats', '2', '--epochs', '10', '--db', db]),
    ),
    /damaged\.db is corrupt/,
  );
  assert.match(usageErrorLine(runCli(['refine', 's', '--budget', '5', '--db', db])), /damaged\.db is corrupt/);
  assert.deepEqual(snapshot(dir), before, 'the damaged file (or its folder) changed');
});

test('a damaged database with several findings is refused in one line: the first finding and how many more', async () => {
  const dir = tempDir();
  const db = await studyDb(join(dir, 'findings.db'), 50, 100);
  // One byte of the second page's cell pointers: SQLite's check reports a multi-line finding and three more.
  const fd = openSync(db, 'r+');
  const byte = Buffer.alloc(1);
  readSync(fd, byte, 0, 1, 4096 + 8);
  byte[0] ^= 0x5a;
  writeSync(fd, byte, 0, 1, 4096 + 8);
  closeSync(fd);
  const before = snapshot(dir);
  const line = usageErrorLine(
    runCli(['sweep', '--name', 'new', '--sweep', 'hiddenStd=1,2', '--repeats', '2', '--epochs', '10', '--db', db]),
  );
  assert.match(
    line,
    /findings\.db is corrupt \(the integrity check found: Tree \d+ page \d+ cell \d+: [^;]*, and 3 more\); it was left as it is/,
  );
  assert.deepEqual(snapshot(dir), before);
});

test("a file with xorlab's mark but no tables is refused without being switched to WAL; it stays byte-identical", () => {
  const dir = tempDir();
  const path = join(dir, 'marked.db');
  const db = new Database(path);
  db.pragma(`application_id = ${XORLAB_APPLICATION_ID}`);
  db.pragma('user_version = 2');
  db.close();
  const before = snapshot(dir);
  for (const args of [
    ['sweep', '--name', 'm', '--sweep', 'hiddenStd=1', '--epochs', '10'],
    ['studies'],
    ['summary', 's'],
  ]) {
    assert.match(
      usageErrorLine(runCli([...args, '--db', path])),
      /marked\.db carries xorlab's mark but lacks its tables studies, engines, points, blocks, trials: it is damaged/,
    );
  }
  assert.deepEqual(snapshot(dir), before);
  const header = new Database(path, { readonly: true });
  assert.equal(header.pragma('journal_mode', { simple: true }), 'delete', 'switched to WAL');
  header.close();
});

type Runner = (args: string[]) => CliResult;

/** The reading commands, each of which must work on `db` (charts go to `out`). */
function readEverything(db: string, out: string, run: Runner = runCli): void {
  const studies = run(['studies', '--db', db]);
  assert.equal(studies.status, 0, studies.stderr);
  assert.match(studies.stdout, /^s\s+10\s+200\s/m);
  const summary = run(['summary', 's', '--db', db, '--json']);
  assert.equal(summary.status, 0, summary.stderr);
  assert.equal((JSON.parse(summary.stdout) as { trials: number }).trials, 200);
  const exported = run(['export', 's', '--db', db]);
  assert.equal(exported.status, 0, exported.stderr);
  assert.equal(exported.stdout.trimEnd().split('\n').length, 201);
  const plot = run(['plot', 'curve', 's', '--db', db, '--out', join(out, 'curve.svg')]);
  assert.equal(plot.status, 0, plot.stderr);
}

test('reading commands in a writable folder leave no -wal or -shm file behind', async () => {
  const dir = tempDir();
  const db = await studyDb(join(dir, 'read.db'));
  const before = snapshot(dir);
  readEverything(db, tempDir());
  assert.deepEqual(snapshot(dir), before);
});

/** Mounts `dir` read-only at a new mount point (root only); null where this machine does not allow it. */
function readOnlyMount(dir: string): { at: string; unmount: () => void } | null {
  const at = tempDir('xorlab-ro-');
  const r = spawnSync('mount', ['-o', 'bind,ro', dir, at], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  return { at, unmount: () => execFileSync('umount', [at]) };
}

test('reading commands work on a read-only medium (a read-only bind mount) and create nothing there', async (t) => {
  const dir = tempDir();
  await studyDb(join(dir, 'ro.db'));
  const mount = readOnlyMount(dir);
  if (!mount) {
    t.skip(
      'mount -o bind,ro is not allowed here (not root, or no mount namespace); the read-only folder test below covers the same code',
    );
    return;
  }
  try {
    const before = snapshot(dir);
    readEverything(join(mount.at, 'ro.db'), tempDir());
    assert.deepEqual(snapshot(dir), before);
    // Writing there is one line.
    assert.match(
      usageErrorLine(
        runCli(['sweep', '--name', 'w', '--sweep', 'hiddenStd=1', '--epochs', '10', '--db', join(mount.at, 'ro.db')]),
      ),
      /ro\.db/,
    );
    assert.deepEqual(snapshot(dir), before);
  } finally {
    mount.unmount();
  }
});

test('reading commands work in a folder without write permission (as an ordinary user)', async (t) => {
  // Root writes whatever the permission bits say: as root the commands run as the user nobody (setpriv).
  const asRoot = process.getuid?.() === 0;
  if (asRoot && spawnSync('setpriv', ['--version']).status !== 0) {
    t.skip('running as root without setpriv: permission bits do not stop root (the read-only mount test covers this)');
    return;
  }
  // A checkout in a folder only root may enter (mktemp -d, /root) is out of the user nobody's reach.
  const nobodyReaches = (path: string): boolean =>
    spawnSync('setpriv', [
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      process.execPath,
      '-e',
      `require('fs').accessSync(${JSON.stringify(path)})`,
    ]).status === 0;
  if (asRoot && !nobodyReaches(BIN)) {
    t.skip(
      `running as root in a checkout the user nobody cannot enter (${BIN}): permission bits do not stop root (the read-only mount test covers this)`,
    );
    return;
  }
  const run: Runner = asRoot
    ? (args) => {
        const r = spawnSync(
          'setpriv',
          ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, ...args],
          { encoding: 'utf8', timeout: 120_000 },
        );
        return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
      }
    : runCli;
  const dir = tempDir();
  await studyDb(join(dir, 'locked.db'));
  const out = tempDir();
  chmodSync(out, 0o777);
  const before = snapshot(dir);
  chmodSync(dir, 0o555);
  try {
    readEverything(join(dir, 'locked.db'), out, run);
    assert.deepEqual(snapshot(dir), before);
    // Writing there is one line, and changes nothing.
    const line = usageErrorLine(
      run(['sweep', '--name', 'w', '--sweep', 'hiddenStd=1', '--epochs', '10', '--db', join(dir, 'locked.db')]),
    );
    assert.match(line, /locked\.db/);
    assert.deepEqual(snapshot(dir), before);
  } finally {
    chmodSync(dir, 0o755);
  }
});

test('a read-only medium with a write-ahead log and no -shm: one line saying what to do', async (t) => {
  const dir = tempDir();
  const db = await studyDb(join(dir, 'wal.db'));
  // A writer killed mid-run leaves the -wal file; without its -shm a read-only folder cannot be read in place.
  const child = spawnSync(process.execPath, [
    '-e',
    `
    const Database = require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))});
    const db = new Database(${JSON.stringify(db)});
    db.prepare("UPDATE studies SET created_at = created_at").run();
    process.kill(process.pid, 'SIGKILL');`,
  ]);
  assert.equal(child.signal, 'SIGKILL');
  assert.ok(existsSync(`${db}-wal`));
  execFileSync('rm', ['-f', `${db}-shm`]);
  const mount = readOnlyMount(dir);
  if (!mount) {
    t.skip('mount -o bind,ro is not allowed here');
    return;
  }
  try {
    assert.match(
      usageErrorLine(runCli(['studies', '--db', join(mount.at, 'wal.db')])),
      /has a write-ahead log .* but no .*-shm, and its folder cannot be written; copy the database with its -wal file to a writable folder/,
    );
  } finally {
    mount.unmount();
  }
});
