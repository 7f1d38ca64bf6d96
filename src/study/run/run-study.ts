// Running a study from code (the library's runStudy): validate the definition, load its datasets, register it in
// the store (a stored study of the same name must be the same study, trained with the same engine), plan the
// trials it still misses and run them on the worker pool, storing each chunk as it arrives. What `xorlab sweep`
// does, with callbacks instead of a progress bar and an AbortSignal instead of Ctrl-C; nothing here prints or
// exits. Also what runStudy and refineStudy share: the run options, their checks, and running a prepared run.
import type { EngineName, Precision } from '../../config/parameters.js';
import { runOptionProblem, type EngineChoice, type RunOptionName } from '../../config/run-options.js';
import type { Store } from '../../store/types.js';
import { resolveStudy } from '../definition/definition.js';
import { StudyError, type StudyDefinition, type StudyDefinitionInput } from '../definition/types.js';
import { loadStudy, prepareRun, type PreparedRun } from './prepare.js';
import type { Progress } from './progress.js';
import { runPlan } from './run-plan.js';

/** Where a run stands: called a few times a second while trials finish, and once at the end. */
export interface StudyProgress {
  /** Trials finished so far in this run. */
  done: number;
  /** Trials this run has to do. */
  total: number;
  /** Seconds since the run started. */
  seconds: number;
}

/** How the trials of runStudy and refineStudy are run. Its engine and precision are the engine asked for, handed
 * to prepareRun as they are. */
export interface StudyRunOptions extends Partial<EngineChoice> {
  /** Where the trials are stored: a store from openStore(). It stays open (the caller closes it). */
  store: Store;
  /** Worker threads (default: the number of cores). */
  workers?: number;
  /** 'fast' (default; WebAssembly SIMD) or 'reference'. A stored study goes on with the engine of its trials. */
  engine?: EngineName;
  /** The fast engine's arithmetic, 'f32' (default) or 'f64'. A stored study goes on with its trials' precision. */
  precision?: Precision;
  /** Trials per task sent to a worker (default: about half a second of work). */
  chunkSize?: number;
  /** Called a few times a second while trials finish, and once at the end. */
  onProgress?: (progress: StudyProgress) => void;
  /** Aborting stops the run: trials already finished are stored, running chunks get a few seconds to finish. */
  signal?: AbortSignal;
}

/** What a run did. */
export interface RunSummary {
  /** Trials this run set out to do. */
  planned: number;
  /** Trials whose results came back. */
  completed: number;
  /** Rows added to the store (completed, minus any another writer stored first). */
  stored: number;
  /** The signal stopped the run before every planned trial finished (those that did are stored). */
  interrupted: boolean;
  seconds: number;
  /** The engine asked for (the stored study's when the options left it open). */
  engine: EngineName;
  precision: Precision;
  /** Why the fast engine did not train some configurations (they went to the reference engine). */
  fallbackReasons: string[];
}

/** What runStudy ran and stored. */
export interface StudyRun extends RunSummary {
  /** The study's name. */
  study: string;
  /** The canonical definition, as stored: defaults filled in, grids in their canonical form. */
  definition: StudyDefinition;
  /** Grid points. */
  points: number;
  /** Trials the definition asks for: points x repeats. */
  trials: number;
  /** Of those, trials that were already stored before this run (a resumed study). */
  alreadyStored: number;
}

/** Checks the run options (StudyError naming the option); undefined ones stand for their defaults. */
export function checkRunOptions(options: StudyRunOptions): void {
  const store = (options as Partial<StudyRunOptions> | undefined)?.store;
  if (typeof store !== 'object' || store === null || typeof store.insertTrials !== 'function') {
    throw new StudyError(
      "options.store must be a store from openStore(), e.g. { store: await openStore('xorlab.db') }",
    );
  }
  // Each option is checked against its row of the run-options table (undefined: its default stands in).
  for (const name of ['workers', 'chunkSize', 'engine', 'precision'] as const satisfies readonly RunOptionName[]) {
    const problem = runOptionProblem(name, options[name]);
    if (problem) throw new StudyError(problem);
  }
}

/** A Progress (what runPlan reports to) that calls `onProgress`. */
function progressTo(onProgress: ((progress: StudyProgress) => void) | undefined): Progress | undefined {
  if (!onProgress) return undefined;
  let total = 0;
  let started = 0;
  return {
    start(planned) {
      total = planned;
      started = performance.now();
      onProgress({ done: 0, total, seconds: 0 });
    },
    update(done) {
      onProgress({ done, total, seconds: (performance.now() - started) / 1000 });
    },
    stop() {},
    note() {},
  };
}

/** Runs a prepared run into the options' store (the options checked by checkRunOptions). */
export async function runStudyPlan(prepared: PreparedRun, options: StudyRunOptions): Promise<RunSummary> {
  const fallbackReasons: string[] = [];
  const outcome = await runPlan({
    ...prepared,
    store: options.store,
    workers: options.workers,
    chunkSize: options.chunkSize,
    signal: options.signal,
    progress: progressTo(options.onProgress),
    onFallback: (reason) => fallbackReasons.push(reason),
  });
  const { planned, completed, stored, interrupted, seconds } = outcome;
  const { engine, precision } = prepared.engine;
  return { planned, completed, stored, interrupted, seconds, engine, precision, fallbackReasons };
}

/**
 * Runs every trial of the study that the store does not hold yet: a new study from the start, a stored one from
 * where it stopped (the same definition again resumes it). Throws StudyError for a bad definition, a name that
 * holds another study, or trials of another engine, or a dataset file whose truth table changed since the study
 * was stored (its digest is kept in the stored definition); DatasetError for a dataset file that cannot be read;
 * StoreError for a database problem. Nothing is written before the definition and datasets are checked.
 */
export async function runStudy(definition: StudyDefinitionInput, options: StudyRunOptions): Promise<StudyRun> {
  checkRunOptions(options);
  // As `xorlab sweep`: a dataset file edited since the study was stored is refused, and the study pins its files'
  // truth tables (the definition's digests are recomputed from the files, so a plain definition resumes too).
  const prepared = await prepareRun(loadStudy(resolveStudy(definition)), {
    store: options.store,
    engine: options,
    hint: 'use another name, or pass the stored definition (store.getStudy(name).definition) to resume it',
    plan: 'missing',
  });
  const { study, plan } = prepared;
  const { name, repeats } = study.definition;
  const trials = study.pointCount * repeats;
  const run = await runStudyPlan(prepared, options);
  return {
    study: name,
    definition: study.definition,
    points: study.pointCount,
    trials,
    alreadyStored: trials - plan.size,
    ...run,
  };
}
