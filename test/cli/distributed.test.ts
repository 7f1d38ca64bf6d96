// Distributed studies through the real CLI, with real processes and a real PostgreSQL server: several `xorlab
// worker` processes and a coordinator (`sweep --distributed`), a worker killed with SIGKILL mid-chunk, the server
// stopped and started mid-study, the coordinator killed and run again, Ctrl-C on the coordinator and on a worker,
// and bad databases. Every run must end with exactly the numbers of a local SQLite run of the same study (summary
// and every trial, bit for bit), and no output may show the password.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { BIN, runCli, tempDir, usageErrorLine, type CliResult } from '../helpers/cli.js';
import { startPostgres } from '../helpers/postgres.js';

const server = await startPostgres();
const children = new Set<ChildProcess>();
after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await server.close();
});
const dir = tempDir();
const outputs: string[] = [];

/** The batch, small: 8 points x 100 repeats in 8 chunks (reference engine, about 4 ms a training, so a
 * chunk runs for some tenths of a second), whose chunks expire 8 s after they are taken. */
const BATCH = [
  '--name',
  'batch',
  '--sweep',
  'hiddenStd=exp:-2:1:8',
  '--repeats',
  '100',
  '--seed',
  '4',
  '--epochs',
  '3000',
  '--engine',
  'reference',
  '--chunk-size',
  '100',
];
const BATCH_TOTAL = 800;

// A coordinator that no worker helps, in a database of its own, started now: it runs beside the tests below and the
// last test reads what it said (its note comes after 30 s, which the tests before take anyway).
const lonelyUrl = await server.createDatabase();
const lonelyStarted = Date.now();
const lonely = start(['sweep', ...BATCH, '--db', lonelyUrl, '--distributed', '--no-work']);

/** 8 points x 400 repeats with the reference engine, 1,500 epochs (about 2 ms a training here): 80 chunks of 40
 * trials, about a tenth of a second each, and some seconds of work in all, so that the faults land mid-study (each
 * test checks that they do). This study is trained five times (once locally, four times distributed): half the
 * epochs of the 3,000 halves the file's training CPU; fewer would leave the coordinator-killed test little
 * margin (the queue holds 32 chunks ahead, so its study must not end within a second of its 200th trial). */
const STUDY = [
  '--name',
  'fault',
  '--sweep',
  'hiddenStd=exp:-2:1:8',
  '--repeats',
  '400',
  '--seed',
  '3',
  '--epochs',
  '1500',
  '--engine',
  'reference',
  '--chunk-size',
  '40',
];
const TOTAL = 3200;

function assertNoPassword(text: string, where: string): void {
  for (const form of [server.password, encodeURIComponent(server.password), server.password.slice(3, 15)]) {
    assert.ok(!text.includes(form), `${where} shows the password:\n${text}`);
  }
}

function run(args: string[], env: Record<string, string> = {}): CliResult {
  const r = runCli(args, { env: { ...process.env, ...env } });
  outputs.push(r.stdout + r.stderr);
  assertNoPassword(r.stdout + r.stderr, `xorlab ${args[0]}`);
  return r;
}

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts the CLI in the background; its output is collected (and checked for the password at the end). */
function start(args: string[]): Running {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      children.delete(child);
      outputs.push(out);
      resolve(code);
    }),
  );
  return { child, output: () => out, exited };
}

/** Thrown by a probe: waiting is pointless, fail now with this message. */
class StopWaiting extends Error {}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch((error: unknown) => {
      if (error instanceof StopWaiting) throw error;
      return undefined; // the database is not ready yet
    });
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const dbName = (url: string): string => new URL(url).pathname.slice(1);

async function storedTrials(url: string): Promise<number> {
  const rows = await server.query<{ n: string }>('SELECT count(*) AS n FROM xorlab.trials', [], dbName(url));
  return Number(rows[0].n);
}

async function jobs(url: string, state: string): Promise<{ id: string; retry_count: number }[]> {
  return server.query(
    `SELECT id, retry_count FROM xorlab_queue.job WHERE name = 'chunks' AND state = $1`,
    [state],
    dbName(url),
  );
}

interface Reference {
  name: string;
  total: number;
  summary: unknown;
  trials: string;
}

/** The study run locally into SQLite: what every distributed run of it must store. */
function localRun(study: string[], total: number): Reference {
  const name = study[study.indexOf('--name') + 1];
  const db = join(dir, `local-${name}.db`);
  assert.equal(run(['sweep', ...study, '--db', db, '--workers', '2']).status, 0);
  return {
    name,
    total,
    summary: JSON.parse(run(['summary', name, '--json', '--db', db]).stdout),
    trials: run(['export', name, '--db', db]).stdout,
  };
}

let local: Reference | null = null;
before(() => {
  local = localRun(STUDY, TOTAL);
});

/** The study in `url` holds exactly what the local SQLite run holds (the summary, and every trial bit for bit). */
function assertSameAsLocal(url: string, reference = local!): void {
  const summary = run(['summary', reference.name, '--json', '--db', url]);
  assert.equal(summary.status, 0, summary.stderr);
  assert.deepEqual(JSON.parse(summary.stdout), reference.summary);
  const trials = run(['export', reference.name, '--db', url]).stdout;
  assert.equal(trials.trim().split('\n').length, reference.total + 1);
  assert.equal(trials, reference.trials);
}

/** The process's exit code, or a failure naming `what` (with its output) when it has not ended within `ms`. */
async function exitWithin(what: string, running: Running, ms = 90_000): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} has not ended after ${ms / 1000} s:\n${running.output()}`)), ms);
  });
  try {
    return await Promise.race([running.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const UNTIL_EMPTY_DONE =
  /^xorlab worker: \d+ chunks?, [\d,]+ trials? trained and stored in .*; returned because no chunk is waiting or held in the queue and no coordinator is planning more\n/m;

test('a batch of `worker --until-empty`, one SIGKILLed mid-study, a third started after: every trial stored, as in SQLite', async () => {
  // The issue: the surviving workers returned while the killed worker's chunks were still held (nothing was
  // *waiting*); those chunks came back to the queue with nobody left, and the coordinator waited for ever.
  const reference = localRun(BATCH, BATCH_TOTAL);
  const url = await server.createDatabase();
  const coordinator = start(['sweep', ...BATCH, '--db', url, '--distributed', '--no-work']);
  await waitFor('chunks queued', async () => (await jobs(url, 'created')).length > 0);
  const a = start(['worker', '--db', url, '--workers', '1', '--until-empty']);
  await waitFor('worker A to store a chunk and take more', async () => {
    if (a.child.exitCode !== null)
      throw new StopWaiting(`worker A ended early (exit ${a.child.exitCode}): ${a.output()}`);
    return (await storedTrials(url)) > 0 && (await jobs(url, 'active')).length > 0;
  });
  const b = start(['worker', '--db', url, '--workers', '1', '--until-empty']);
  // A dies holding chunks once nothing is waiting any more (the workers met that within seconds): B and a
  // worker started now find nothing to take until A's chunks expire.
  await waitFor(
    'every chunk taken',
    async () => (await jobs(url, 'created')).length + (await jobs(url, 'retry')).length === 0,
  );
  const held = (await jobs(url, 'active')).map((j) => j.id);
  a.child.kill('SIGKILL');
  assert.equal(await a.exited, null);
  const c = start(['worker', '--db', url, '--workers', '1', '--until-empty']);
  assert.equal(await exitWithin('the coordinator', coordinator), 0, coordinator.output());
  assert.match(coordinator.output(), /sweep batch: 800 trials stored in .* none trained here \(--no-work\)/);
  for (const [name, worker] of [
    ['B', b],
    ['C', c],
  ] as const) {
    assert.equal(await exitWithin(`worker ${name}`, worker), 0, worker.output());
    assert.match(worker.output(), UNTIL_EMPTY_DONE, `worker ${name}`);
  }
  // Every chunk held at the kill is finished: A's came back at their expiry and B or C took them.
  const rows = await server.query<{ state: string; retry_count: number }>(
    'SELECT state, retry_count FROM xorlab_queue.job WHERE id = ANY($1::uuid[])',
    [held],
    dbName(url),
  );
  assert.ok(
    rows.length === held.length && rows.every((r) => r.state === 'completed') && rows.some((r) => r.retry_count >= 1),
    JSON.stringify(rows),
  );
  assert.equal(await storedTrials(url), BATCH_TOTAL);
  assertSameAsLocal(url, reference);
});

test('a worker killed with SIGKILL mid-chunk: another takes its chunks within seconds; nothing lost or doubled', async () => {
  const url = await server.createDatabase();
  const coordinator = start(['sweep', ...STUDY, '--db', url, '--distributed', '--no-work']);
  const a = start(['worker', '--db', url, '--workers', '1']);
  await waitFor('worker A to store a chunk and take more', async () => {
    // A worker that has ended cannot be killed mid-chunk: say why instead of waiting out the timeout.
    if (a.child.exitCode !== null)
      throw new StopWaiting(`worker A ended early (exit ${a.child.exitCode}): ${a.output()}`);
    return (await storedTrials(url)) > 0 && (await jobs(url, 'active')).length > 0;
  });
  a.child.kill('SIGKILL');
  const killedAt = Date.now();
  assert.equal(await a.exited, null);
  // A was the only worker: the chunks active now are the ones it held when it died (one running, one waiting).
  const ids = (await jobs(url, 'active')).map((j) => j.id);
  assert.ok(ids.length >= 1, 'A held no chunk when it was killed');
  const b = start(['worker', '--db', url, '--workers', '1']);
  // Each of A's chunks is finished by B after its expiry: completed, at its second attempt or later.
  const retaken = await waitFor("A's chunks to be finished by B", async () => {
    const rows = await server.query<{ id: string; state: string; retry_count: number }>(
      'SELECT id, state, retry_count FROM xorlab_queue.job WHERE id = ANY($1::uuid[])',
      [ids],
      dbName(url),
    );
    return rows.length === ids.length && rows.every((r) => r.state === 'completed') && rows;
  });
  const seconds = (Date.now() - killedAt) / 1000;
  assert.ok(
    retaken.every((r) => r.retry_count >= 1),
    JSON.stringify(retaken),
  );
  assert.ok(seconds < 30, `A's chunks were finished ${seconds} s after the kill`);
  process.stderr.write(
    `# SIGKILLed worker: its ${ids.length} chunks finished by another worker ${seconds.toFixed(1)} s after the kill\n`,
  );
  assert.equal(await coordinator.exited, 0, coordinator.output());
  assert.match(coordinator.output(), /sweep fault: 3,200 trials stored in .* none trained here \(--no-work\)/);
  assert.match(coordinator.output(), /sweep fault \(distributed\): 3,200 trials to run/);
  // B keeps waiting for chunks until Ctrl-C: one line, exit 130.
  b.child.kill('SIGINT');
  assert.equal(await b.exited, 130, b.output());
  assert.match(
    b.output(),
    /xorlab: worker stopped: \d+ chunks?, [\d,]+ trials? trained and stored in .*; 0 unfinished chunks handed back to the queue\n$/,
  );
  assertSameAsLocal(url);
});

test('PostgreSQL stopped and started mid-study: coordinator and worker reconnect and finish; nothing lost or doubled', async () => {
  const url = await server.createDatabase();
  const coordinator = start(['sweep', ...STUDY, '--db', url, '--distributed', '--workers', '1']);
  const worker = start(['worker', '--db', url, '--workers', '1']);
  await waitFor('some trials stored', async () => (await storedTrials(url)) >= 300);
  await server.stop('immediate');
  // The server stays down until both have seen it go (each says so), not for a fixed while.
  const lost = /lost the connection to PostgreSQL at .*; retrying for up to/;
  await waitFor('the coordinator and the worker to see the server gone', async () => {
    for (const [name, running] of [
      ['coordinator', coordinator],
      ['worker', worker],
    ] as const) {
      if (running.child.exitCode !== null)
        throw new StopWaiting(`the ${name} ended while the server was down: ${running.output()}`);
    }
    return lost.test(coordinator.output()) && lost.test(worker.output());
  });
  await server.start();
  assert.equal(await coordinator.exited, 0, coordinator.output());
  assert.match(coordinator.output(), /lost the connection to PostgreSQL at postgres:\/\/xorlab:\*\*\*@127\.0\.0\.1/);
  assert.match(coordinator.output(), /reconnected to PostgreSQL/);
  worker.child.kill('SIGINT');
  assert.equal(await worker.exited, 130, worker.output());
  assert.match(worker.output(), /reconnected to PostgreSQL/);
  assertSameAsLocal(url);
});

test('the coordinator killed: workers finish what is queued; the same command again completes the study', async () => {
  const url = await server.createDatabase();
  const coordinator = start(['sweep', ...STUDY, '--db', url, '--distributed', '--no-work']);
  await waitFor('chunks queued', async () => (await jobs(url, 'created')).length > 0);
  const worker = start(['worker', '--db', url, '--workers', '1', '--until-empty']);
  await waitFor('some trials stored', async () => (await storedTrials(url)) >= 200);
  coordinator.child.kill('SIGKILL');
  assert.equal(await coordinator.exited, null);
  // The worker empties the queue the coordinator left and returns.
  assert.equal(await worker.exited, 0, worker.output());
  assert.match(
    worker.output(),
    /^xorlab worker: \d+ chunks?, .*; returned because no chunk is waiting or held in the queue and no coordinator is planning more \(the coordinator of study "fault" stopped before the end: run its command again to complete it\)\n/m,
  );
  const partial = await storedTrials(url);
  assert.ok(partial > 200 && partial < TOTAL, `${partial} stored`);
  const again = run(['sweep', ...STUDY, '--db', url, '--distributed', '--workers', '2']);
  assert.equal(again.status, 0, again.stderr);
  assert.match(
    again.stderr,
    new RegExp(`${partial.toLocaleString('en-US')} of 3,200 trials already stored; running the rest`),
  );
  assertSameAsLocal(url);
});

test('Ctrl-C on the coordinator and on a worker: one line each, chunks handed back, the printed command resumes', async () => {
  const url = await server.createDatabase();
  const coordinator = start(['sweep', ...STUDY, '--db', url, '--distributed', '--workers', '1']);
  const worker = start(['worker', '--db', url, '--workers', '1']);
  // Queued chunks may be taken at once (by the worker or the coordinator's own): look for any job of the study.
  await waitFor(
    'chunks queued',
    async () => (await jobs(url, 'created')).length + (await jobs(url, 'active')).length > 0,
  );
  // A second coordinator of the same study is refused while the first runs.
  assert.match(
    usageErrorLine(run(['sweep', ...STUDY, '--db', url, '--distributed'])),
    /study "fault" is already being run by another coordinator/,
  );
  await waitFor('some trials stored', async () => (await storedTrials(url)) >= 100);
  coordinator.child.kill('SIGINT');
  assert.equal(await coordinator.exited, 130, coordinator.output());
  worker.child.kill('SIGINT');
  assert.equal(await worker.exited, 130, worker.output());
  assert.match(worker.output(), /xorlab: worker stopped: .*; \d+ unfinished chunks handed back to the queue\n$/);
  // Nothing of the study is left in the queue: the coordinator took its chunks off, the worker handed its own back.
  assert.deepEqual(await jobs(url, 'active'), []);
  assert.deepEqual(await jobs(url, 'created'), []);
  assert.deepEqual(await jobs(url, 'retry'), []);
  const out = coordinator.output();
  const m =
    /xorlab: stopped; [\d,]+ of 3,200 trials are stored \(\d+ queued chunks taken off the queue; chunks running elsewhere finish\)\. Resume with:\n {2}xorlab (.+)\n/.exec(
      out,
    );
  assert.ok(m, out);
  assert.match(m[1], /--db postgres:\/\/xorlab:\*\*\*@127\.0\.0\.1:\d+\/t_\S+ --distributed/);
  assert.match(out, /the password is not printed: put it in place of \*\*\*/);
  const args = m[1].split(' ').map((a) => a.replace(':***@', `:${encodeURIComponent(server.password)}@`));
  const resumed = run(args);
  assert.equal(resumed.status, 0, resumed.stderr);
  assertSameAsLocal(url);
});

test('refine --distributed adds the same trials as a local refine; with --goal it prints its rounds and answer', async () => {
  const url = await server.createDatabase();
  const db = join(dir, 'refine.db');
  const study = [
    '--name',
    'ref',
    '--sweep',
    'hiddenStd=exp:-2:1:6',
    '--repeats',
    '20',
    '--seed',
    '8',
    '--epochs',
    '400',
  ];
  assert.equal(run(['sweep', ...study, '--db', url, '--distributed', '--workers', '2']).status, 0);
  assert.equal(run(['sweep', ...study, '--db', db]).status, 0);
  const refined = run(['refine', 'ref', '--budget', '700', '--db', url, '--distributed', '--workers', '2']);
  assert.equal(refined.status, 0, refined.stderr);
  assert.match(
    refined.stdout,
    /^refine ref: 700 trials stored in .* on all workers; 700 trained here on 2 workers\)\n$/,
  );
  assert.equal(run(['refine', 'ref', '--budget', '700', '--db', db]).status, 0);
  assert.deepEqual(
    JSON.parse(run(['summary', 'ref', '--json', '--db', url]).stdout),
    JSON.parse(run(['summary', 'ref', '--json', '--db', db]).stdout),
  );
  const trials = run(['export', 'ref', '--db', url]).stdout;
  assert.equal(trials.trim().split('\n').length, 120 + 700 + 1);
  assert.equal(trials, run(['export', 'ref', '--db', db]).stdout);
  // With a goal, each round is coordinated the same way (test/distributed/coordinate.test.ts checks its trials
  // against one machine's): the rounds and the answer are printed as they are without --distributed.
  const goal = run([
    ...['refine', 'ref', '--goal', 'compare', '0.4493', '0.8187', '--budget', '1200'],
    ...['--db', url, '--distributed', '--workers', '2'],
  ]);
  assert.equal(goal.status, 0, goal.stderr);
  const label = 'hiddenStd=0\\.8187 vs hiddenStd=0\\.4493';
  assert.match(goal.stdout, new RegExp(`^${label}: exploration round 1: \\+1,000 trainings `, 'm'));
  assert.match(goal.stdout, new RegExp(`^${label}: confirmatory batch 1 \\(95%\\): \\+[\\d,]+ trainings `, 'm'));
  assert.match(
    goal.stdout,
    new RegExp(`^${label}: -?\\d+\\.\\d\\d% \\[-?\\d+\\.\\d\\d, -?\\d+\\.\\d\\d\\] \\(95%`, 'm'),
  );
  assert.match(
    goal.stdout,
    /^refine ref: [\d,]+ trainings run in [\d.]+ s, distributed \([\d,]+ trained here on 2 workers\)\n$/m,
  );
  assert.match(goal.stderr, /^refine ref \(distributed\): /m);
});

test('bad input: one line, exit 2, within seconds, nothing printed shows the password', async () => {
  const url = await server.createDatabase();
  const database = dbName(url);
  const cases: [string, string[], RegExp][] = [
    [
      'wrong password (worker)',
      ['worker', '--db', server.url(database, { password: `${server.password}x` })],
      /password authentication failed/,
    ],
    [
      'wrong password (coordinator)',
      ['sweep', ...STUDY, '--distributed', '--db', server.url(database, { password: `${server.password}x` })],
      /password authentication failed/,
    ],
    ['closed port', ['worker', '--db', url.replace(`:${server.port}/`, ':1/')], /connection refused/],
    ['unknown host', ['worker', '--db', url.replace('127.0.0.1', 'no-such-host.invalid')], /unknown host/],
    ['malformed URL', ['worker', '--db', url.replace(`:${server.port}/`, ':99999/')], /not a valid PostgreSQL URL/],
    [
      'a SQLite file',
      ['worker', '--db', join(dir, 'x.db')],
      /xorlab worker needs a PostgreSQL database: --db postgres:\/\/user@host:port\/database or \$XORLAB_DB \(got .*x\.db\)/,
    ],
    [
      '--distributed on SQLite',
      ['sweep', ...STUDY, '--distributed', '--db', join(dir, 'x.db')],
      /--distributed needs a PostgreSQL database/,
    ],
    ['--no-work alone', ['sweep', ...STUDY, '--no-work', '--db', url], /--no-work goes with --distributed/],
    ['no threads', ['worker', '--db', url, '--workers', '0'], /--workers/],
  ];
  for (const [what, args, expected] of cases) {
    const started = Date.now();
    const r = run(args, { XORLAB_DB: '' });
    const seconds = (Date.now() - started) / 1000;
    assert.match(usageErrorLine(r), expected, what);
    assert.ok(seconds < 8, `${what}: ${seconds} s`);
  }
  // Nothing was created by the refused commands.
  assert.deepEqual(
    await server.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'xorlab%'", [], database),
    [],
  );
});

test('a coordinator that no worker helps says how to start one, within 30 s, and shows no ETA', async () => {
  const line =
    /xorlab: no worker has taken a chunk for \d+\.\ds: start `xorlab worker --db postgres:\/\/xorlab:\*\*\*@127\.0\.0\.1:\d+\/t_\w+`\n/;
  await waitFor(
    'the no-worker line',
    async () => {
      if (lonely.child.exitCode !== null)
        throw new StopWaiting(`the coordinator ended (exit ${lonely.child.exitCode}): ${lonely.output()}`);
      return line.test(lonely.output());
    },
    Math.max(0, lonelyStarted + 45_000 - Date.now()),
  );
  // Said rarely: once, and again only every 5 minutes while it lasts.
  const allowed = 1 + Math.floor(Math.max(0, Date.now() - lonelyStarted - 30_000) / 300_000);
  assert.ok((lonely.output().match(/no worker has taken a chunk/g)?.length ?? 0) <= allowed, lonely.output());
  assert.match(
    lonely.output(),
    /sweep batch \(distributed\): 0\/800 \(0\.0%\), 0 trainings\/s, elapsed [\d.]+s, no ETA: nothing stored for [\d.]+s\n/,
  );
  lonely.child.kill('SIGINT');
  assert.equal(await lonely.exited, 130, lonely.output());
});

test('no output of any run above showed the password', () => {
  assert.ok(outputs.length > 10);
  for (const out of outputs) assertNoPassword(out, 'an output');
});
