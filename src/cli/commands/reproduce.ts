// `xorlab reproduce`: the article end to end. Runs its study into the store (resuming whatever is already there),
// then writes a report folder: the figures, report.md with the claims table, and summary.csv.
import { accessSync, constants, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { builtinDataset, defaultConfig, trainFromSeed, type TrainingConfig, type TrainingOptions, type TrainingResult } from '../../core/index.js';
import { boundaryChart, lossChart, weightsChart } from '../../plot/charts.js';
import { curveSpec } from '../../plot/curve.js';
import { ChartFileError, writeChart } from '../../plot/render.js';
import { curvePoints } from '../../article/charts.js';
import { articleClaims, reportMarkdown, summaryCsv } from '../../article/report.js';
import {
  SCALES,
  SCALE_NAMES,
  XAVIER,
  articleConfig,
  prepareReproduction,
  resolveReproduction,
  runPrepared,
  type ReproductionStudyMap,
  type Scale,
  type ScaleName,
} from '../../article/reproduce.js';
import type { Store } from '../../store/types.js';
import { DEFAULT_DB, openStoreFromOptions } from '../db-option.js';
import { UsageError } from '../errors.js';
import { parseNumber } from '../parse.js';
import { addRunOptions, commandLine, engineRequest, runSettings, withEngine, runWithProgress, type RunFlags, type RunSettings } from '../run.js';

interface ReproduceOptions extends RunFlags {
  scale: ScaleName;
  out: string;
  name?: string;
  epochs?: string;
  points?: string;
  repeats?: string;
}

export function registerReproduce(program: Command): void {
  const command = program
    .command('reproduce')
    .description('run the article\'s study end to end into the store and write a report folder: figures, report.md (claims table), summary.csv')
    .addOption(new Option('--scale <name>', 'quick = 60 stds, 30,000 trainings (about 10 s on 2 cores); paper = 400 x 10 refined to 4,000,000, as the article (about 11 minutes)').choices([...SCALE_NAMES]).default('quick'))
    .option('--out <dir>', 'the report folder (created if missing)', 'xorlab-report')
    .option('--name <prefix>', 'prefix of the study names in the database (default: article-<scale>)')
    .option('--epochs <n>', 'epochs per training instead of 10,000 (a trial run; changes the default --name)')
    .option('--points <n>', 'points of the curve instead of the scale\'s (a trial run; changes the default --name)')
    .option('--repeats <n>', 'trainings per point instead of the scale\'s (a trial run; changes the default --name)');
  addRunOptions(command).addHelpText(
    'after',
    `
Rerunning resumes: trainings already in the database are not run again.

Examples:
  xorlab reproduce                          (quick scale into xorlab.db, report in ./xorlab-report)
  xorlab reproduce --scale paper --db paper.db --out paper-report
  xorlab reproduce --epochs 500 --points 12 --repeats 4 --out /tmp/try   (a small trial run)`,
  );
  command.action((options: ReproduceOptions) => runReproduce(options));
}

/** The scale, with the trial-run overrides applied. */
export function scaleFromOptions(options: ReproduceOptions): { scale: Scale; custom: boolean } {
  const base = SCALES[options.scale];
  const epochs = options.epochs === undefined ? base.epochs : parseNumber('--epochs', options.epochs, { integer: true, min: 1, max: 1_000_000 });
  const points = options.points === undefined ? base.curvePoints : parseNumber('--points', options.points, { integer: true, min: 5, max: 100_000 });
  const repeats = options.repeats === undefined ? base.curveRepeats : parseNumber('--repeats', options.repeats, { integer: true, min: 2, max: 1_000_000 });
  const custom = options.epochs !== undefined || options.points !== undefined || options.repeats !== undefined;
  if (!custom) return { scale: base, custom };
  const textbookPoints = Math.max(5, Math.round(points / 2));
  return {
    custom,
    scale: {
      name: `${base.name} (trial run: ${points} points x ${repeats}, ${epochs} epochs)`,
      curvePoints: points,
      curveRepeats: repeats,
      curveTotal: 2 * points * repeats,
      claimRepeats: 20 * repeats,
      textbookPoints,
      textbookRepeats: repeats,
      textbookTotal: textbookPoints * repeats,
      textbookClaimRepeats: 10 * repeats,
      epochs,
    },
  };
}

/**
 * The first seed from 1 up whose training learns XOR (the article shows trainings that learned), with that
 * training (traced with `options`, so the figures reuse it); when none of 100 does, seed 1 with learned false.
 */
function learningRun(config: TrainingConfig, options: TrainingOptions): { seed: number; run: TrainingResult; learned: boolean } {
  const xor = builtinDataset('xor');
  let first: TrainingResult | null = null;
  for (let seed = 1; seed <= 100; seed++) {
    const run = trainFromSeed(config, xor, seed, options);
    if (run.metrics.success) return { seed, run, learned: true };
    first ??= run;
  }
  return { seed: 1, run: first!, learned: false };
}

/** Fails like mkdir + write would on --out, without creating anything (checked before the store is opened). */
function checkOutFolder(dir: string): void {
  const fail = (why: string): never => {
    throw new UsageError(`--out: cannot write to the folder ${dir} (${why})`);
  };
  let at = resolve(dir);
  for (;;) {
    let isDir: boolean;
    try {
      isDir = statSync(at).isDirectory();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') fail(code ?? (error as Error).message);
      if (dirname(at) === at) fail('ENOENT');
      at = dirname(at);
      continue;
    }
    if (!isDir) fail(at === resolve(dir) ? 'EEXIST: not a folder' : 'ENOTDIR');
    try {
      accessSync(at, constants.W_OK);
    } catch (error) {
      fail((error as NodeJS.ErrnoException).code ?? 'not writable');
    }
    return;
  }
}

async function chart(spec: Parameters<typeof writeChart>[0], dir: string, file: string): Promise<string> {
  try {
    await writeChart(spec, join(dir, file));
  } catch (error) {
    if (error instanceof ChartFileError) throw new UsageError(`--out: ${error.message}`);
    throw error;
  }
  return file;
}

async function runReproduce(options: ReproduceOptions): Promise<void> {
  const started = performance.now();
  const { scale, custom } = scaleFromOptions(options);
  let settings = runSettings(options);
  const prefix = options.name ?? (custom ? `article-${options.scale}-e${scale.epochs}-p${scale.curvePoints}-r${scale.curveRepeats}` : `article-${options.scale}`);
  const dir = options.out;
  // Bad input writes nothing: --out is checked without creating it, the four definitions (and the engine of any
  // stored trials) before any is registered, and the folder is made only after that.
  checkOutFolder(dir);
  const studies = resolveReproduction(scale, prefix);
  const log = (line: string) => process.stderr.write(`reproduce: ${line}\n`);
  const store = await openStoreFromOptions(options);
  try {
    const datasets = { xor: builtinDataset('xor') };
    settings = withEngine(settings, await prepareReproduction(store, studies, { datasets, request: engineRequest(options) }));
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, '.xorlab-write-check'), '');
      rmSync(join(dir, '.xorlab-write-check'));
    } catch (error) {
      throw new UsageError(`--out: cannot write to the folder ${dir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    const hint = commandLine(process.argv.slice(2));
    const run = await runPrepared(store, scale, studies, (label, study, plan) => runWithProgress(label, study, plan, store, datasets, settings, () => hint), log);
    const ranFor = (performance.now() - started) / 1000;
    log('writing the report');
    await writeReport(store, dir, scale, run.studies, options, settings, ranFor);
    log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s: ${join(dir, 'report.md')}`);
  } finally {
    await store.close();
  }
}

async function writeReport(
  store: Store,
  dir: string,
  scale: Scale,
  studies: ReproductionStudyMap,
  options: ReproduceOptions,
  settings: RunSettings,
  seconds: number,
): Promise<void> {
  const names = {
    curve: studies.curve.definition.name,
    claims: studies.claims.definition.name,
    textbookCurve: studies.textbookCurve.definition.name,
    textbookClaims: studies.textbookClaims.definition.name,
  };
  const summaries = {
    curve: await store.summarize(names.curve),
    claims: await store.summarize(names.claims),
    textbookCurve: await store.summarize(names.textbookCurve),
    textbookClaims: await store.summarize(names.textbookClaims),
  };
  const count = (s: { count: number }[]) => s.reduce((n, p) => n + p.count, 0);
  const claims = articleClaims({ curve: summaries.curve, claims: summaries.claims }, { curve: summaries.textbookCurve, claims: summaries.textbookClaims }, scale.epochs);

  const curveFigure = (points: typeof summaries.curve, order: string, fit: typeof claims.minimum.seed) =>
    curveSpec({
      parameter: 'hiddenStd',
      points: curvePoints(points, 'hiddenStd'),
      logX: true,
      minimum: fit ? { x: fit.x, label: `minimum ${fit.x.toPrecision(3)} [${fit.low.toPrecision(2)}, ${fit.high.toPrecision(2)}]` } : undefined,
      title: `Total loss against the hidden-layer init std (${order} order)`,
      subtitle: `XOR 2-2-1 sigmoid, BCE, lr 0.1, ${scale.epochs.toLocaleString('en-US')} epochs, output std 0.8165; mean ± standard error of ${count(points).toLocaleString('en-US')} trainings`,
    });
  const seedConfig = (hiddenStd: number) => defaultConfig({ ...articleConfig('seed', scale.epochs), hiddenStd });
  const xor = builtinDataset('xor');
  const small = seedConfig(0.05);
  const large = seedConfig(10);
  const xavier = seedConfig(XAVIER);
  const every = Math.max(1, Math.round(scale.epochs / 500));
  const found = {
    small: learningRun(small, { snapshotEvery: every, traceEvery: every }),
    large: learningRun(large, { snapshotEvery: every, traceEvery: every }),
    boundary: learningRun(xavier, { traceEvery: every }),
  };
  const seeds = { small: found.small.seed, large: found.large.seed, boundary: found.boundary.seed };
  const notLearned = [found.small.learned ? '' : 'hidden std 0.05', found.large.learned ? '' : 'hidden std 10', found.boundary.learned ? '' : 'hidden std 1/√2'].filter(Boolean);
  const [smallRun, largeRun, xavierRun] = [found.small.run, found.large.run, found.boundary.run];
  const seedCurve = curveFigure(summaries.curve, 'seed', claims.minimum.seed);

  const figures = {
    curve: await chart(seedCurve, dir, 'curve.png'),
    textbookCurve: await chart(curveFigure(summaries.textbookCurve, 'textbook', claims.minimum.textbook), dir, 'curve-textbook.png'),
    weightsSmall: await chart(weightsChart(small, xor, smallRun, seeds.small), dir, 'weights-std0.05.png'),
    weightsLarge: await chart(weightsChart(large, xor, largeRun, seeds.large), dir, 'weights-std10.png'),
    loss: await chart(
      lossChart(
        [
          { label: `hidden std 0.05, seed ${seeds.small}`, result: smallRun },
          { label: `hidden std 1/√2, seed ${seeds.boundary}`, result: xavierRun },
          { label: `hidden std 10, seed ${seeds.large}`, result: largeRun },
        ],
        'the three trainings of the figures; mean loss over the 4 samples, seed order',
      ),
      dir,
      'loss.png',
    ),
    boundary: await chart(boundaryChart(xavier, xor, xavierRun.finalParameters, seeds.boundary, xavierRun.metrics.totalLoss), dir, 'boundary.png'),
  };
  await chart(seedCurve, dir, 'curve.svg');

  writeFileSync(
    join(dir, 'summary.csv'),
    summaryCsv([
      { name: names.curve, order: 'seed', points: summaries.curve },
      { name: names.claims, order: 'seed', points: summaries.claims },
      { name: names.textbookCurve, order: 'textbook', points: summaries.textbookCurve },
      { name: names.textbookClaims, order: 'textbook', points: summaries.textbookClaims },
    ]),
  );
  writeFileSync(
    join(dir, 'report.md'),
    reportMarkdown({
      scale,
      claims,
      studyNames: names,
      trials: { curve: count(summaries.curve), claims: count(summaries.claims), textbookCurve: count(summaries.textbookCurve), textbookClaims: count(summaries.textbookClaims) },
      seconds,
      engine: `${settings.engine} (${settings.precision})`,
      workers: settings.workers,
      database: options.db ?? DEFAULT_DB,
      figures,
      trajectorySeeds: seeds,
      notLearned,
      command: commandLine(process.argv.slice(2)),
    }),
  );
}
