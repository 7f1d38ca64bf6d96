// What `sweep --distributed`, `refine --distributed` and `xorlab worker` share: the flags, opening the PostgreSQL
// store and its chunk queue, Ctrl-C, and the lines they print (every URL through redact(): no password is shown).
import type { Command } from 'commander';
import { storeKind } from '../store/index.js';
import type { PostgresStore } from '../store/postgres/open.js';
import { redact } from '../text/redact.js';
import { coordinate, type CoordinateOutcome } from '../distributed/coordinate.js';
import { ChunkQueue } from '../distributed/queue.js';
import type { PreparedRun } from '../study/run/prepare.js';
import { createProgress, formatDuration, formatRate, type Progress } from '../study/run/progress.js';
import { counted } from '../text/format.js';
import { DB_ENV, dbTarget } from './db-option.js';
import { EXIT_INTERRUPTED, UsageError, type Outcome } from './errors.js';
import { passwordNote, type RunSettings } from './run.js';

/** Connections a distributed process holds at most: its coordinator's lock and requests, pg-boss's maintenance,
 * and its worker's fetches and chunk transactions. */
const POOL_SIZE = 6;

export interface DistributedFlags {
  distributed?: boolean;
  /** false with --no-work. */
  work?: boolean;
}

export function addDistributedOptions(command: Command): Command {
  return command
    .option(
      '--distributed',
      'queue the trials as chunks in the PostgreSQL database (--db postgres://...) for `xorlab worker` processes on any number of machines; works on them here too, shows one progress bar for the whole study and returns when it is complete',
    )
    .option('--no-work', 'with --distributed: only queue the chunks and show the progress; train nothing here');
}

/** Checks the flags before anything is opened: --no-work needs --distributed, which needs a PostgreSQL --db. */
export function checkDistributedFlags(options: DistributedFlags & { db?: string }): void {
  if (options.work === false && !options.distributed) throw new UsageError('--no-work goes with --distributed');
  if (options.distributed) requirePostgres('--distributed', options.db);
}

function requirePostgres(what: string, db: string | undefined): string {
  const url = dbTarget({ db });
  if (storeKind(url) !== 'postgres') {
    throw new UsageError(
      `${what} needs a PostgreSQL database: --db postgres://user@host:port/database or $${DB_ENV} (got ${redact(url)})`,
    );
  }
  return url;
}

/** Opens the --db PostgreSQL store for a distributed run (a StoreError, one line, when it cannot). */
export async function openDistributedStore(what: string, db: string | undefined): Promise<PostgresStore> {
  const url = requirePostgres(what, db);
  const { openPostgresStore } = await import('../store/postgres/open.js');
  return openPostgresStore(url, { poolSize: POOL_SIZE });
}

/** Aborts `controller` on Ctrl-C (and SIGTERM), once, with `note`; returns the function that removes the handlers.
 * A progress bar given is stopped first, so that nothing redraws over the lines printed after it. */
export function onInterrupt(controller: AbortController, note: string, progress?: Progress): () => void {
  const handler = (): void => {
    if (controller.signal.aborted) return;
    if (progress) {
      progress.stop();
      process.stderr.write(`xorlab: ${note}\n`);
    } else {
      process.stderr.write(`\nxorlab: ${note}\n`);
    }
    controller.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

interface CoordinateRunOptions {
  run: PreparedRun;
  store: PostgresStore;
  queue: ChunkQueue;
  settings: RunSettings;
  /** false with --no-work: only queue the chunks and show the progress. */
  work: boolean;
  /** Stops the coordinator (the caller's Ctrl-C). */
  signal: AbortSignal;
  /** The bar, stopped at the end (one per call; the caller's Ctrl-C stops it before it prints). */
  progress: Progress;
  /** Printed once this is the study's only coordinator (a second one is refused before it prints anything). */
  note?: string;
  /** Another coordination of the study follows at once (see coordinate()'s keepBeat). */
  keepBeat?: boolean;
}

/** Coordinates a prepared run: queues it, works on it unless --no-work, and returns once the store holds it or
 * `signal` stopped it. What runDistributed and each round of `refine --goal --distributed` share. */
export function coordinateRun(options: CoordinateRunOptions): Promise<CoordinateOutcome> {
  const { store, queue, settings, work, progress, note } = options;
  return coordinate({
    ...options.run,
    store,
    queue,
    chunkSize: settings.chunkSize,
    workers: work ? settings.workers : 0,
    signal: options.signal,
    progress,
    log: (line) => progress.note(`xorlab: ${line}`),
    workerCommand: redact(`xorlab worker --db ${store.location}`),
    onStart: () => note && process.stderr.write(note),
    keepBeat: options.keepBeat,
  });
}

interface DistributedRunOptions extends Omit<CoordinateRunOptions, 'queue' | 'signal' | 'progress' | 'keepBeat'> {
  /** The progress bar's label, and the summary line's. */
  label: string;
  /** The command that resumes the run, given the trials stored, printed on Ctrl-C. */
  resumeCommand: (stored: number) => string;
}

/**
 * Runs a prepared run as a distributed study: queues it, works on it unless --no-work, one progress bar for the
 * whole study. On Ctrl-C prints how to resume and returns EXIT_INTERRUPTED (130) for the command to return.
 */
export async function runDistributed(options: DistributedRunOptions): Promise<Outcome> {
  const { label, store, settings, work, resumeCommand } = options;
  const queue = await ChunkQueue.open(store);
  const controller = new AbortController();
  const progress = createProgress(`${label} (distributed)`);
  const removeHandlers = onInterrupt(
    controller,
    work ? 'interrupted; the running chunks finish and are stored...' : 'interrupted',
    progress,
  );
  let outcome;
  try {
    outcome = await coordinateRun({ ...options, queue, signal: controller.signal, progress });
  } finally {
    removeHandlers();
    await queue.close();
  }
  if (outcome.interrupted) {
    const hint = redact(resumeCommand(outcome.stored));
    process.stderr.write(
      `xorlab: stopped; ${outcome.stored.toLocaleString('en-US')} of ${outcome.planned.toLocaleString('en-US')} trials are stored ` +
        `(${outcome.cancelled.toLocaleString('en-US')} queued chunks taken off the queue; chunks running elsewhere finish). Resume with:\n  ${hint}\n${passwordNote(hint)}`,
    );
    return EXIT_INTERRUPTED;
  }
  const here = outcome.local
    ? `; ${outcome.local.trained.toLocaleString('en-US')} trained here on ${counted(settings.workers, 'worker')}`
    : '; none trained here (--no-work)';
  process.stdout.write(
    `${label}: ${outcome.stored.toLocaleString('en-US')} trials stored in ${formatDuration(outcome.seconds)} ` +
      `(${formatRate(outcome.stored / outcome.seconds)} trainings/s on all workers${here})\n`,
  );
}
