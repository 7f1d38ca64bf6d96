// `xorlab sweep` as a real child process: interrupted by SIGKILL and by Ctrl-C, resumed, compared with an
// uninterrupted run; bad input ends with one line and exit 2 without touching the database.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../../src/cli/errors.js';
import { registerSweep } from '../../src/cli/commands/sweep.js';
import { openSqliteStore } from '../../src/store/sqlite/open.js';
import { BIN, runCli, tempDir, usageErrorLine, collect } from '../helpers/cli.js';

// 300 points x 10 repeats of 500 epochs with the reference engine: ~2 s of training (~1.4 us per epoch) on 2
// cores, against a kill sent within ~20 ms of the first stored chunk, so the kill lands while the run goes on even
// on a loaded machine (which slows the run as much as the poll); small chunks (7 trials, so chunks split points as
// real chunk sizes do) reach the database from the start. The run is done three times (uninterrupted, killed and
// resumed, stopped and resumed): its length is most of this file's time.
const STUDY = [
  '--name',
  'kill',
  '--sweep',
  'hiddenStd=exp:-3:4:300',
  '--repeats',
  '10',
  '--seed',
  '5',
  '--epochs',
  '500',
  '--output-std',
  '0.8165',
  '--update-order',
  'seed',
];
const RUN = ['--engine', 'reference', '--workers', '2', '--chunk-size', '7'];
const TOTAL = 3000;
const dir = tempDir();
const referenceDb = join(dir, 'reference.db');

async function storedCount(db: string, study = 'kill'): Promise<number> {
  if (!existsSync(db)) return 0;
  try {
    const store = openSqliteStore(db, { readonly: true });
    try {
      return (await store.getStudy(study))?.trialCount ?? 0;
    } finally {
      await store.close();
    }
  } catch {
    return 0; // the file is being created
  }
}

async function contents(db: string, study = 'kill') {
  const store = openSqliteStore(db, { readonly: true });
  try {
    return { rows: await collect(store.iterateTrials(study)), summary: await store.summarize(study) };
  } finally {
    await store.close();
  }
}

/** Starts a sweep, waits until some trials are stored, sends `signal`; resolves with the exit and stderr. */
function interruptedSweep(
  db: string,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; before: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'sweep', ...STUDY, ...RUN, '--db', db], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let seen = 0;
    const poll = setInterval(() => {
      void storedCount(db).then((n) => {
        seen = Math.max(seen, n);
        if (seen > 0) {
          clearInterval(poll);
          child.kill(signal);
        }
      });
    }, 20);
    child.on('error', reject);
    child.on('exit', (code, sig) => {
      clearInterval(poll);
      resolve({ code, signal: sig, stderr, before: seen });
    });
  });
}

async function assertComplete(db: string): Promise<void> {
  const got = await contents(db);
  const want = await contents(referenceDb);
  assert.equal(got.rows.length, TOTAL);
  assert.equal(new Set(got.rows.map((r) => `${r.point}:${r.repeat}`)).size, TOTAL, 'no duplicates');
  assert.deepEqual(got.rows, want.rows);
  // The store's summary is a function of the stored rows only, whatever the batching or resumes: bit-identical.
  assert.deepEqual(got.summary, want.summary);
}

before(async () => {
  const r = runCli(['sweep', ...STUDY, ...RUN, '--db', referenceDb]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /sweep kill: 3,000 trials stored in .* trainings\/s, 2 workers/);
  assert.equal(await storedCount(referenceDb), TOTAL);
});

test('SIGKILL in the middle, then the same command again: the same trials and summary as an uninterrupted run', async () => {
  const db = join(dir, 'killed.db');
  const killed = await interruptedSweep(db, 'SIGKILL');
  assert.equal(killed.signal, 'SIGKILL');
  const left = await storedCount(db);
  assert.ok(left > 0 && left < TOTAL, `expected a partial study, got ${left} of ${TOTAL} trials`);
  const resumed = runCli(['sweep', ...STUDY, ...RUN, '--db', db]);
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, new RegExp(`${left.toLocaleString('en-US')} of 3,000 trials already stored`));
  await assertComplete(db);
});

test('Ctrl-C keeps the finished trials, exits 130 and prints the command that resumes', async () => {
  const db = join(dir, 'sigint.db');
  const stopped = await interruptedSweep(db, 'SIGINT');
  assert.equal(stopped.code, 130, stopped.stderr);
  const kept = await storedCount(db);
  assert.ok(kept >= stopped.before && kept < TOTAL, `kept ${kept}`);
  const m = /stopped after ([\d,]+) of 3,000 trials; they are stored\. Resume with:\n {2}xorlab (.+)\n/.exec(
    stopped.stderr,
  );
  assert.ok(m, stopped.stderr);
  assert.equal(Number(m[1].replace(/,/g, '')), kept);
  const resumed = runCli(m[2].split(' '));
  assert.equal(resumed.status, 0, resumed.stderr);
  await assertComplete(db);
  // Complete now: running it again does nothing; the name alone resumes the stored definition.
  const again = runCli(['sweep', '--name', 'kill', '--db', db]);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /all 3,000 trials are stored; nothing to run/);
});

test('a study file and flags give the same study; a 2-D landscape stores every pair', async () => {
  const db = join(dir, 'file.db');
  const file = join(dir, 'land.json');
  writeFileSync(
    file,
    JSON.stringify({
      name: 'land',
      config: { epochs: 50 },
      sweep: { lr: [0.5, 1], activation: 'sigmoid,tanh' },
      repeats: 2,
      seed: 3,
    }),
  );
  const r = runCli(['sweep', '--study-file', file, '--db', db, '--workers', '1']);
  assert.equal(r.status, 0, r.stderr);
  const { rows } = await contents(db, 'land');
  assert.equal(rows.length, 8);
  assert.deepEqual(
    rows.filter((x) => x.repeat === 0).map((x) => x.params),
    [
      { lr: 0.5, activation: 'sigmoid' },
      { lr: 0.5, activation: 'tanh' },
      { lr: 1, activation: 'sigmoid' },
      { lr: 1, activation: 'tanh' },
    ],
  );
  const flags = runCli([
    'sweep',
    '--name',
    'land',
    '--epochs',
    '50',
    '--sweep',
    'lr=0.5,1',
    '--sweep',
    'activation=sigmoid,tanh',
    '--repeats',
    '2',
    '--seed',
    '3',
    '--db',
    db,
  ]);
  assert.equal(flags.status, 0, flags.stderr);
  assert.match(flags.stdout, /all 8 trials are stored/);
});

test('bad input: one line, exit 2, and the database is not created or changed', () => {
  const db = join(dir, 'bad.db');
  const notJson = join(dir, 'not.json');
  writeFileSync(notJson, '{ "name": ');
  // Grids and definitions are checked thoroughly in test/study. Through the real CLI: one case per kind of input.
  const cases: [string[], RegExp][] = [
    [['--name', 'x', '--sweep', 'wingspan=1,2'], /cannot sweep "wingspan"; sweepable: hiddenStd/],
    [['--name', 'x', '--sweep', 'hiddenStd=exp:1:2'], /exp:a:b:n/],
    [['--study-file', notJson], /not\.json is not valid JSON/],
    [['--name', 'nothing-here'], /no study "nothing-here"/],
    // 100,000 points x 1,000,000 repeats: refused by the per-study cap before any plan or database exists.
    [
      ['--name', 'big', '--sweep', 'hiddenStd=lin:1:2:100000', '--repeats', '1000000'],
      /100,000,000,000 trials; a study holds at most 100,000,000/,
    ],
  ];
  for (const [args, message] of cases) {
    const line = usageErrorLine(runCli(['sweep', ...args, '--db', db]));
    assert.match(line, message, args.join(' '));
    assert.ok(!existsSync(db), `${args.join(' ')} created the database`);
  }
});

test('more bad input, in process: a UsageError naming the problem, and no database created', async () => {
  const db = join(dir, 'bad-in-process.db');
  const badSchema = join(dir, 'schema.json');
  writeFileSync(badSchema, JSON.stringify({ name: 'x', sweep: { hiddenStd: '1,2' }, repeats: 0 }));
  const cases: [string[], RegExp][] = [
    [['--name', 'x', '--sweep', 'hiddenStd=lin:0:1:0'], /count n .* must be an integer from 1/],
    [['--name', 'x', '--sweep', 'hiddenStd=-1,1'], /hiddenStd=-1 is not allowed/],
    [['--name', 'x', '--sweep', 'hiddenStd'], /--sweep must be param=grid/],
    [['--study-file', badSchema], /repeats must be >= 1/],
    [['--study-file', join(dir, 'missing.json')], /cannot read .*missing\.json \(no such file\)/],
    [['--name', 'x', '--lr', '-1'], /--lr must be > 0/],
    [['--name', 'x', '--workers', '0'], /--workers must be an integer >= 1/],
    [['--name', 'x', '--sweep', 'dataset=xor,nope.csv'], /nope\.csv/],
    [['--sweep', 'lr=1,2'], /needs a name/],
  ];
  for (const [args, message] of cases) {
    const program = new Command('xorlab').exitOverride();
    registerSweep(program, () => {});
    await assert.rejects(
      program.parseAsync(['sweep', ...args, '--db', db], { from: 'user' }),
      (e: Error) => e instanceof UsageError && message.test(e.message),
      args.join(' '),
    );
    assert.ok(!existsSync(db), `${args.join(' ')} created the database`);
  }
});

test('rerunning a name with a different definition is refused and changes nothing', async () => {
  const db = join(dir, 'redefine.db');
  const base = [
    'sweep',
    '--name',
    'r',
    '--sweep',
    'hiddenStd=1,2',
    '--repeats',
    '2',
    '--epochs',
    '50',
    '--db',
    db,
    '--workers',
    '1',
  ];
  assert.equal(runCli(base).status, 0);
  const size = statSync(db).size;
  const line = usageErrorLine(runCli([...base.slice(0, 5), '--repeats', '3', ...base.slice(7)]));
  assert.match(line, /study "r" already exists with a different definition \(repeats: stored 2, given 3\)/);
  const swapped = usageErrorLine(
    runCli(['sweep', '--name', 'r', '--sweep', 'hiddenStd=2,1', '--repeats', '2', '--epochs', '50', '--db', db]),
  );
  assert.match(swapped, /sweep: stored \{"hiddenStd":\[1,2\]\}, given \{"hiddenStd":\[2,1\]\}/);
  assert.equal(await storedCount(db, 'r'), 4);
  assert.equal(statSync(db).size, size);
});

test('a stored study keeps its engine: another --engine or --precision is refused, no flag goes on with the stored one', async () => {
  const db = join(dir, 'engine.db');
  const study = [
    '--name',
    'e',
    '--sweep',
    'hiddenStd=1,2',
    '--repeats',
    '2',
    '--epochs',
    '50',
    '--db',
    db,
    '--workers',
    '1',
  ];
  assert.equal(runCli(['sweep', ...study, '--precision', 'f64']).status, 0);
  const size = statSync(db).size;
  const f32 = usageErrorLine(runCli(['sweep', ...study, '--precision', 'f32']));
  assert.match(
    f32,
    /study "e" holds trials trained with --engine fast --precision f64; this run asks for --engine fast --precision f32, .*continue it with --engine fast --precision f64/,
  );
  const reference = usageErrorLine(runCli(['sweep', ...study, '--engine', 'reference']));
  assert.match(
    reference,
    /holds trials trained with --engine fast --precision f64; this run asks for --engine reference/,
  );
  assert.match(
    usageErrorLine(runCli(['refine', 'e', '--budget', '4', '--engine', 'reference', '--db', db])),
    /this run asks for --engine reference/,
  );
  assert.equal(statSync(db).size, size);
  // Without the flags, refine adds trials with the stored engine and precision.
  const more = runCli(['refine', 'e', '--budget', '4', '--db', db, '--workers', '1']);
  assert.equal(more.status, 0, more.stderr);
  const { rows } = await contents(db, 'e');
  assert.equal(rows.length, 8);
  assert.deepEqual(new Set(rows.map((r) => `${r.engine}/${r.precision}`)), new Set(['fast/f64']));
});

test('--sweep names a parameter as its key or as its flag; a typo gets the nearest sweepable name', () => {
  const db = join(tempDir(), 'names.db');
  const flag = runCli([
    'sweep',
    '--name',
    'f',
    '--sweep',
    'hidden-std=0.5,1',
    '--sweep',
    '--output-std=2,3',
    '--repeats',
    '1',
    '--epochs',
    '20',
    '--db',
    db,
  ]);
  assert.equal(flag.status, 0, flag.stderr);
  // The same study written with the keys: nothing to run.
  const keys = runCli([
    'sweep',
    '--name',
    'f',
    '--sweep',
    'hiddenStd=0.5,1',
    '--sweep',
    'outputStd=2,3',
    '--repeats',
    '1',
    '--epochs',
    '20',
    '--db',
    db,
  ]);
  assert.equal(keys.status, 0, keys.stderr);
  assert.match(keys.stdout, /all 4 trials are stored/);
  assert.match(
    usageErrorLine(runCli(['sweep', '--name', 'g', '--sweep', 'hidden-std=1', '--sweep', 'hiddenStd=2', '--db', db])),
    /--sweep: hiddenStd is given twice/,
  );
  assert.match(
    usageErrorLine(runCli(['sweep', '--name', 'g', '--sweep', 'hiden-std=1,2', '--db', db])),
    /--sweep: cannot sweep "hiden-std" \(did you mean hiddenStd\?\); sweepable: hiddenStd/,
  );
  assert.match(
    usageErrorLine(runCli(['sweep', '--name', 'g', '--sweep', 'learning-rate=1,2', '--db', db])),
    /cannot sweep "learning-rate"; sweepable/,
  );
});
