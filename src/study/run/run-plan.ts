// Runs a plan of trials on the worker pool and stores every result. The main thread is the only writer: each
// chunk that arrives is inserted at once in one transaction (hundreds to thousands of rows; in WAL mode with
// synchronous=NORMAL a commit costs no fsync), so a SIGKILL loses at most the chunks still in the workers and
// never leaves a half-written trial (SQLite's transactions are atomic).
import { availableParallelism } from 'node:os';
import type { TrainingConfig } from '../../core/index.js';
import type { Store } from '../../store/types.js';
import type { Study } from '../definition/types.js';
import type { ParamValue } from '../definition/params.js';
import { chooseChunkSize, chunksOf, secondsPerTrial } from './browser/plan.js';
import { runPool } from './pool.js';
import { silentProgress, type Progress } from './progress.js';
import { chunkRows, type ChunkResult, type ChunkTask } from './browser/protocol.js';
import type { PreparedRun } from './prepare.js';

/** How often the progress display is refreshed. */
const PROGRESS_MS = 250;

/** Worker threads where none are asked for: one per core. */
export function defaultWorkers(): number {
  return availableParallelism();
}

/** A prepared run (./prepare.ts: the study, its datasets, the engine, the plan) and how to run it. */
interface RunOptions extends PreparedRun {
  /** null: train without storing (the engine-only benchmark). */
  store: Pick<Store, 'insertTrials'> | null;
  /** Default: one per core. */
  workers?: number;
  chunkSize?: number;
  signal?: AbortSignal;
  progress?: Progress;
  /** Called once per distinct reason the fast engine was not used. */
  onFallback?: (reason: string) => void;
}

export interface RunOutcome {
  planned: number;
  /** Trials whose results reached the main thread. */
  completed: number;
  /** Rows the store inserted (completed minus any that were already there). */
  stored: number;
  interrupted: boolean;
  seconds: number;
}

/** study.pointParams, remembered per point. */
export function pointParamsCache(study: Study): (point: number) => Record<string, ParamValue> {
  const cache = new Map<number, Record<string, ParamValue>>();
  return (point) => {
    let params = cache.get(point);
    if (!params) cache.set(point, (params = study.pointParams(point)));
    return params;
  };
}

/** Turns each chunk's results into store rows and writes them at once, in one transaction. */
class StoreWriter {
  stored = 0;
  private readonly params: (point: number) => Record<string, ParamValue>;

  constructor(
    private readonly store: Pick<Store, 'insertTrials'>,
    private readonly study: Study,
  ) {
    this.params = pointParamsCache(study);
  }

  async write(task: ChunkTask, result: ChunkResult): Promise<void> {
    this.stored += await this.store.insertTrials(chunkRows(this.study.definition.name, task, result, this.params));
  }
}

export async function runPlan(options: RunOptions): Promise<RunOutcome> {
  const { study, plan, datasets, engine } = options;
  const planned = plan.size;
  const progress = options.progress ?? silentProgress;
  const started = performance.now();
  const outcome: RunOutcome = { planned, completed: 0, stored: 0, interrupted: false, seconds: 0 };
  if (planned === 0) return outcome;

  const requested = Math.max(1, options.workers ?? defaultWorkers());
  const size =
    options.chunkSize ?? chooseChunkSize(planned, requested, secondsPerTrial(study, plan, datasets, engine.engine));
  // No more workers than chunks: an idle worker would only cost its start-up.
  const workers = Math.min(requested, Math.ceil(planned / size));
  const writer = options.store ? new StoreWriter(options.store, study) : null;
  const reasons = new Set<string>();
  progress.start(planned);
  // The display counts what is stored (what a resume will not run again), not what the workers handed over.
  const shown = (): number => (writer ? writer.stored : outcome.completed);
  const ticker = setInterval(() => progress.update(shown()), PROGRESS_MS);
  try {
    const result = await runPool({
      workers,
      init: { datasets, engine },
      chunks: chunksOf(plan, size, study.definition.seed, pointConfigs(study)),
      signal: options.signal,
      onResult: async (task, chunk) => {
        for (const reason of chunk.fallbackReasons) {
          if (reasons.has(reason)) continue;
          reasons.add(reason);
          options.onFallback?.(reason);
        }
        await writer?.write(task, chunk);
        outcome.completed += task.points.length;
      },
    });
    outcome.interrupted = result === 'interrupted';
  } finally {
    clearInterval(ticker);
    // Whatever arrived is already stored (one transaction per chunk), also when a worker failed.
    progress.update(shown());
    progress.stop();
    outcome.stored = writer ? writer.stored : 0;
    outcome.seconds = (performance.now() - started) / 1000;
  }
  return outcome;
}

/** study.pointConfig remembering the last point: a plan is ordered by point, so chunks share at most their edges. */
function pointConfigs(study: Study): (point: number) => TrainingConfig {
  let last = -1;
  let config: TrainingConfig | undefined;
  return (point) => {
    if (point !== last || !config) {
      config = study.pointConfig(point);
      last = point;
    }
    return config;
  };
}
