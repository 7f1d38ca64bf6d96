// `xorlab refine` as a real child process on a real SQLite file.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/open.js';
import type { TrialRow } from '../../src/store/types.js';
import { commandLine, runFlagArgs, runSettings } from '../../src/cli/run.js';
import { engineChoice } from '../../src/config/index.js';
import { spawn } from 'node:child_process';
import { trialSeed } from '../../src/study/run/browser/plan.js';
import { BIN, runCli, tempDir, usageErrorLine, collect } from '../helpers/cli.js';

const dir = tempDir();
const db = join(dir, 'refine.db');

async function rows(): Promise<TrialRow[]> {
  const store = openSqliteStore(db, { readonly: true });
  try {
    return await collect(store.iterateTrials('r'));
  } finally {
    await store.close();
  }
}

/** Trials per point, and the relative standard error of the mean totalLoss, computed here by hand. */
function byPoint(list: TrialRow[]): { count: number; rse: number }[] {
  const out: { count: number; rse: number }[] = [];
  for (const p of [0, 1, 2, 3]) {
    const xs = list.filter((r) => r.point === p).map((r) => r.totalLoss!);
    const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
    const std = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
    out.push({ count: xs.length, rse: std / Math.sqrt(xs.length) / mean });
  }
  return out;
}

before(() => {
  const r = runCli([
    'sweep',
    '--name',
    'r',
    '--sweep',
    'hiddenStd=0.1,0.7,3,12',
    '--repeats',
    '6',
    '--epochs',
    '300',
    '--engine',
    'reference',
    '--workers',
    '2',
    '--db',
    db,
  ]);
  assert.equal(r.status, 0, r.stderr);
});

test('--budget: the dry run shows an allocation proportional to the relative errors that sums to the budget; the run adds exactly it', async () => {
  const start = await rows();
  const errors = byPoint(start);
  const budget = 40;
  const dry = runCli(['refine', 'r', '--budget', String(budget), '--dry-run', '--db', db]);
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, new RegExp(`study r: ${budget} more trials over \\d of 4 points`));
  const planned = new Map<number, number>();
  for (const line of dry.stdout.split('\n')) {
    const m = /^\s*(\d+)\s+hiddenStd=\S+\s+(\d+)\s+\S+\s+\+(\d+)/.exec(line);
    if (m) planned.set(Number(m[1]), Number(m[3]));
  }
  const extra = [0, 1, 2, 3].map((p) => planned.get(p) ?? 0);
  assert.equal(
    extra.reduce((a, k) => a + k, 0),
    budget,
  );
  // Largest remainder of budget * rse / sum(rse): each part within 1 of its exact quota.
  const sum = errors.reduce((a, e) => a + e.rse, 0);
  errors.forEach((e, p) =>
    assert.ok(Math.abs(extra[p] - (budget * e.rse) / sum) < 1, `point ${p}: ${extra[p]} vs ${(budget * e.rse) / sum}`),
  );
  assert.equal((await rows()).length, start.length, 'a dry run stores nothing');

  const run = runCli(['refine', 'r', '--budget', String(budget), '--db', db, '--engine', 'reference']);
  assert.equal(run.status, 0, run.stderr);
  const after = await rows();
  assert.equal(after.length, start.length + budget);
  for (const p of [0, 1, 2, 3]) {
    const repeats = after.filter((r) => r.point === p).map((r) => r.repeat);
    // New repeat indices continue after the stored ones: 0..n-1, no holes, no duplicates.
    assert.deepEqual(
      repeats,
      Array.from({ length: 6 + extra[p] }, (_, i) => i),
      `point ${p}; dry run:\n${dry.stdout}`,
    );
  }
});

test('--target-async rse: each point gets what its predicted RSE needs; an unreachable target is refused', async () => {
  const errors = byPoint(await rows());
  const target = Math.max(...errors.map((e) => e.rse)) / 2;
  const dry = runCli(['refine', 'r', '--target-rse', String(target), '--dry-run', '--db', db]);
  assert.equal(dry.status, 0, dry.stderr);
  const worst = errors.reduce((w, e, p) => (e.rse > errors[w].rse ? p : w), 0);
  // Halving the worst RSE needs about 3 n more trials there.
  const m = new RegExp(`^\\s*${worst}\\s+hiddenStd=\\S+\\s+(\\d+)\\s+\\S+\\s+\\+(\\d+)\\s+(\\S+)`, 'm').exec(
    dry.stdout,
  );
  assert.ok(m, dry.stdout);
  const n = Number(m[1]);
  assert.ok(Math.abs(Number(m[2]) - 3 * n) <= 1, `n=${n}\n${dry.stdout}`);
  assert.ok(Number(m[3]) <= target * 1.005, dry.stdout); // printed to 3 significant digits
  const cap = usageErrorLine(runCli(['refine', 'r', '--target-rse', '1e-9', '--dry-run', '--db', db]));
  assert.match(cap, /over the cap of 10,000,000/);
});

test('refine: bad input is one line and exit 2', () => {
  const size = statSync(db).size;
  assert.match(
    usageErrorLine(runCli(['refine', 'nope', '--budget', '5', '--db', db])),
    /no study "nope" .*; studies: r/,
  );
  assert.match(
    usageErrorLine(runCli(['refine', 'r', '--budget', '5', '--target-rse', '0.1', '--db', db])),
    /exactly one of --budget N or --target-rse r/,
  );
  assert.match(
    usageErrorLine(runCli(['refine', 'r', '--budget', '-3', '--db', db])),
    /--budget must be an integer >= 1/,
  );
  assert.match(
    usageErrorLine(runCli(['refine', 'r', '--budget', '1000000000', '--db', db])),
    /--budget must be an integer >= 1 and <= 100000000/,
  );
  assert.match(
    usageErrorLine(runCli(['refine', 'r', '--target-rse', '0.1', '--max-trials', '1000000000', '--db', db])),
    /--max-trials must be .* <= 100000000/,
  );
  assert.equal(statSync(db).size, size);
  const missing = join(dir, 'none.db');
  usageErrorLine(runCli(['refine', 'r', '--budget', '5', '--db', missing]));
  assert.ok(!existsSync(missing), 'refine created a database');
});

test('the resume hint carries the run flags, quoted for the shell', () => {
  const given = { engine: 'reference' as const, workers: '3', db: join('/tmp', 'my studies.db') };
  const line = commandLine([
    'refine',
    'r',
    '--budget',
    '7',
    ...runFlagArgs(given, runSettings(given), engineChoice(given)),
  ]);
  assert.equal(
    line,
    "xorlab refine r --budget 7 --engine reference --precision f32 --workers 3 --db '/tmp/my studies.db'",
  );
  // Without flags: the engine actually used (here a stored study's fast f64) and nothing else.
  assert.equal(
    commandLine(runFlagArgs({}, runSettings({}), { engine: 'fast', precision: 'f64' })),
    'xorlab --engine fast --precision f64',
  );
});

test('two refines of one study at the same time: both budgets are spent, at different repeat indices', async () => {
  const local = join(tempDir(), 'twice.db');
  const sweep = runCli([
    'sweep',
    '--name',
    't',
    '--sweep',
    'hiddenStd=0.5,1,2',
    '--repeats',
    '4',
    '--epochs',
    '400',
    '--engine',
    'reference',
    '--db',
    local,
  ]);
  assert.equal(sweep.status, 0, sweep.stderr);
  // Each refine plans 150 trials from the same stored state (12 trials) and trains for a few seconds, so the two
  // overlap: they used to plan the same (point, repeat) pairs, and the second stored 0 of its 150.
  const refine = (): Promise<{ status: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [
        BIN,
        'refine',
        't',
        '--budget',
        '150',
        '--engine',
        'reference',
        '--workers',
        '1',
        '--chunk-size',
        '5',
        '--db',
        local,
      ]);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (status) => resolve({ status, stdout, stderr }));
    });
  const [a, b] = await Promise.all([refine(), refine()]);
  for (const r of [a, b]) {
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /refine t: 150 trials stored/);
    assert.doesNotMatch(r.stderr, /already stored by another run/);
  }
  const store = openSqliteStore(local, { readonly: true });
  try {
    const list = await collect(store.iterateTrials('t'));
    assert.equal(list.length, 12 + 300);
    // Every (point, repeat) once, and every trial's seed the one its (point, repeat) derives.
    assert.equal(new Set(list.map((r) => `${r.point}:${r.repeat}`)).size, list.length);
    for (const r of list) assert.equal(r.seed, trialSeed(1, r.point, r.repeat));
  } finally {
    await store.close();
  }
});

test('refine --target-rse names the points it can plan nothing for (every trial diverged) instead of saying all is done', () => {
  const local = join(tempDir(), 'diverged.db');
  // lr 1e300 with a linear hidden layer diverges in every trial, in f64 too (with sigmoid the clipped loss keeps f64
  // finite, and the f32 trials that overflow are trained again in f64): that point has trials but no relative error.
  assert.equal(
    runCli([
      'sweep',
      '--name',
      'd',
      '--activation',
      'linear',
      '--sweep',
      'lr=0.1,1e300',
      '--repeats',
      '4',
      '--epochs',
      '50',
      '--db',
      local,
    ]).status,
    0,
  );
  const reached = runCli(['refine', 'd', '--target-rse', '0.9', '--dry-run', '--db', local]);
  assert.equal(reached.status, 0, reached.stderr);
  assert.doesNotMatch(reached.stdout, /every point's RSE is already/);
  assert.match(reached.stdout, /every point with an RSE has it already <= 0\.9/);
  assert.match(
    reached.stdout,
    /1 point has fewer than 2 trials that did not diverge, so no relative error, and gets no trials: point 1 \(lr=1\.000e\+300: 4 of 4 diverged\)/,
  );
  const planned = runCli(['refine', 'd', '--target-rse', '0.001', '--dry-run', '--db', local]);
  assert.equal(planned.status, 0, planned.stderr);
  assert.match(planned.stdout, /point 1 \(lr=1\.000e\+300: 4 of 4 diverged\)/);
});
