// Runs every test/**/*.test.ts with Node's test runner through tsx, each file in its own process, a few at a time.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const filter = process.argv.slice(2);

/**
 * Files that run for minutes (real PostgreSQL servers, chunk expiries and worker processes; a fresh copy of the
 * project run through npm): started first, so that the short files fill the other slots beside them instead of one
 * long file running alone at the end. scripts/test-timings.mjs prints the slowest files of each run.
 */
const LONG_FIRST = ['test/cli/distributed.test.ts', 'test/package/clone.test.ts'];

/**
 * Files running at once. Most files spend much of their time waiting on child processes, servers and the browser,
 * so one more than the two cores keeps both busy; XORLAB_TEST_CONCURRENCY overrides it.
 */
const CONCURRENCY = Number(process.env.XORLAB_TEST_CONCURRENCY ?? 3);

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...collect(path));
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const rank = (file) => (LONG_FIRST.includes(file) ? LONG_FIRST.indexOf(file) : LONG_FIRST.length);
const files = collect(join(root, 'test'))
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .sort((a, b) => rank(a) - rank(b)); // stable: the others keep their folder order
if (files.length === 0) {
  // node --test without files would go looking for tests all over the tree (node_modules included).
  console.error(`test: no file under test/ matches ${filter.map((x) => JSON.stringify(x)).join(' or ')}`);
  process.exit(2);
}
if (!Number.isInteger(CONCURRENCY) || CONCURRENCY < 1) {
  console.error(`test: XORLAB_TEST_CONCURRENCY must be an integer >= 1 (got ${process.env.XORLAB_TEST_CONCURRENCY})`);
  process.exit(2);
}
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${CONCURRENCY}`,
    // Node's own default (spec on a terminal, TAP otherwise), then the slowest files.
    `--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`,
    '--test-reporter-destination=stdout',
    `--test-reporter=${join(root, 'scripts', 'test-timings.mjs')}`,
    '--test-reporter-destination=stdout',
    ...files,
  ],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
