// How the command line ends, in process: any XorlabError (whatever room raised it, none listed by hand) is one line
// and exit 2, anything else a bug (stack, exit 1); withFlag names the flag; and only main ends the process.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError, DatasetError, ParameterFileError } from '../../src/core/index.js';
import { GridError } from '../../src/study/definition/grid.js';
import { ServeError } from '../../src/server/server.js';
import { EXIT_BUG, EXIT_OK, EXIT_USAGE, ReaderGone, UsageError, reportError, withFlag } from '../../src/cli/errors.js';
import { XorlabError } from '../../src/text/errors.js';

test('any XorlabError is one `xorlab: ...` line and exit 2, whichever room raised it', () => {
  // ConfigError, GridError and ServeError were translated by no command, or not listed in main: a stack and exit 1.
  for (const error of [
    new ConfigError('logEvery must be an integer >= 1, got 0'),
    new GridError('cannot sweep "nope"'),
    new ServeError('port 5173 is in use'),
    new UsageError('--lr must be > 0'),
  ]) {
    const { text, code } = reportError(error);
    assert.equal(code, EXIT_USAGE, error.name);
    assert.equal(text, `xorlab: ${error.message}\n`, error.name);
  }
  // A kind declared later, anywhere, is one line too: nothing lists the kinds.
  class SomeFutureError extends XorlabError {}
  assert.deepEqual(reportError(new SomeFutureError('bad')), { text: 'xorlab: bad\n', code: EXIT_USAGE });
});

test('the one line hides a password and stays one line', () => {
  const { text } = reportError(new ConfigError('cannot open postgres://lab:secret@db/x\n\u001b[31mred'));
  assert.equal(text.split('\n').length, 2);
  assert.ok(!text.includes('secret') && !text.includes('\u001b'), text);
});

test('anything else is a bug: its stack (redacted, printable) and exit 1; a reader gone is quiet and 0', () => {
  const bug = new TypeError('x is undefined at postgres://lab:secret@db/x');
  const { text, code } = reportError(bug);
  assert.equal(code, EXIT_BUG);
  assert.match(text, /^TypeError: x is undefined/);
  assert.match(text, /\n\s+at /);
  assert.ok(!text.includes('secret'));
  assert.deepEqual(reportError(new ReaderGone('standard output')), { text: '', code: EXIT_OK });
});

test('withFlag names the flag in an input error, sync or async, and lets a bug through untouched', async () => {
  assert.equal(
    withFlag('--dataset', () => 7),
    7,
  );
  assert.throws(
    () =>
      withFlag(undefined, () => {
        throw new GridError('cannot sweep "nope"');
      }),
    (e: Error) => e instanceof UsageError && e.message === 'cannot sweep "nope"',
  );
  assert.throws(
    () =>
      withFlag('--dataset', () => {
        throw new DatasetError('no dataset "nope"');
      }),
    (e: Error) => e instanceof UsageError && e.message === '--dataset: no dataset "nope"',
  );
  await assert.rejects(
    withFlag('--weights: w.json', async () => {
      throw new ParameterFileError('expected 9 numbers');
    }),
    (e: Error) => e instanceof UsageError && e.message === '--weights: w.json: expected 9 numbers',
  );
  const bug = new RangeError('a bug');
  assert.throws(
    () =>
      withFlag('--dataset', () => {
        throw bug;
      }),
    (e) => e === bug,
  );
});

const src = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

test("only a program's main ends the process: no other file under src/ calls process.exit or sets process.exitCode", () => {
  // cli/main.ts is xorlab's; bench/main.ts is `npm run bench`'s own program, not part of xorlab's command line.
  const mains = new Set(['cli/main.ts', 'bench/main.ts']);
  const offenders = sources(src)
    .filter((path) => !mains.has(relative(src, path).split(sep).join('/')))
    .filter((path) => {
      const code = readFileSync(path, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
      return /\bprocess\s*\.\s*exit(Code)?\b/.test(code);
    })
    .map((path) => relative(src, path));
  assert.deepEqual(offenders, []);
});
