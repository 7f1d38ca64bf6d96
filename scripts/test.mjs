// Runs every test/**/*.test.ts with Node's test runner through tsx, each file in its own process, a few at a time.
// `--with-checks` (npm test) also runs the static checks (type-check, lint, format) beside the tests, at a lower CPU
// priority: each is one busy core for a while, and beside the tests they fill the cores the tests' waits leave idle
// instead of running alone before them. Their output is printed after the tests; any failure fails the run.
import { spawn, spawnSync } from 'node:child_process';
import { setPriority } from 'node:os';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { run } from 'node:test';
import { spec, tap } from 'node:test/reporters';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const withChecks = process.argv.includes('--with-checks');
const filter = process.argv.slice(2).filter((arg) => arg !== '--with-checks');

/** The static checks of `npm test`, run one after another (their npm scripts, so they stay the same commands). */
const CHECKS = ['typecheck', 'lint', 'format:check'];

/**
 * The files that take longest (a minute or more of wall time each on 2 cores: real PostgreSQL servers, chunk expiries
 * and worker processes, Chromium, a fresh copy of the project run through npm), longest first as measured in CI:
 * started first, so that the short files fill the other slots beside them instead of a long file running alone at the
 * end. (The browser files used to start last, in folder order, and made the run's tail.)
 */
const LONG_FIRST = [
  'test/cli/distributed.test.ts',
  'test/web/dashboard.test.ts',
  'test/package/clone.test.ts',
  'test/cli/postgres.test.ts',
  'test/web/accessibility.test.ts',
  'test/web/playground-views.test.ts',
  'test/web/live-minimum.test.ts',
  'test/web/playground.test.ts',
  'test/web/playground-study.test.ts',
];

/**
 * Files running at once. Many files spend much of their time waiting on child processes, servers and the browser,
 * so one more than the two cores keeps both busy; XORLAB_TEST_CONCURRENCY overrides it.
 */
const CONCURRENCY = Number(process.env.XORLAB_TEST_CONCURRENCY ?? 3);

/**
 * Folders whose test files share one process: they test pure computations in process (no child processes, signals
 * or process-wide settings), and a process of their own costs each of them ~0.6 CPU-s of starting Node and tsx, more
 * than many of them take to run. Each file's tests are wrapped in a suite named by its path, so the report still says
 * which file a failure is in.
 */
const SHARED_PROCESS = [
  'test/article',
  'test/core',
  'test/config',
  'test/text',
  'test/plot',
  'test/study/analysis',
  'test/study/definition',
  'test/study/goal',
  'test/study/run',
  'test/study/run/browser',
  'test/study/views',
];

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
const { entries, grouped } = groupSharedFiles(files);
const checks = withChecks ? runChecks() : Promise.resolve([]);
const stream = run({ files: entries, concurrency: CONCURRENCY });
const seconds = new Map();
stream.on('test:fail', () => (process.exitCode = 1));
stream.on('test:complete', (data) => {
  // A file's own test:complete is named by its path (its tests have their own names).
  if (data.nesting === 0 && data.file === data.name && !grouped.has(data.file)) {
    seconds.set(relative(root, data.file), (data.details?.duration_ms ?? 0) / 1000);
  } else if (data.nesting === 0 && grouped.get(data.file)?.includes(data.name)) {
    seconds.set(data.name, (data.details?.duration_ms ?? 0) / 1000);
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

/**
 * The files to hand to run(): each file of a SHARED_PROCESS folder is imported by one generated entry per folder
 * (.tmp/test-groups-<pid>/: a run of its own, removed when it ends), inside a suite named by its path; the others as
 * they are. `grouped` maps an entry to its files.
 */
function groupSharedFiles(list) {
  const members = new Map();
  for (const file of list) {
    const folder = dirname(file);
    if (SHARED_PROCESS.includes(folder)) members.set(folder, [...(members.get(folder) ?? []), file]);
  }
  const dir = join(root, '.tmp', `test-groups-${process.pid}`);
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const grouped = new Map();
  const entries = [];
  for (const file of list) {
    const group = members.get(dirname(file));
    if (!group || group.length < 2) entries.push(join(root, file));
    else if (group[0] === file) {
      mkdirSync(dir, { recursive: true });
      const entry = join(dir, `${dirname(file).replaceAll('/', '__')}.test.mjs`);
      const imports = group.map((f) => [f, pathToFileURL(join(root, f)).href]);
      writeFileSync(
        entry,
        `// Generated by scripts/test.mjs: these files run in one process (SHARED_PROCESS there).\n` +
          `import { describe } from 'node:test';\n` +
          `for (const [file, url] of ${JSON.stringify(imports)}) describe(file, async () => {\n  await import(url);\n});\n`,
      );
      grouped.set(entry, group);
      entries.push(entry);
    }
  }
  return { entries, grouped };
}

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
