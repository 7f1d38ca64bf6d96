// `xorlab sweep`: defines a study (flags or a JSON file), stores its definition, and runs every missing trial on
// all cores. Rerunning the same command resumes; Ctrl-C keeps what finished and prints how to resume.
import type { Command } from 'commander';
import { parameterNamed, suggestParameter } from '../../config/index.js';
import type { PostgresStore } from '../../store/postgres/open.js';
import { MissingDatabaseError, type Store } from '../../store/types.js';
import { GRID_HELP } from '../../study/definition/grid.js';
import { SWEEPABLE_NAMES } from '../../study/definition/params.js';
import { prepareRun } from '../../study/run/prepare.js';
import { addConfigOptions, configInputFromOptions, validateConfig } from '../config-options.js';
import { dbLabel, openStoreFromOptions } from '../db-option.js';
import { EXIT_INTERRUPTED, UsageError, type Outcome } from '../errors.js';
import {
  addDistributedOptions,
  checkDistributedFlags,
  openDistributedStore,
  runDistributed,
  type DistributedFlags,
} from '../distributed.js';
import { readJsonFile } from '../files.js';
import { parseRunOption, runOptionFlag } from '../run-flags.js';
import {
  addRunOptions,
  commandLine,
  loadedStudy,
  runSettings,
  runWithProgress,
  toStudy,
  type RunFlags,
} from '../run.js';
import { quote } from '../../text/quote.js';

interface SweepOptions extends RunFlags, DistributedFlags, Record<string, unknown> {
  name?: string;
  studyFile?: string;
  sweep?: string[];
  repeats?: string;
  seed?: string;
}

export function registerSweep(program: Command, end: (outcome: Outcome) => void): void {
  const command = program
    .command('sweep')
    .description(
      'run a study: train every point of a grid of parameters --repeats times on all cores and store each trial',
    )
    .option('--name <name>', 'the study\'s name in the database (letters, digits, ".", "_", "-")')
    .option(
      '--study-file <file>',
      'a JSON study definition: {"name", "config": {...}, "sweep": {"param": grid}, "repeats", "seed"}',
    )
    .option(
      '--sweep <param=grid>',
      `a swept parameter and its grid, e.g. hiddenStd=exp:-3:4:400; twice for a 2-D landscape; grid: ${GRID_HELP}`,
      collect,
    )
    .addOption(runOptionFlag('repeats'))
    .addOption(runOptionFlag('seed'));
  addRunOptions(command);
  addDistributedOptions(command);
  addConfigOptions(command).addHelpText(
    'after',
    `
Sweepable parameters: ${SWEEPABLE_NAMES.join(', ')} (hidden = units of one hidden layer).
Running the same study again runs only its missing trials; \`xorlab sweep --name NAME\` resumes a stored study.

Examples:
  xorlab sweep --name article --sweep hiddenStd=exp:-3:4:400 --output-std 0.8165 --update-order seed --repeats 10
  xorlab sweep --name lr-vs-std --sweep lr=log:-2:1:20 --sweep hiddenStd=0.25,0.5,1,2 --repeats 5
  xorlab sweep --study-file study.json --workers 4
  xorlab sweep --name big --sweep lr=log:-2:1:200 --sweep hiddenStd=log:-1:1:200 --repeats 100 --db postgres://lab@db.example.org/xorlab --distributed
      (and \`xorlab worker --db postgres://lab@db.example.org/xorlab\` on other machines)`,
  );
  command.action(async (options: SweepOptions) => end(await runSweep(options)));
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
      throw new UsageError(
        `--study-file: ${options.studyFile} must hold a JSON object {"name", "config", "sweep", "repeats", "seed"}`,
      );
    }
    file = doc as Record<string, unknown>;
  }
  const flags = configInputFromOptions(options);
  // Without a file, check the flags on their own so that errors name the flags.
  if (options.studyFile === undefined) validateConfig(flags);
  const fileConfig = file.config;
  if (
    fileConfig !== undefined &&
    (typeof fileConfig !== 'object' || fileConfig === null || Array.isArray(fileConfig))
  ) {
    throw new UsageError('--study-file: "config" must be an object of training settings');
  }
  const sweep: Record<string, string> = {};
  for (const entry of options.sweep ?? []) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new UsageError(`--sweep must be param=grid (e.g. hiddenStd=exp:-3:4:400), got ${quote(entry)}`);
    // A parameter is named as in a study file (hiddenStd) or as its flag (hidden-std, --hidden-std).
    const typed = entry.slice(0, eq).trim();
    const param = parameterNamed(typed, SWEEPABLE_NAMES);
    if (param === null)
      throw new UsageError(
        `--sweep: cannot sweep ${quote(typed)}${suggestParameter(typed, SWEEPABLE_NAMES)}; sweepable: ${SWEEPABLE_NAMES.join(', ')}`,
      );
    if (Object.hasOwn(sweep, param)) throw new UsageError(`--sweep: ${param} is given twice`);
    sweep[param] = entry.slice(eq + 1);
  }
  const fileSweep = file.sweep;
  const mergedSweep =
    options.sweep === undefined
      ? fileSweep
      : { ...(typeof fileSweep === 'object' && fileSweep !== null ? fileSweep : {}), ...sweep };
  const definition: Record<string, unknown> = { ...file };
  if (options.name !== undefined) definition.name = options.name;
  if (definition.name === undefined)
    throw new UsageError('a study needs a name: give --name (or "name" in --study-file)');
  if (fileConfig !== undefined || Object.keys(flags).length > 0) definition.config = { ...fileConfig, ...flags };
  if (mergedSweep !== undefined) definition.sweep = mergedSweep;
  if (options.repeats !== undefined) definition.repeats = parseRunOption('repeats', options.repeats);
  if (options.seed !== undefined) definition.seed = parseRunOption('seed', options.seed);
  return definition;
}

/** The stored definition of the study named by --name (read-only: nothing is created). */
async function storedDefinition(options: SweepOptions): Promise<unknown> {
  const where = dbLabel(options);
  const missing = `there is no study ${quote(options.name)} in ${where} to resume; define it with --sweep param=grid or --study-file`;
  let store: Store;
  try {
    store = await openStoreFromOptions(options, { readonly: true });
  } catch (error) {
    if (error instanceof MissingDatabaseError) throw new UsageError(missing);
    throw error;
  }
  try {
    const record = await store.getStudy(options.name!);
    if (!record) throw new UsageError(missing);
    return record.definition;
  } finally {
    await store.close();
  }
}

async function runSweep(options: SweepOptions): Promise<Outcome> {
  const settings = runSettings(options);
  checkDistributedFlags(options);
  // Bad input is found before the database is opened: nothing stored is touched.
  const given = definesStudy(options) ? toStudy(definitionFromFlags(options)) : null;
  if (!given && options.name === undefined) {
    throw new UsageError(
      'give --name NAME to resume a stored study, or define one with --sweep param=grid or --study-file',
    );
  }
  // Resuming by name reads the database first (read-only), so a wrong name or path creates nothing.
  const study = given ?? toStudy(await storedDefinition(options), `the stored definition of ${quote(options.name)}`);
  // A missing dataset file is bad input too, and so is one edited since the study was stored.
  const loaded = loadedStudy(study);
  const store = options.distributed
    ? await openDistributedStore('--distributed', options.db)
    : await openStoreFromOptions(options);
  try {
    const { name } = study.definition;
    // As the library's runStudy: the study registered (or refused), the engine settled, the missing trials planned.
    const run = await prepareRun(loaded, {
      store,
      engine: options,
      hint: `use another --name, or run \`xorlab sweep --name ${name}\` to resume the stored one`,
      plan: 'missing',
    });
    const { plan } = run;
    const total = study.pointCount * study.definition.repeats;
    if (plan.size === 0) {
      process.stdout.write(`study ${name}: all ${total.toLocaleString('en-US')} trials are stored; nothing to run\n`);
      return;
    }
    const note =
      plan.size < total
        ? `study ${name}: ${(total - plan.size).toLocaleString('en-US')} of ${total.toLocaleString('en-US')} trials already stored; running the rest\n`
        : '';
    const label = `sweep ${name}`;
    const resume = (): string => commandLine(process.argv.slice(2));
    if (options.distributed) {
      const work = options.work !== false;
      return await runDistributed({
        label,
        run,
        store: store as PostgresStore,
        settings,
        work,
        resumeCommand: resume,
        note,
      });
    }
    process.stderr.write(note);
    const outcome = await runWithProgress({ label, run, store, settings, resumeHint: resume });
    return outcome.interrupted ? EXIT_INTERRUPTED : undefined;
  } finally {
    await store.close();
  }
}
