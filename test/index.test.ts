// The library entry `xorlab` (src/index.ts): its functions give the CLI's --json objects (built by the same code,
// compared here against the real CLI), run and store studies as `xorlab sweep`/`refine` do, and report what is wrong
// with typed errors instead of printing or exiting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AllocationError,
  ChartDataError,
  ChartFileError,
  ConfigError,
  DatasetError,
  MissingDatabaseError,
  ParameterFileError,
  StoreError,
  StudyError,
  XorlabError,
  curveSpec,
  openStore,
  parseCsvDataset,
  predict,
  refineStudy,
  renderChart,
  runStudy,
  studyCurveSpec,
  summarizeStudy,
  train,
  validateConfig,
  type Store,
  type StudyDefinitionInput,
} from '../src/index.js';
import { collect, runCli, tempDir } from './helpers/cli.js';

/** The parsed stdout of a CLI run that must succeed. */
function cliJson(args: string[]): any {
  const r = runCli(args);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** `f()` must throw an error of `kind` (a XorlabError) whose message matches. */
function throwsKind(f: () => unknown, kind: new (...args: never[]) => Error, message: RegExp): void {
  assert.throws(f, (error: unknown) => {
    assert.ok(error instanceof kind, `expected ${kind.name}, got ${String(error)}`);
    assert.ok(error instanceof XorlabError);
    assert.equal(error.name, kind.name);
    assert.match(error.message, message);
    assert.ok(!error.message.includes('\n'), 'one line');
    return true;
  });
}

async function rejectsKind(
  f: () => Promise<unknown>,
  kind: new (...args: never[]) => Error,
  message: RegExp,
): Promise<void> {
  await assert.rejects(f, (error: unknown) => {
    assert.ok(error instanceof kind, `expected ${kind.name}, got ${String(error)}`);
    assert.ok(error instanceof XorlabError);
    assert.match(error.message, message);
    return true;
  });
}

const roundTrip = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

test('train gives the document of `xorlab train --json`, with the reference engine and with the fast one', () => {
  const config = { epochs: 2000, hiddenStd: 0.7071, outputStd: 0.8165, updateOrder: 'seed' } as const;
  const cli = cliJson([
    'train',
    '--seed',
    '7',
    '--json',
    '--epochs',
    '2000',
    '--hidden-std',
    '0.7071',
    '--output-std',
    '0.8165',
    '--update-order',
    'seed',
  ]);
  assert.deepEqual(roundTrip(train(config, { seed: 7 })), cli);
  const fast = cliJson([
    'train',
    '--seed',
    '7',
    '--json',
    '--engine',
    'fast',
    '--precision',
    'f64',
    '--epochs',
    '2000',
  ]);
  const lib = train({ epochs: 2000 }, { seed: 7, engine: 'fast', precision: 'f64' });
  assert.deepEqual(roundTrip(lib), fast);
  assert.deepEqual(lib.engine, { engine: 'fast', precision: 'f64' });
  // Where the fast engine does not go, the report says why (as the CLI prints it).
  const adam = train({ epochs: 50, optimizer: 'adam', lr: 0.01 }, { seed: 1, engine: 'fast' });
  assert.equal(adam.engine?.engine, 'reference');
  assert.match(adam.engine?.fallbackReason ?? '', /does not cover optimizer adam/);
});

test('train without a seed draws one and reports it; the same seed repeats the training; logEvery sets the trace', () => {
  const first = train({ epochs: 300 }, { logEvery: 100 });
  assert.ok(Number.isSafeInteger(first.seed) && first.seed! >= 0 && first.seed! < 2 ** 47);
  assert.deepEqual(
    first.trace.map((t) => t.epoch),
    [0, 100, 200],
  );
  assert.deepEqual(train({ epochs: 300 }, { seed: first.seed!, logEvery: 100 }), first);
  assert.notEqual(train({ epochs: 300 }).seed, first.seed);
});

test('train from given parameters continues a training as `--init-weights` does; the seed is then null', () => {
  const dir = tempDir();
  const first = train({ epochs: 300 }, { seed: 3 });
  const saved = join(dir, 'w.json');
  writeFileSync(saved, JSON.stringify(first.finalParameters));
  const next = train({ epochs: 5 }, { initialParameters: first.finalParameters });
  assert.deepEqual(roundTrip(next), cliJson(['train', '--init-weights', saved, '--epochs', '5', '--json']));
  assert.equal(next.seed, null);
  assert.equal(next.config.init, 'file');
  assert.deepEqual(next.initialParameters, first.finalParameters);
});

test('train trains on a Dataset given as an option, and on a CSV file named in the configuration', () => {
  const dir = tempDir();
  const csv = join(dir, 'or.csv');
  writeFileSync(csv, 'a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,1\n');
  const fromFile = train({ dataset: csv, epochs: 2000 }, { seed: 2 });
  assert.equal(fromFile.metrics.success, true);
  assert.deepEqual(
    roundTrip(fromFile),
    cliJson(['train', '--dataset', csv, '--epochs', '2000', '--seed', '2', '--json']),
  );
  const table = parseCsvDataset('or-table', readFileSync(csv, 'utf8'));
  const given = train({ epochs: 2000 }, { seed: 2, dataset: table });
  assert.equal(given.config.dataset, 'or-table');
  assert.deepEqual({ ...given, config: { ...given.config, dataset: csv } }, fromFile);
});

test('train refuses bad input with typed one-line errors', () => {
  throwsKind(() => train({ lr: -1 }), ConfigError, /^lr must be > 0, got -1$/);
  throwsKind(
    () => train({ hiddenStd: 'wide' as unknown as number }),
    ConfigError,
    /hiddenStd must be a number, got "wide"/,
  );
  throwsKind(() => train({ colour: 'red' } as never), ConfigError, /unknown key "colour"/);
  throwsKind(() => train({ outputActivation: 'tanh' }), ConfigError, /bce needs a sigmoid output/);
  throwsKind(() => train(null as never), ConfigError, /config must be an object/);
  throwsKind(
    () => train({}, { seed: -4 }),
    ConfigError,
    /^seed must be an integer between 0 and 9007199254740991, got -4$/,
  );
  throwsKind(() => train({}, { seed: 1.5 }), ConfigError, /seed must be an integer/);
  throwsKind(() => train({}, { logEvery: 0 }), ConfigError, /logEvery must be an integer >= 1, got 0/);
  throwsKind(
    () => train({}, { engine: 'gpu' as never }),
    ConfigError,
    /engine must be one of fast, reference, got "gpu"/,
  );
  throwsKind(() => train({}, { precision: 'f16' as never }), ConfigError, /precision must be one of f32, f64/);
  throwsKind(() => train({ init: 'file' }), ConfigError, /config\.init "file" needs options\.initialParameters/);
  const parameters = train({ epochs: 1 }, { seed: 1 }).finalParameters;
  throwsKind(
    () => train({ init: 'he-normal' }, { initialParameters: parameters }),
    ConfigError,
    /cannot be combined with config\.init "he-normal"/,
  );
  throwsKind(
    () => train({ hidden: [3] }, { initialParameters: parameters }),
    ParameterFileError,
    /layer 1 has the wrong shape/,
  );
  throwsKind(() => train({ dataset: 'xorr' }), DatasetError, /unknown dataset "xorr"/);
  throwsKind(
    () => train({ dataset: '/nonexistent/t.csv' }),
    DatasetError,
    /^cannot read \/nonexistent\/t\.csv \(no such file\)$/,
  );
  throwsKind(() => validateConfig({ epochs: 0 }), ConfigError, /^epochs must be >= 1, got 0$/);
  assert.equal(validateConfig({ lr: undefined }).lr, 0.1);
});

test('predict gives the outputs the training ended with, for any rows; its errors are typed', () => {
  const run = train({ epochs: 3000, activation: 'tanh', hidden: [3] }, { seed: 5 });
  const rows = [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ];
  assert.deepEqual(predict(run.finalParameters, rows, run.config), run.metrics.predictions);
  assert.deepEqual(predict(run.finalParameters, [[1, 0]], run.config), [run.metrics.predictions![2]]);
  assert.deepEqual(predict(run.finalParameters, [], run.config), []);
  // The activations matter: without the configuration the hidden units are sigmoid.
  assert.notDeepEqual(predict(run.finalParameters, rows), run.metrics.predictions);
  throwsKind(
    () => predict(run.finalParameters, [[0, 0, 1]]),
    ParameterFileError,
    /takes 2 input\(s\) per sample, but inputs has 3/,
  );
  throwsKind(() => predict(run.finalParameters, [[0, 0], [1]]), DatasetError, /row 2 has 1 inputs, expected 2/);
  throwsKind(() => predict(run.finalParameters, [[0, Number.NaN]]), DatasetError, /non-numeric input/);
  throwsKind(() => predict(run.finalParameters, 'rows' as never), DatasetError, /inputs must be an array of rows/);
  throwsKind(() => predict({ layers: [] }, rows), ParameterFileError, /expected \{"layers"/);
  throwsKind(
    () => predict(run.finalParameters, rows, { hidden: [2] }),
    ParameterFileError,
    /hidden layers \[3\] but config\.hidden is \[2\]/,
  );
});

const STUDY: StudyDefinitionInput = {
  name: 'lib',
  config: { epochs: 400, outputStd: 0.8165 },
  sweep: { hiddenStd: '0.25,0.7071,1,2' },
  repeats: 6,
  seed: 3,
};

async function withStore<T>(path: string, use: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(path);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

test('runStudy stores what `xorlab sweep` stores; summarizeStudy gives `xorlab summary --json`; a rerun resumes nothing', async () => {
  const dir = tempDir();
  const lib = join(dir, 'lib.db');
  const seen: number[] = [];
  const first = await withStore(lib, (store) =>
    runStudy(STUDY, { store, workers: 2, onProgress: (p) => seen.push(p.done) }),
  );
  assert.equal(first.study, 'lib');
  assert.deepEqual(
    [first.points, first.trials, first.alreadyStored, first.planned, first.completed, first.stored],
    [4, 24, 0, 24, 24, 24],
  );
  assert.deepEqual([first.engine, first.precision, first.interrupted], ['fast', 'f32', false]);
  assert.deepEqual(first.definition.sweep, { hiddenStd: [0.25, 0.7071, 1, 2] });
  assert.equal(seen[0], 0);
  assert.equal(seen[seen.length - 1], 24);

  const cli = join(dir, 'cli.db');
  const sweep = runCli([
    'sweep',
    '--name',
    'lib',
    '--epochs',
    '400',
    '--output-std',
    '0.8165',
    '--sweep',
    'hiddenStd=0.25,0.7071,1,2',
    '--repeats',
    '6',
    '--seed',
    '3',
    '--db',
    cli,
  ]);
  assert.equal(sweep.status, 0, sweep.stderr);
  const trials = async (path: string) => withStore(path, (store) => collect(store.iterateTrials('lib')));
  assert.deepEqual(await trials(lib), await trials(cli));

  const summary = await withStore(lib, (store) => summarizeStudy(store, 'lib', { compare: [1, 0.7071], level: 0.9 }));
  assert.deepEqual(
    roundTrip(summary),
    cliJson(['summary', 'lib', '--db', cli, '--json', '--compare', '1', '0.7071', '--level', '0.9']),
  );
  assert.equal(summary.trials, 24);

  const again = await withStore(lib, (store) => runStudy(STUDY, { store }));
  assert.deepEqual([again.alreadyStored, again.planned, again.stored], [24, 0, 0]);
});

test('an aborted runStudy keeps what finished and says so; the same call resumes the rest', async () => {
  const path = join(tempDir(), 'abort.db');
  const controller = new AbortController();
  controller.abort();
  const stopped = await withStore(path, (store) => runStudy(STUDY, { store, workers: 1, signal: controller.signal }));
  assert.equal(stopped.interrupted, true);
  assert.ok(stopped.stored < 24);
  const rest = await withStore(path, (store) => runStudy(STUDY, { store, workers: 1 }));
  assert.equal(rest.interrupted, false);
  assert.equal(rest.alreadyStored + rest.stored, 24);
});

test('runStudy refuses a bad definition, a taken name, bad options and missing files before writing anything', async () => {
  const dir = tempDir();
  const path = join(dir, 'refuse.db');
  await withStore(path, async (store) => {
    await rejectsKind(
      () => runStudy({ ...STUDY, sweep: { colour: '1,2' } }, { store }),
      StudyError,
      /cannot sweep "colour"/,
    );
    await rejectsKind(() => runStudy({ ...STUDY, config: { lr: 0 } }, { store }), StudyError, /config\.lr must be > 0/);
    await rejectsKind(() => runStudy({ ...STUDY, name: 'a b' }, { store }), StudyError, /^name: must be 1-100 letters/);
    await rejectsKind(
      () => runStudy(STUDY, { store, workers: 0 }),
      StudyError,
      /workers must be an integer from 1 to 1024, got 0/,
    );
    await rejectsKind(
      () => runStudy(STUDY, {} as never),
      StudyError,
      /options\.store must be a store from openStore\(\)/,
    );
    await rejectsKind(() => refineStudy('lib', undefined as never), StudyError, /options\.store must be a store/);
    await rejectsKind(
      () => runStudy(STUDY, { store, engine: 'gpu' as never }),
      StudyError,
      /engine must be one of fast, reference/,
    );
    await rejectsKind(
      () => runStudy({ ...STUDY, config: { dataset: join(dir, 'none.csv') } }, { store }),
      DatasetError,
      /cannot read .*none\.csv/,
    );
    assert.deepEqual(await store.listStudies(), []);
    await runStudy({ ...STUDY, repeats: 1 }, { store, workers: 1 });
    await rejectsKind(
      () => runStudy(STUDY, { store }),
      StudyError,
      /study "lib" already exists with a different definition \(repeats: stored 1, given 6\)/,
    );
    await rejectsKind(
      () => runStudy({ ...STUDY, repeats: 1 }, { store, engine: 'reference' }),
      StudyError,
      /holds trials trained with --engine fast --precision f32/,
    );
  });
});

test('refineStudy adds trials where the relative error is largest, as `xorlab refine` does; a dry run plans only', async () => {
  const dir = tempDir();
  const lib = join(dir, 'lib.db');
  const cli = join(dir, 'cli.db');
  await withStore(lib, (store) => runStudy(STUDY, { store, workers: 1 }));
  assert.equal(
    runCli([
      'sweep',
      '--name',
      'lib',
      '--epochs',
      '400',
      '--output-std',
      '0.8165',
      '--sweep',
      'hiddenStd=0.25,0.7071,1,2',
      '--repeats',
      '6',
      '--seed',
      '3',
      '--db',
      cli,
      '--workers',
      '1',
    ]).status,
    0,
  );

  const plan = await withStore(lib, (store) => refineStudy('lib', { store, budget: 10, dryRun: true }));
  assert.equal(plan.run, null);
  assert.equal(plan.total, 10);
  assert.equal(
    plan.points.reduce((n, p) => n + p.add, 0),
    10,
  );
  assert.ok(plan.points.every((p) => p.trials === 6 && p.rse !== null && p.predictedRse! < p.rse));
  assert.equal((await withStore(lib, (store) => summarizeStudy(store, 'lib'))).trials, 24);

  const done = await withStore(lib, (store) => refineStudy('lib', { store, budget: 10, workers: 1 }));
  assert.deepEqual(done.points, plan.points);
  assert.equal(done.run?.stored, 10);
  const refine = runCli(['refine', 'lib', '--budget', '10', '--db', cli, '--workers', '1']);
  assert.equal(refine.status, 0, refine.stderr);
  const trials = async (path: string) => withStore(path, (store) => collect(store.iterateTrials('lib')));
  assert.deepEqual(await trials(lib), await trials(cli));

  await withStore(lib, async (store) => {
    await rejectsKind(
      () => refineStudy('nope', { store, budget: 5 }),
      StudyError,
      /there is no study "nope" in .*lib\.db; studies: lib/,
    );
    await rejectsKind(() => refineStudy('lib', { store }), AllocationError, /give exactly one of budget or targetRse/);
    await rejectsKind(() => refineStudy('lib', { store, budget: 5, targetRse: 0.1 }), AllocationError, /exactly one/);
    await rejectsKind(
      () => refineStudy('lib', { store, budget: 0 }),
      AllocationError,
      /budget must be an integer from 1/,
    );
    await rejectsKind(
      () => refineStudy('lib', { store, targetRse: -1 }),
      AllocationError,
      /targetRse must be a number > 0/,
    );
    const enough = await refineStudy('lib', { store, targetRse: 10 });
    assert.deepEqual([enough.total, enough.run], [0, null]);
  });
});

test('refineStudy with a goal compares two points through rounds and a confirmatory batch, as `xorlab refine --goal` does', async () => {
  const dir = tempDir();
  const lib = join(dir, 'goal.db');
  await withStore(lib, (store) => runStudy(STUDY, { store, workers: 1 }));
  const rounds: string[] = [];
  const result = await withStore(lib, (store) =>
    refineStudy('lib', {
      store,
      workers: 1,
      goal: 'compare',
      compare: [0.7071, 1],
      budget: 3000,
      onRound: (_label, r) => rounds.push(r.phase),
    }),
  );
  assert.equal(result.goal, 'compare');
  assert.match(result.method, /fresh batch alone/);
  assert.equal(result.trained, 3000);
  assert.deepEqual(rounds, ['explore', 'explore', 'confirm']);
  const answer = result.answers[0].compare!;
  assert.equal(answer.spent, 3000);
  assert.ok(answer.low <= answer.estimate && answer.estimate <= answer.high);
  await withStore(lib, async (store) => {
    await rejectsKind(
      () => refineStudy('lib', { store, goal: 'compare', compare: [0.7071, 1] }),
      AllocationError,
      /exactly one of targetWidth or budget or untilResolved/,
    );
    await rejectsKind(
      () => refineStudy('lib', { store, goal: 'compare', compare: [0.7071, 5], budget: 10 }),
      StudyError,
      /hiddenStd=5 is not a point of lib/,
    );
    await rejectsKind(
      () => refineStudy('lib', { store, goal: 'minimum', untilResolved: true }),
      AllocationError,
      /untilResolved is for a compare goal/,
    );
    await rejectsKind(
      () => refineStudy('lib', { store, goal: 'minimum' }),
      AllocationError,
      /give exactly one of targetWidth or budget$/,
    );
  });
});

test('runStudy and refineStudy pin a dataset file as the CLI does: an edited table is refused, nothing is written', async () => {
  const dir = tempDir();
  const table = join(dir, 'table.csv');
  const XOR = 'a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n';
  writeFileSync(table, XOR);
  const definition: StudyDefinitionInput = {
    name: 'pinned',
    config: { dataset: table, epochs: 60 },
    sweep: { hiddenStd: '0.5,1' },
    repeats: 2,
    seed: 4,
  };
  const lib = join(dir, 'lib.db');
  const first = await withStore(lib, (store) => runStudy(definition, { store, workers: 1 }));
  // The stored definition is the one `xorlab sweep` stores, digest included.
  const cli = join(dir, 'cli.db');
  assert.equal(
    runCli([
      'sweep',
      '--name',
      'pinned',
      '--dataset',
      table,
      '--epochs',
      '60',
      '--sweep',
      'hiddenStd=0.5,1',
      '--repeats',
      '2',
      '--seed',
      '4',
      '--db',
      cli,
      '--workers',
      '1',
    ]).status,
    0,
  );
  const stored = await withStore(cli, async (store) => (await store.getStudy('pinned'))?.definition);
  assert.deepEqual(roundTrip(first.definition), stored);
  assert.match(JSON.stringify(first.definition), /"datasets":\{"[^"]*table\.csv":"sha256:[0-9a-f]{64}"\}/);

  writeFileSync(table, XOR.replace('1,1,0', '1,1,1'));
  const changed =
    /the dataset file .*table\.csv has changed since study "pinned" was stored .*restore the file as it was/;
  await withStore(lib, async (store) => {
    await rejectsKind(() => runStudy(definition, { store }), StudyError, changed);
    await rejectsKind(() => runStudy(first.definition, { store }), StudyError, changed);
    await rejectsKind(() => refineStudy('pinned', { store, budget: 2 }), StudyError, changed);
    assert.equal((await store.getStudy('pinned'))?.trialCount, 4);
  });
  writeFileSync(table, `# the same table\n${XOR}`);
  const resumed = await withStore(lib, (store) => runStudy(definition, { store, workers: 1 }));
  assert.deepEqual([resumed.alreadyStored, resumed.stored], [4, 0]);
  assert.equal(
    (await withStore(lib, (store) => refineStudy('pinned', { store, budget: 2, workers: 1 }))).run?.stored,
    2,
  );
});

test('summarizeStudy, the charts and openStore report what is wrong with typed errors', async () => {
  const dir = tempDir();
  const path = join(dir, 's.db');
  await withStore(path, async (store) => {
    await runStudy({ ...STUDY, repeats: 2 }, { store, workers: 1 });
    await rejectsKind(() => summarizeStudy(store, 'nope'), StoreError, /nope/);
    await rejectsKind(
      () => summarizeStudy(store, 'lib', { level: 1 }),
      StudyError,
      /^level must be >= 0\.5 and <= 0\.9999, got 1$/,
    );
    await rejectsKind(
      () => summarizeStudy(store, 'lib', { compare: [1, 'point=99'] }),
      StudyError,
      /^compare B: no point 99 in this study/,
    );
    await rejectsKind(
      () => summarizeStudy(store, 'lib', { compare: [1] as never }),
      StudyError,
      /compare takes two points/,
    );
    await rejectsKind(() => studyCurveSpec(store, 'nope'), StoreError, /no study named "nope"/);
    await runStudy({ name: 'flat', config: { epochs: 10 }, repeats: 2 }, { store, workers: 1 });
    await rejectsKind(() => studyCurveSpec(store, 'flat'), ChartDataError, /sweeps no parameter/);
  });
  await rejectsKind(() => openStore(join(dir, 'none.db'), { readonly: true }), MissingDatabaseError, /none\.db/);
  const text = join(dir, 'text.db');
  writeFileSync(text, 'not a database, and long enough to be read as one by SQLite if it tried hard'.repeat(20));
  await rejectsKind(() => openStore(text), StoreError, /text\.db/);
  assert.equal(readFileSync(text, 'utf8').startsWith('not a database'), true);
  await rejectsKind(
    () => renderChart(curveSpec({ parameter: 'lr', points: [] }), 'gif' as never),
    ChartFileError,
    /format must be one of svg, png, got gif/,
  );
});

test('studyCurveSpec is what `xorlab plot curve --spec` prints; renderChart gives SVG text and PNG bytes', async () => {
  const path = join(tempDir(), 'chart.db');
  const spec = await withStore(path, async (store) => {
    await runStudy({ ...STUDY, repeats: 3 }, { store, workers: 1 });
    return studyCurveSpec(store, 'lib');
  });
  assert.deepEqual(roundTrip(spec), cliJson(['plot', 'curve', 'lib', '--db', path, '--spec']));
  const svg = await renderChart(spec, 'svg');
  assert.match(svg, /^<svg/);
  const png = await renderChart(spec, 'png');
  assert.ok(png instanceof Uint8Array);
  assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  const own = curveSpec({
    parameter: 'hiddenStd',
    points: [
      { x: 0.5, mean: 900, stderr: 10, successRate: 0.9, count: 10 },
      { x: 1, mean: 800, stderr: 12, successRate: 1, count: 10 },
    ],
  });
  assert.match(await renderChart(own, 'svg'), /^<svg/);
});
