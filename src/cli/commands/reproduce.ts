// `xorlab reproduce`: the article end to end. Runs its study into the store (resuming whatever is already there),
// then writes a report folder: the figures, report.md with the claims table and the article's next questions
// (activation, loss, learning-rate schedule), summary.csv and next-summary.csv.
import { accessSync, constants, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { builtinDataset } from '../../core/index.js';
import { MAX_REPEATS, engineChoice } from '../../config/index.js';
import {
  SCALES,
  SCALE_NAMES,
  prepareReproduction,
  resolveReproduction,
  runPrepared,
  type Scale,
  type ScaleName,
} from '../../article/reproduce.js';
import { writeReport } from '../../article/write-report.js';
import { runningTime } from '../../article/report.js';
import { loadChartPackages } from '../../plot/render.js';
import { DB_ENV, DEFAULT_DB, dbLabel, namedDb, openStoreFromOptions } from '../db-option.js';
import { EXIT_INTERRUPTED, UsageError, type Outcome } from '../errors.js';
import { parseNumber } from '../parse.js';
import { printable } from '../../text/quote.js';
import { addRunOptions, typedCommand, runSettings, runWithProgress, type RunFlags } from '../run.js';

interface ReproduceOptions extends RunFlags {
  scale: ScaleName;
  out: string;
  name?: string;
  epochs?: string;
  points?: string;
  repeats?: string;
}

export function registerReproduce(program: Command, end: (outcome: Outcome) => void): void {
  const command = program
    .command('reproduce')
    .description(
      "run the article's study end to end into the store and write a report folder: figures, report.md (claims table, then the article's next questions: activation, loss, learning-rate schedule), summary.csv, next-summary.csv",
    )
    .addOption(
      new Option(
        '--scale <name>',
        'quick = 60 stds, 30,000 trainings, and 9,400 for the next questions (about 20 s on 2 cores); paper = 400 x 10 refined to 4,000,000, as the article, and 1,060,000 for the next questions',
      )
        .choices([...SCALE_NAMES])
        .default('quick'),
    )
    .option('--out <dir>', 'the report folder (created if missing)', 'xorlab-report')
    .option('--name <prefix>', 'prefix of the study names in the database (default: article-<scale>)')
    .option('--epochs <n>', 'epochs per training instead of 10,000 (a trial run; changes the default --name)')
    .option('--points <n>', "points of the curve instead of the scale's (a trial run; changes the default --name)")
    .option('--repeats <n>', "trainings per point instead of the scale's (a trial run; changes the default --name)");
  addRunOptions(
    command,
    `${REPRODUCE_DB} in the --out folder, away from your own ${DEFAULT_DB}; or $${DB_ENV} if set`,
  ).addHelpText(
    'after',
    `
Rerunning resumes: trainings already in the database are not run again.

Examples:
  xorlab reproduce                          (quick scale; report and its trials in ./xorlab-report)
  xorlab reproduce --scale paper --db paper.db --out paper-report
  xorlab reproduce --epochs 500 --points 12 --repeats 4 --out /tmp/try   (a small trial run)`,
  );
  command.action(async (options: ReproduceOptions) => end(await runReproduce(options)));
}

/** The scale, with the trial-run overrides applied. */
function scaleFromOptions(options: ReproduceOptions): { scale: Scale; custom: boolean } {
  const base = SCALES[options.scale];
  const epochs =
    options.epochs === undefined
      ? base.epochs
      : parseNumber('--epochs', options.epochs, { integer: true, min: 1, max: 1_000_000 });
  const points =
    options.points === undefined
      ? base.curvePoints
      : parseNumber('--points', options.points, { integer: true, min: 5, max: 100_000 });
  const repeats =
    options.repeats === undefined
      ? base.curveRepeats
      : parseNumber('--repeats', options.repeats, { integer: true, min: 2, max: MAX_REPEATS });
  const custom = options.epochs !== undefined || options.points !== undefined || options.repeats !== undefined;
  if (!custom) return { scale: base, custom };
  const textbookPoints = Math.max(5, Math.round(points / 2));
  // At least 7 points: the fewest the fitted minimum of the next questions' curves needs.
  const nextPoints = Math.max(7, textbookPoints);
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
      // The next questions at the trial run's size: as many trainings per point, coarser grids.
      next: {
        activationStds: `exp:-3:2:${nextPoints}`,
        activationRepeats: repeats,
        lossLrs: [0.3, 3],
        lossStds: `exp:-2:1:${nextPoints}`,
        lossRepeats: repeats,
        scheduleLrs: `log:-1.5:0.1:${nextPoints}`,
        scheduleRepeats: repeats,
      },
      // A trial run's grids are too small for a goal-directed minimum (7 design points and 140 trainings at least).
      goal: null,
    },
  };
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

/** The database of a reproduction without --db, in its report folder. */
const REPRODUCE_DB = 'article.db';

function makeOutFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '.xorlab-write-check'), '');
    rmSync(join(dir, '.xorlab-write-check'));
  } catch (error) {
    throw new UsageError(
      `--out: cannot write to the folder ${dir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}

async function runReproduce(options: ReproduceOptions): Promise<Outcome> {
  const started = performance.now();
  const { scale, custom } = scaleFromOptions(options);
  const settings = runSettings(options);
  const prefix =
    options.name ??
    (custom
      ? `article-${options.scale}-e${scale.epochs}-p${scale.curvePoints}-r${scale.curveRepeats}`
      : `article-${options.scale}`);
  const dir = options.out;
  // Bad input writes nothing: --out is checked without creating it, the four definitions (and the engine of any
  // stored trials) before any is registered, and the folder is made only after that.
  checkOutFolder(dir);
  // The report's figures need the chart packages: a missing one is said now, not after the trainings.
  await loadChartPackages();
  const studies = resolveReproduction(scale, prefix);
  const log = (line: string) => process.stderr.write(`reproduce: ${printable(line)}\n`);
  // Without --db the trials go into the report folder, beside the report made from them: the user's own
  // xorlab.db holds only their studies, and deleting the folder removes the reproduction whole. The folder is made
  // first then; a database of its own has no stored definitions that could refuse this run.
  const named = namedDb(options);
  const database = named ?? join(dir, REPRODUCE_DB);
  if (named === undefined) makeOutFolder(dir);
  const store = await openStoreFromOptions({ db: database });
  try {
    const datasets = { xor: builtinDataset('xor') };
    // The engine asked for, or that of the stored trials where the flags leave it open (one for every study).
    const engine = engineChoice(await prepareReproduction(store, studies, { datasets, request: options }));
    makeOutFolder(dir);
    const hint = typedCommand(process.argv.slice(2));
    // Ctrl-C stops the whole reproduction, not only the study running: its resume hint is printed, the rest skipped.
    const interrupted = new Interrupted();
    let run;
    try {
      run = await runPrepared(
        store,
        scale,
        studies,
        async (label, study, plan) => {
          const run = { study, datasets, engine, plan };
          const outcome = await runWithProgress({ label, run, store, settings, resumeHint: () => hint });
          if (outcome.interrupted) throw interrupted;
          return outcome;
        },
        log,
      );
    } catch (error) {
      if (error === interrupted) return EXIT_INTERRUPTED;
      throw error;
    }
    const ranFor = (performance.now() - started) / 1000;
    log('writing the report');
    await writeReport(store, dir, scale, run.studies, {
      engine: `${engine.engine} (${engine.precision})`,
      workers: settings.workers,
      database: dbLabel({ db: database }),
      command: hint,
      seconds: ranFor,
      studySeconds: run.seconds,
    });
    // The running time is the report's own number, rounded by the same function: the two never disagree.
    const writing = (performance.now() - started) / 1000 - ranFor;
    log(
      `done: ${runningTime(ranFor)} of running (as report.md says) and ${runningTime(writing)} writing the report: ${join(dir, 'report.md')}`,
    );
  } finally {
    await store.close();
  }
}

/** Thrown through the article's runner when Ctrl-C stopped a study: the reproduction ends there. */
class Interrupted extends Error {}
