// `xorlab refine --goal` as a real child process on a real SQLite file: the rounds, the confirmatory interval and
// summary's fit, bad input, and Ctrl-C mid-round then the same command again giving the same trials, bit for bit,
// as an uninterrupted run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/open.js';
import { BIN, collect, runCli, tempDir, usageErrorLine } from '../helpers/cli.js';

const dir = tempDir();
const CURVE = ['--name', 'g', '--sweep', 'hiddenStd=exp:-2:2:40', '--repeats', '10', '--epochs', '2000'];
const RUN = ['--workers', '1', '--chunk-size', '20'];
const MINIMUM = ['refine', 'g', '--goal', 'minimum', '--budget', '4000'];

async function rows(db: string) {
  const store = openSqliteStore(db, { readonly: true });
  try {
    return (await collect(store.iterateTrials('g'))).map((r) => [
      r.point,
      r.repeat,
      r.seed,
      r.totalLoss,
      r.finalLoss,
      r.epochsToThreshold,
      r.success,
    ]);
  } finally {
    await store.close();
  }
}

function sweep(db: string, study = CURVE): void {
  const r = runCli(['sweep', ...study, ...RUN, '--db', db]);
  assert.equal(r.status, 0, r.stderr);
}

test("--goal minimum prints each round, the confirmatory interval with its method, and summary's fit; the budget is spent exactly", async () => {
  const db = join(dir, 'plain.db');
  sweep(db);
  const r = runCli([...MINIMUM, ...RUN, '--db', db]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^the study as stored: \+0 trainings \(0 beyond the study's repeats\): /m);
  // Exploration spends 30% of the budget (1,200): a first round of 1,000, then the rest.
  assert.match(r.stdout, /^exploration round 1: \+1,000 trainings \(1,000 beyond the study's repeats\): /m);
  assert.match(r.stdout, /^exploration round 2: \+200 trainings \(1,200 beyond the study's repeats\): /m);
  assert.match(r.stdout, /^confirmatory batch 1 \(95%\): \+[\d,]+ trainings \(4,000 beyond the study's repeats\): /m);
  assert.match(r.stdout, /^honest interval: .*fresh confirmatory batches at that design alone.*Bonferroni/m);
  assert.match(
    r.stdout,
    /^minimum \S+ \[\S+, \S+\] width \S+ \(95%, from 1 confirmatory batch of [\d,]+ trainings at 7 points, .*chi² [\d.]+ on 3 dof/m,
  );
  assert.match(
    r.stdout,
    /^summary's fitted minimum over every stored training: \S+ \[\S+, \S+\] \(what `xorlab summary g` shows/m,
  );
  assert.equal((await rows(db)).length, 400 + 4000);
  // The same command again replays the same rounds from the stored trials and runs nothing.
  const again = runCli([...MINIMUM, ...RUN, '--db', db]);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /refine g: 0 trainings run/);
});

test('--goal compare prints the confirmatory interval of the % difference; --metric success the difference of rates', async () => {
  const db = join(dir, 'compare.db');
  sweep(db, ['--name', 'g', '--sweep', 'hiddenStd=0.3,1', '--repeats', '10', '--epochs', '200']);
  const r = runCli(['refine', 'g', '--goal', 'compare', '0.3', '1', '--budget', '3000', ...RUN, '--db', db]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stdout,
    /^hiddenStd=1 vs hiddenStd=0\.3: confirmatory batch 1 \(95%\): \+2,000 trainings \(3,000 beyond the study's repeats\)/m,
  );
  assert.match(
    r.stdout,
    /^hiddenStd=1 vs hiddenStd=0\.3: -?\d+\.\d\d% \[-?\d+\.\d\d, -?\d+\.\d\d\] \(95%, confirmatory batch/m,
  );
  const s = runCli([
    'refine',
    'g',
    '--goal',
    'compare',
    '0.3',
    '1',
    '--metric',
    'success',
    '--budget',
    '1000',
    ...RUN,
    '--db',
    db,
  ]);
  assert.equal(s.status, 0, s.stderr);
  assert.match(s.stdout, /^hiddenStd=1 vs hiddenStd=0\.3: -?\d+\.\d\d pts \[/m);
});

test("--goal minimum on a study with a categorical axis refines each category's curve and answers for each", async () => {
  const db = join(dir, 'categories.db');
  const study = [
    '--name',
    'g',
    '--sweep',
    'activation=sigmoid,tanh',
    '--sweep',
    'hiddenStd=exp:-2:2:30',
    '--repeats',
    '6',
  ];
  sweep(db, [...study, '--epochs', '1000']);
  const r = runCli(['refine', 'g', '--goal', 'minimum', '--budget', '2000', ...RUN, '--db', db]);
  assert.equal(r.status, 0, r.stderr);
  for (const activation of ['sigmoid', 'tanh']) {
    assert.match(r.stdout, new RegExp(`^activation=${activation}: the study as stored: `, 'm'));
    assert.match(r.stdout, new RegExp(`^activation=${activation}: (minimum |note: )`, 'm'));
  }
  // Each curve's budget is its own: 2 x 2,000 beyond the 2 x 30 x 6 stored.
  assert.equal((await rows(db)).length, 360 + 4000);
});

test('Ctrl-C mid-round, then the same command: the same trials, bit for bit, as an uninterrupted run', async () => {
  const reference = join(dir, 'reference.db');
  sweep(reference);
  assert.equal(runCli([...MINIMUM, ...RUN, '--db', reference]).status, 0);
  const db = join(dir, 'sigint.db');
  sweep(db);
  const stopped = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...MINIMUM, ...RUN, '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let sent = false;
    let checking = false;
    const poll = setInterval(() => {
      if (checking || sent) return;
      checking = true;
      void rows(db).then((list) => {
        checking = false;
        // Mid-run: the first exploration round's 1,000 stored and some of what follows, not all.
        if (!sent && list.length > 400 + 1000 + 40) {
          sent = true;
          clearInterval(poll);
          child.kill('SIGINT');
        }
      });
    }, 20);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      resolve({ code, stderr });
    });
  });
  assert.equal(stopped.code, 130, stopped.stderr);
  assert.match(stopped.stderr, /Resume with the same command/);
  assert.ok((await rows(db)).length < 400 + 4000);
  const resumed = runCli([...MINIMUM, ...RUN, '--db', db]);
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.deepEqual(await rows(db), await rows(reference));
});

test('bad --goal input: one line, exit 2, nothing stored', async () => {
  const db = join(dir, 'bad.db');
  sweep(db, ['--name', 'g', '--sweep', 'hiddenStd=0.3,1', '--repeats', '10', '--epochs', '200']);
  for (const [args, pattern] of [
    [['--goal', 'maximum', '--budget', '10'], /--goal must be "minimum" or "compare A B"/],
    [['--goal', 'minimum'], /with --goal give exactly one of --target-width W, --budget N$/],
    [['--goal', 'compare', '0.3', '1', '--target-width', '1', '--budget', '5'], /exactly one of/],
    [['--goal', 'minimum', '--until-resolved'], /--until-resolved is for --goal compare/],
    [['--goal', 'minimum', '--budget', '40'], /--budget must be an integer >= 140 and <= 100000000, got "40"/],
    [['--goal', 'minimum', '--budget', '10', '--metric', 'success'], /--metric goes with --goal compare/],
    [['--goal', 'compare', '0.3', '1', '--budget', '10', '--metric', 'mean'], /--metric with --goal compare must be/],
    [['--goal', 'compare', '0.3', '7', '--budget', '10'], /hiddenStd=7 is not a point of g/],
    [['--goal', 'minimum', '--target-width', '-1'], /--target-width/],
    [['--goal', 'minimum', '--budget', '200', '--distributed'], /--distributed needs a PostgreSQL database/],
    [['--target-width', '1'], /go with --goal/],
  ] as const) {
    const r = runCli(['refine', 'g', ...args, '--db', db]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(usageErrorLine(r), pattern);
  }
  assert.equal((await rows(db)).length, 20);
});
