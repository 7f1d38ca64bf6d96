// What sweep, refine and reproduce share: the flags that choose how trials run, turning a definition into a
// study (bad input -> UsageError), loading its datasets, and running a plan with a progress display and Ctrl-C.
import type { Command } from 'commander';
import { RUN_OPTIONS, type EngineName, type Precision } from '../config/index.js';
import type { Dataset } from '../core/index.js';
import type { Store } from '../store/types.js';
import { resolveStudy, type Study } from '../study/definition/definition.js';
import { checkStoredStudy, registerStudy, type EngineRequest } from '../study/run/stored.js';
import type { TrialPlan } from '../study/run/browser/plan.js';
import { createProgress, formatDuration, formatRate } from '../study/run/progress.js';
import { defaultWorkers, runPlan, type RunOutcome } from '../study/run/run-plan.js';
import { counted } from '../text/format.js';
import { addDbOption, DB_ENV } from './db-option.js';
import { MASK, redact } from '../text/redact.js';
import { printable } from '../text/quote.js';
import { studyDatasets as loadStudyDatasets } from '../study/run/run-study.js';
import { withFlag } from './errors.js';
import { parseRunOption, runOptionFlag } from './run-flags.js';

export interface RunFlags {
  workers?: string;
  engine?: EngineName;
  precision?: Precision;
  chunkSize?: string;
  db?: string;
}

/** The flags that choose how trials run (sweep, refine, reproduce). */
export function addRunOptions(command: Command, dbHelp?: string): Command {
  return addDbOption(command, dbHelp)
    .addOption(runOptionFlag('workers', `${defaultWorkers()} here`))
    .addOption(runOptionFlag('engine'))
    .addOption(runOptionFlag('precision'))
    .addOption(runOptionFlag('chunkSize'));
}

/** The study a definition describes (a UsageError if it is wrong); one read from somewhere (`what`) names it. */
export function toStudy(definition: unknown, what?: string): Study {
  return withFlag(what, () => resolveStudy(definition));
}

/** Every dataset the study trains on, by its name in the configuration (a missing file is a UsageError). */
export function studyDatasets(study: Study): Record<string, Dataset> {
  return withFlag('--dataset', () => loadStudyDatasets(study));
}

export interface RunSettings {
  workers: number;
  engine: EngineName;
  precision: Precision;
  chunkSize: number | undefined;
}

export function runSettings(options: RunFlags): RunSettings {
  return {
    workers: options.workers === undefined ? defaultWorkers() : parseRunOption('workers', options.workers),
    engine: options.engine ?? RUN_OPTIONS.engine.default,
    precision: options.precision ?? RUN_OPTIONS.precision.default,
    chunkSize: options.chunkSize === undefined ? undefined : parseRunOption('chunkSize', options.chunkSize),
  };
}

/** The engine flags as given (undefined where not given: a stored study keeps its own). */
export function engineRequest(options: RunFlags): EngineRequest {
  return { engine: options.engine, precision: options.precision };
}

/** `settings` with the engine a stored study's trials were trained with, where the flags left it open. */
export function withEngine(settings: RunSettings, request: EngineRequest): RunSettings {
  return { ...settings, engine: request.engine ?? settings.engine, precision: request.precision ?? settings.precision };
}

/**
 * Reads only: refuses (UsageError) a stored study of this name with another definition, or whose trials were
 * trained with another engine or precision than the flags ask for. Returns the settings to run with.
 */
export async function checkStudy(
  store: Store,
  study: Study,
  datasets: Record<string, Dataset>,
  options: RunFlags,
  settings: RunSettings,
  hint: string,
): Promise<RunSettings> {
  return withEngine(
    settings,
    await checkStoredStudy(store, study, hint, { datasets, request: engineRequest(options) }),
  );
}

/** checkStudy, then registers the study in the store. */
export async function registerOrRefuse(
  store: Store,
  study: Study,
  datasets: Record<string, Dataset>,
  options: RunFlags,
  settings: RunSettings,
  hint: string,
): Promise<RunSettings> {
  return withEngine(settings, await registerStudy(store, study, hint, { datasets, request: engineRequest(options) }));
}

/** The run flags as given, for a command line that continues this run the same way. */
export function runFlagArgs(options: RunFlags, settings: RunSettings): string[] {
  return [
    '--engine',
    settings.engine,
    '--precision',
    settings.precision,
    ...(options.workers !== undefined ? ['--workers', String(settings.workers)] : []),
    ...(options.chunkSize !== undefined ? ['--chunk-size', String(settings.chunkSize)] : []),
    ...(options.db !== undefined ? ['--db', options.db] : []),
  ];
}

/**
 * Runs a plan with a progress display, keeping every finished trial on Ctrl-C. Returns the outcome; on an
 * interruption prints `resumeHint` first (the command then returns EXIT_INTERRUPTED).
 */
export async function runWithProgress(
  label: string,
  study: Study,
  plan: TrialPlan,
  store: Store,
  datasets: Record<string, Dataset>,
  settings: RunSettings,
  resumeHint: (outcome: RunOutcome) => string,
): Promise<RunOutcome> {
  const controller = new AbortController();
  const progress = createProgress(label);
  const onSigint = (): void => {
    if (controller.signal.aborted) return;
    // The bar ends on its own line first: nothing redraws over the lines below.
    progress.stop();
    process.stderr.write('xorlab: interrupted; keeping the trials that finished...\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  let outcome: RunOutcome;
  try {
    outcome = await runPlan({
      study,
      plan,
      store,
      datasets,
      workers: settings.workers,
      engine: settings.engine,
      precision: settings.precision,
      chunkSize: settings.chunkSize,
      signal: controller.signal,
      progress,
      onFallback: (reason) => progress.note(`xorlab: note: ${reason}`),
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (outcome.stored < outcome.completed) {
    // INSERT OR IGNORE kept the rows already there: another run stored the same (point, repeat), with the same
    // seed and so the same numbers. Nothing is wrong in the study, but this run added fewer trials than it ran.
    const already = outcome.completed - outcome.stored;
    process.stderr.write(
      `xorlab: note: ${already.toLocaleString('en-US')} of the ${outcome.completed.toLocaleString('en-US')} trials this run trained were already stored by another run ` +
        `(the same point and repeat, so the same seed and numbers); they are stored once\n`,
    );
  }
  if (outcome.interrupted) {
    const hint = resumeHint(outcome);
    process.stderr.write(
      `xorlab: stopped after ${outcome.stored.toLocaleString('en-US')} of ${outcome.planned.toLocaleString('en-US')} trials; ` +
        `they are stored. Resume with:\n  ${hint}\n`,
    );
    process.stderr.write(passwordNote(hint));
    return outcome;
  }
  process.stdout.write(
    `${label}: ${outcome.stored.toLocaleString('en-US')} trials stored in ${formatDuration(outcome.seconds)} ` +
      `(${formatRate(outcome.completed / outcome.seconds)} trainings/s, ${counted(settings.workers, 'worker')})\n`,
  );
  return outcome;
}

/** The line that follows a printed command whose password is shown as *** ('' when it has none). */
export function passwordNote(command: string): string {
  return command.includes(MASK)
    ? `xorlab: (the password is not printed: put it in place of ${MASK}, or give it through PGPASSWORD, ~/.pgpass or --db in $${DB_ENV})\n`
    : '';
}

/**
 * The command that runs `args` again, as the user can type it: `npm start` (with what followed its `--`) when it is
 * the clone's `npm start` that ran them, whose `xorlab` need not be on the PATH yet; else `xorlab ...` (commandLine).
 */
export function typedCommand(args: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  const fromStart = env.npm_lifecycle_event === 'start' && env.npm_package_name === 'xorlab';
  const script = fromStart
    ? /\bbin\/xorlab\.js\s+(.+)$/
        .exec(env.npm_lifecycle_script ?? '')?.[1]
        ?.trim()
        .split(/\s+/)
    : undefined;
  if (script === undefined || !script.every((arg, i) => args[i] === arg)) return commandLine(args);
  const rest = args.slice(script.length);
  return rest.length === 0 ? 'npm start' : `npm start -- ${commandLine(rest).slice('xorlab '.length)}`;
}

/** The command line as typed, quoted for a POSIX shell, with any password shown as ***. */
export function commandLine(args: readonly string[]): string {
  return redact(['xorlab', ...args.map(shellWord)].join(' '));
}

/** One argument for a POSIX shell. One with a control character in it (which '...' would print raw, to drive the
 * terminal) is written $'...' (bash, zsh, ksh), each such character as the \xHH escapes of its UTF-8 bytes. */
function shellWord(arg: string): string {
  if (/^[A-Za-z0-9_\-.,:=/+@%]+$/.test(arg)) return arg;
  if (printable(arg) === arg) return `'${arg.replace(/'/g, `'\\''`)}'`;
  const bytes = (ch: string) =>
    [...new TextEncoder().encode(ch)].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
  const escaped = [...arg]
    .map((ch) => (ch === '\\' || ch === "'" ? `\\${ch}` : printable(ch) === ch ? ch : bytes(ch)))
    .join('');
  return `$'${escaped}'`;
}
