// `xorlab sweep`: defines a study (flags or a JSON file), stores its definition, and runs every missing trial on
// all cores. Rerunning the same command resumes; Ctrl-C keeps what finished and prints how to resume.
import { Option, type Command } from 'commander';
import { MAX_SEED, type Dataset } from '../../core/index.js';
import { StoreError, type Store } from '../../store/types.js';
import { MAX_STUDY_TRIALS, StudyError, describeDifference, resolveStudy, sameDefinition, type Study } from '../../study/definition.js';
import { GRID_HELP } from '../../study/grid.js';
import { SWEEPABLE_NAMES } from '../../study/params.js';
import { planMissing, type TrialPlan } from '../../study/plan.js';
import { createProgress, formatDuration, formatRate } from '../../study/progress.js';
import { defaultWorkers, runPlan, type RunOutcome } from '../../study/run.js';
import { addConfigOptions, configInputFromOptions, validateConfig } from '../config-options.js';
import { DEFAULT_DB, addDbOption, openStoreFromOptions } from '../db-option.js';
import { EXIT_INTERRUPTED, UsageError } from '../errors.js';
import { loadDataset, readJsonFile } from '../files.js';
import { parseNumber } from '../parse.js';

export interface RunFlags {
  workers?: string;
  engine?: 'fast' | 'reference';
  precision?: 'f32' | 'f64';
  chunkSize?: string;
  db?: string;
}

interface SweepOptions extends RunFlags, Record<string, unknown> {
  name?: string;
  studyFile?: string;
  sweep?: string[];
  repeats?: string;
  seed?: string;
}

/** The flags that choose how trials run (shared with refine). */
export function addRunOptions(command: Command): Command {
  return addDbOption(command)
    .option('--workers <n>', `worker threads (default: the core count, ${defaultWorkers()} here)`)
    .addOption(new Option('--engine <name>', 'fast = the lockstep kernel, reference = the readable core engine').choices(['fast', 'reference']).default('fast'))
    .addOption(new Option('--precision <p>', 'arithmetic of the fast engine').choices(['f32', 'f64']).default('f32'))
    .option('--chunk-size <n>', 'trials per task sent to a worker (default: chosen from the study size)');
}

export function registerSweep(program: Command): void {
  const command = program
    .command('sweep')
    .description('run a study: train every point of a grid of parameters --repeats times on all cores and store each trial')
    .option('--name <name>', 'the study\'s name in the database (letters, digits, ".", "_", "-")')
    .option('--study-file <file>', 'a JSON study definition: {"name", "config": {...}, "sweep": {"param": grid}, "repeats", "seed"}')
    .option('--sweep <param=grid>', `a swept parameter and its grid, e.g. hiddenStd=exp:-3:4:400; twice for a 2-D landscape; grid: ${GRID_HELP}`, collect)
    .option('--repeats <n>', `trainings per grid point (default: 10; points x repeats at most ${MAX_STUDY_TRIALS.toLocaleString('en-US')})`)
    .option('--seed <n>', `root seed; trial seeds derive from (seed, point, repeat) (default: 1)`);
  addRunOptions(command);
  addConfigOptions(command).addHelpText(
    'after',
    `
Sweepable parameters: ${SWEEPABLE_NAMES.join(', ')} (hidden = units of one hidden layer).
Running the same study again runs only its missing trials; \`xorlab sweep --name NAME\` resumes a stored study.

Examples:
  xorlab sweep --name article --sweep hiddenStd=exp:-3:4:400 --output-std 0.8165 --update-order seed --repeats 10
  xorlab sweep --name lr-vs-std --sweep lr=log:-2:1:20 --sweep hiddenStd=0.25,0.5,1,2 --repeats 5
  xorlab sweep --study-file study.json --workers 4`,
  );
  command.action((options: SweepOptions) => runSweep(options));
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Whether any flag defines the study (as opposed to naming a stored one to resume). */
function definesStudy(options: SweepOptions): boolean {
  return (
    options.studyFile !== undefined ||
    options.sweep !== undefined ||
    options.repeats !== undefined ||
    options.seed !== undefined ||
    Object.keys(configInputFromOptions(options)).length > 0
  );
}

function definitionFromFlags(options: SweepOptions): unknown {
  let file: Record<string, unknown> = {};
  if (options.studyFile !== undefined) {
    const doc = readJsonFile('--study-file', options.studyFile);
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      throw new UsageError(`--study-file: ${options.studyFile} must hold a JSON object {"name", "config", "sweep", "repeats", "seed"}`);
    }
    file = doc as Record<string, unknown>;
  }
  const flags = configInputFromOptions(options);
  // Without a file, check the flags on their own so that errors name the flags.
  if (options.studyFile === undefined) validateConfig(flags);
  const fileConfig = file.config;
  if (fileConfig !== undefined && (typeof fileConfig !== 'object' || fileConfig === null || Array.isArray(fileConfig))) {
    throw new UsageError('--study-file: "config" must be an object of training settings');
  }
  const sweep: Record<string, string> = {};
  for (const entry of options.sweep ?? []) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new UsageError(`--sweep must be param=grid (e.g. hiddenStd=exp:-3:4:400), got "${entry}"`);
    const param = entry.slice(0, eq).trim();
    if (param in sweep) throw new UsageError(`--sweep: ${param} is given twice`);
    sweep[param] = entry.slice(eq + 1);
  }
  const fileSweep = file.sweep;
  const mergedSweep =
    options.sweep === undefined ? fileSweep : { ...(typeof fileSweep === 'object' && fileSweep !== null ? fileSweep : {}), ...sweep };
  const definition: Record<string, unknown> = { ...file };
  if (options.name !== undefined) definition.name = options.name;
  if (definition.name === undefined) throw new UsageError('a study needs a name: give --name (or "name" in --study-file)');
  if (fileConfig !== undefined || Object.keys(flags).length > 0) definition.config = { ...(fileConfig as object | undefined), ...flags };
  if (mergedSweep !== undefined) definition.sweep = mergedSweep;
  if (options.repeats !== undefined) definition.repeats = parseNumber('--repeats', options.repeats, { integer: true, min: 1, max: 1_000_000 });
  if (options.seed !== undefined) definition.seed = parseNumber('--seed', options.seed, { integer: true, min: 0, max: MAX_SEED });
  return definition;
}

export function toStudy(definition: unknown, what = 'study'): Study {
  try {
    return resolveStudy(definition);
  } catch (error) {
    if (error instanceof StudyError) throw new UsageError(what === 'study' ? error.message : `${what}: ${error.message}`);
    throw error;
  }
}

/** Every dataset the study trains on, by its name in the configuration. */
export function studyDatasets(study: Study): Record<string, Dataset> {
  const axis = study.axes.find((a) => a.param === 'dataset');
  const names = axis ? (axis.values as string[]) : [study.definition.config.dataset];
  return Object.fromEntries(names.map((name) => [name, loadDataset(name)]));
}

export interface RunSettings {
  workers: number;
  engine: 'fast' | 'reference';
  precision: 'f32' | 'f64';
  chunkSize: number | undefined;
}

export function runSettings(options: RunFlags): RunSettings {
  return {
    workers: options.workers === undefined ? defaultWorkers() : parseNumber('--workers', options.workers, { integer: true, min: 1, max: 1024 }),
    engine: options.engine ?? 'fast',
    precision: options.precision ?? 'f32',
    chunkSize: options.chunkSize === undefined ? undefined : parseNumber('--chunk-size', options.chunkSize, { integer: true, min: 1, max: 1_000_000 }),
  };
}

/**
 * Runs a plan with a progress display, keeping every finished trial on Ctrl-C. Returns the outcome; on an
 * interruption prints `resumeHint` and exits with 130.
 */
export async function runWithProgress(
  label: string,
  study: Study,
  plan: TrialPlan,
  store: Store,
  settings: RunSettings,
  resumeHint: (outcome: RunOutcome) => string,
): Promise<RunOutcome> {
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) return;
    process.stderr.write('\nxorlab: interrupted; keeping the trials that finished...\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  let outcome: RunOutcome;
  try {
    outcome = await runPlan({
      study,
      plan,
      store,
      datasets: studyDatasets(study),
      workers: settings.workers,
      engine: settings.engine,
      precision: settings.precision,
      chunkSize: settings.chunkSize,
      signal: controller.signal,
      progress: createProgress(label),
      onFallback: (reason) => process.stderr.write(`xorlab: note: ${reason}\n`),
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (outcome.interrupted) {
    process.stderr.write(
      `xorlab: stopped after ${outcome.stored.toLocaleString('en-US')} of ${outcome.planned.toLocaleString('en-US')} trials; ` +
        `they are stored. Resume with:\n  ${resumeHint(outcome)}\n`,
    );
    store.close();
    process.exit(EXIT_INTERRUPTED);
  }
  process.stdout.write(
    `${label}: ${outcome.stored.toLocaleString('en-US')} trials stored in ${formatDuration(outcome.seconds)} ` +
      `(${formatRate(outcome.completed / outcome.seconds)} trainings/s, ${settings.workers} workers)\n`,
  );
  return outcome;
}

/** The command line as typed, quoted for a POSIX shell. */
export function commandLine(args: readonly string[]): string {
  const quote = (a: string): string => (/^[A-Za-z0-9_\-.,:=/+@%]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return ['xorlab', ...args.map(quote)].join(' ');
}

/** The stored definition of the study named by --name (read-only: nothing is created). */
function storedDefinition(options: SweepOptions): unknown {
  const where = options.db ?? DEFAULT_DB;
  const missing = `there is no study "${options.name}" in ${where} to resume; define it with --sweep param=grid or --study-file`;
  let store: Store;
  try {
    store = openStoreFromOptions(options, { readonly: true });
  } catch (error) {
    if (error instanceof StoreError && /no database/.test(error.message)) throw new UsageError(missing);
    throw error;
  }
  try {
    const record = store.getStudy(options.name!);
    if (!record) throw new UsageError(missing);
    return record.definition;
  } finally {
    store.close();
  }
}

async function runSweep(options: SweepOptions): Promise<void> {
  const settings = runSettings(options);
  // Bad input is found before the database is opened: nothing stored is touched.
  const given = definesStudy(options) ? toStudy(definitionFromFlags(options)) : null;
  if (!given && options.name === undefined) {
    throw new UsageError('give --name NAME to resume a stored study, or define one with --sweep param=grid or --study-file');
  }
  // Resuming by name reads the database first (read-only), so a wrong name or path creates nothing.
  const study = given ?? toStudy(storedDefinition(options), `the stored definition of "${options.name}"`);
  studyDatasets(study); // a missing dataset file is bad input too
  const store = openStoreFromOptions(options);
  try {
    const existing = given ? store.getStudy(study.definition.name) : null;
    if (existing && !sameDefinition(existing.definition, study.definition)) {
      throw new UsageError(
        `study "${study.definition.name}" already exists with a different definition (${describeDifference(existing.definition, study.definition)}); ` +
          `use another --name, or run \`xorlab sweep --name ${study.definition.name}\` to resume the stored one`,
      );
    }
    store.ensureStudy(study.definition.name, study.definition);
    const { pointCount, definition } = study;
    const plan = planMissing(pointCount, definition.repeats, store.storedRepeats(definition.name));
    const total = pointCount * definition.repeats;
    if (plan.points.length === 0) {
      process.stdout.write(`study ${definition.name}: all ${total.toLocaleString('en-US')} trials are stored; nothing to run\n`);
      return;
    }
    if (plan.points.length < total) {
      process.stderr.write(`study ${definition.name}: ${(total - plan.points.length).toLocaleString('en-US')} of ${total.toLocaleString('en-US')} trials already stored; running the rest\n`);
    }
    await runWithProgress(`sweep ${definition.name}`, study, plan, store, settings, () => commandLine(process.argv.slice(2)));
  } finally {
    store.close();
  }
}
