// `npm start` in a clone runs `xorlab reproduce` before the README's `npm link` has put `xorlab` on the PATH: its
// Ctrl-C prints the command that resumes as `npm start`, which works there, not as `xorlab reproduce ...`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { typedCommand } from '../../src/cli/run.js';
import { tempDir } from '../helpers/cli.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const START = {
  npm_lifecycle_event: 'start',
  npm_package_name: 'xorlab',
  npm_lifecycle_script: 'node bin/xorlab.js reproduce --scale quick',
};

test('the command that resumes: npm start (with what followed its --) when npm start ran it, else xorlab ...', () => {
  assert.equal(typedCommand(['reproduce', '--scale', 'quick'], START), 'npm start');
  assert.equal(
    typedCommand(['reproduce', '--scale', 'quick', '--out', 'my report'], START),
    "npm start -- --out 'my report'",
  );
  assert.equal(typedCommand(['reproduce', '--scale', 'quick'], {}), 'xorlab reproduce --scale quick');
  assert.equal(typedCommand(['reproduce', '--scale', 'paper'], START), 'xorlab reproduce --scale paper');
  assert.equal(
    typedCommand(['reproduce', '--scale', 'quick'], { ...START, npm_package_name: 'my-app' }),
    'xorlab reproduce --scale quick',
  );
});

/** Trials stored so far in a SQLite file (0 while it or its table does not exist yet). */
function storedCount(db: string): number {
  if (!existsSync(db)) return 0;
  try {
    const con = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return (con.prepare('select count(*) as n from trials').get() as { n: number }).n;
    } finally {
      con.close();
    }
  } catch {
    return 0;
  }
}

test('Ctrl-C on npm start prints `npm start -- ...` as the command that resumes', { timeout: 300_000 }, async () => {
  assert.ok(existsSync(join(root, 'dist', 'cli', 'main.js')), 'dist/ is missing: run npm run build first');
  const out = join(tempDir(), 'report');
  // The environment of a shell, without what an enclosing `npm test` sets for its scripts.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  const child = spawn(
    'npm',
    [
      'start',
      '--silent',
      '--',
      '--epochs',
      '3000',
      '--points',
      '30',
      '--repeats',
      '200',
      '--workers',
      '1',
      '--out',
      out,
    ],
    {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // a process group of its own, as a terminal's foreground job
    },
  );
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
  });
  const poll = setInterval(() => {
    if (storedCount(join(out, 'article.db')) > 0) {
      clearInterval(poll);
      // Ctrl-C in a terminal: SIGINT to the whole foreground process group, npm and the command it runs.
      process.kill(-(child.pid ?? 0), 'SIGINT');
    }
  }, 50);
  const code = await exited;
  clearInterval(poll);
  assert.match(
    stderr,
    /Resume with:\n {2}npm start -- --epochs 3000 --points 30 --repeats 200 --workers 1 --out \S+report\n/,
    stderr,
  );
  assert.notEqual(code, 0);
});
