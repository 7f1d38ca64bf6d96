// Runs every test/**/*.test.ts with Node's test runner through tsx, each file in its own process, a few at a time.
// `--with-checks` (npm test) also runs the static checks (type-check, lint, format) beside the tests, at a lower CPU
// priority: each is one busy core for a while, and beside the tests they fill the cores the tests' waits leave idle
// instead of running alone before them. Their output is printed after the tests; any failure fails the run.
import { spawn, spawnSync } from 'node:child_process';
import { setPriority } from 'node:os';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { run } from 'node:test';
import { spec, tap } from 'node:test/reporters';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const withChecks = process.argv.includes('--with-checks');
const filter = process.argv.slice(2).filter((arg) => arg !== '--with-checks');

/** The static checks of `npm test`, run one after another (their npm scripts, so they stay the same commands). */
const CHECKS = ['typecheck', 'lint', 'format:check'];

/**
 * Files that run for minutes (real PostgreSQL servers, chunk expiries and worker processes; a fresh copy of the
 * project run through npm): started first, so that the short files fill the other slots beside them instead of one
 * long file running alone at the end. The run ends with its slowest files.
 */
const LONG_FIRST = ['test/cli/distributed.test.ts', 'test/package/clone.test.ts'];

/**
 * Files running at once. Many files spend much of their time waiting on child processes, servers and the browser,
 * so one more than the two cores keeps both busy; XORLAB_TEST_CONCURRENCY overrides it.
 */
const CONCURRENCY = Number(process.env.XORLAB_TEST_CONCURRENCY ?? 3);

/** How many of the slowest files the run ends with (XORLAB_TEST_TIMINGS=file.json writes every file's seconds). */
const SHOWN = 15;

// Each test file's process is started with this process's flags: tsx must be one of them. (`node --test` would sort
// the files by name; run() keeps the order given.)
if (!process.execArgv.includes('tsx')) {
  const again = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  process.exit(again.status ?? 1);
}

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

process.chdir(root);
const checks = withChecks ? runChecks() : Promise.resolve([]);
const stream = run({ files: files.map((f) => join(root, f)), concurrency: CONCURRENCY });
const seconds = new Map();
stream.on('test:fail', () => (process.exitCode = 1));
stream.on('test:complete', (data) => {
  // A file's own test:complete is named by its path (its tests have their own names).
  if (data.nesting === 0 && data.file === data.name) {
    seconds.set(relative(root, data.file), (data.details?.duration_ms ?? 0) / 1000);
  }
});
// Node's own choice of reporter: spec on a terminal, TAP otherwise (CI logs).
const tty = process.stdout.isTTY === true;
const output = stream.compose(tty ? new spec() : tap);
output.pipe(process.stdout);
output.on('end', () => {
  const slowest = [...seconds].sort((a, b) => b[1] - a[1]);
  if (process.env.XORLAB_TEST_TIMINGS) {
    writeFileSync(process.env.XORLAB_TEST_TIMINGS, `${JSON.stringify(Object.fromEntries(slowest), null, 1)}\n`);
  }
  const lines = [
    `slowest test files (of ${slowest.length}; wall time of each, ${CONCURRENCY} at a time):`,
    ...slowest.slice(0, SHOWN).map(([file, s]) => `${s.toFixed(1).padStart(7)} s  ${file}`),
  ];
  // Beside TAP the lines are TAP comments.
  process.stdout.write(`\n${lines.map((line) => (tty ? line : `# ${line}`)).join('\n')}\n`);
  void checks.then((results) => {
    for (const { name, status, seconds, output } of results) {
      const verdict = status === 0 ? 'passed' : `FAILED (exit ${status})`;
      process.stdout.write(`\nnpm run ${name}: ${verdict} in ${seconds.toFixed(0)} s (beside the tests)\n`);
      if (status !== 0 || output.trim() !== '') process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
      if (status !== 0) process.exitCode = 1;
    }
  });
});

/** Runs CHECKS in order, each `npm run <name>` at a lower priority, collecting its output. */
async function runChecks() {
  const results = [];
  for (const name of CHECKS) {
    const started = Date.now();
    const result = await new Promise((resolve) => {
      const child = spawn('npm', ['run', '--silent', name], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        setPriority(child.pid, 10);
      } catch {
        // Not allowed here: it runs at the normal priority.
      }
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      child.on('error', (error) => resolve({ status: 1, output: `${output}${error.message}\n` }));
      child.on('close', (status) => resolve({ status: status ?? 1, output }));
    });
    results.push({ name, ...result, seconds: (Date.now() - started) / 1000 });
  }
  return results;
}
