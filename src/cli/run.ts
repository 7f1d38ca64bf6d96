// What sweep, refine and reproduce share: the flags that choose how trials run, turning a definition into a
// study (bad input -> UsageError), loading its datasets, and running a prepared run (study/run/prepare.ts) with a
// progress display and Ctrl-C.
import type { Command } from 'commander';
import type { EngineChoice } from '../config/index.js';
import type { Dataset } from '../core/index.js';
import type { Store } from '../store/types.js';
import { resolveStudy, type Study } from '../study/definition/definition.js';
import { createProgress, formatDuration, formatRate } from '../study/run/progress.js';
import { runPlan, type RunOutcome } from '../study/run/run-plan.js';
import { counted } from '../text/format.js';
import { addDbOption, DB_ENV } from './db-option.js';
import { MASK, redact } from '../text/redact.js';
import { printable } from '../text/quote.js';
import {
  loadStudy,
  studyDatasets as loadStudyDatasets,
  type LoadedStudy,
  type PreparedRun,
} from '../study/run/prepare.js';
import { withFlag } from './errors.js';
import { parseRunOption, parseWorkers, runOptionFlag, workersFlag } from './run-flags.js';

/** The run flags as commander hands them over. --engine and --precision are the engine asked for (undefined where
 * not given: a stored study goes on with its trials' engine), handed to prepareRun as they are. */
export interface RunFlags extends Partial<EngineChoice> {
  workers?: string;
  chunkSize?: string;
  db?: string;
}

/** The flags that choose how trials run (sweep, refine, reproduce). */
export function addRunOptions(command: Command, dbHelp?: string): Command {
  return addDbOption(command, dbHelp)
    .addOption(workersFlag())
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

/** The study with its datasets, for prepareRun: a missing file is a UsageError naming --dataset, one edited since
 * the study was stored a StudyError; the study pins its files' truth tables. Reads no database. */
export function loadedStudy(study: Study): LoadedStudy {
  return loadStudy(study, studyDatasets(study));
}

/** The worker threads and the chunk size the flags ask for, checked (the engine goes to prepareRun as given). */
export interface RunSettings {
  workers: number;
  chunkSize: number | undefined;
}

export function runSettings(options: RunFlags): RunSettings {
  return {
    workers: parseWorkers(options.workers),
    chunkSize: options.chunkSize === undefined ? undefined : parseRunOption('chunkSize', options.chunkSize),
  };
}

/** The run flags as given, with the engine the run trains with, for a command line that continues it the same way. */
export function runFlagArgs(options: RunFlags, settings: RunSettings, engine: EngineChoice): string[] {
  return [
    '--engine',
    engine.engine,
    '--precision',
    engine.precision,
    ...(options.workers !== undefined ? ['--workers', String(settings.workers)] : []),
    ...(options.chunkSize !== undefined ? ['--chunk-size', String(settings.chunkSize)] : []),
    ...(options.db !== undefined ? ['--db', options.db] : []),
  ];
}

interface ProgressRunOptions {
  /** The progress bar's label, and the summary line's. */
  label: string;
  run: PreparedRun;
  store: Store;
  settings: RunSettings;
  /** The command that resumes the run, printed on Ctrl-C. */
  resumeHint: (outcome: RunOutcome) => string;
}

/**
 * Runs a prepared run with a progress display, keeping every finished trial on Ctrl-C. Returns the outcome; on an
 * interruption prints `resumeHint` first (the command then returns EXIT_INTERRUPTED).
 */
export async function runWithProgress(options: ProgressRunOptions): Promise<RunOutcome> {
  const { label, store, settings, resumeHint } = options;
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
      ...options.run,
      store,
      workers: settings.workers,
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
