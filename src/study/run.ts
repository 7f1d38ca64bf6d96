// Runs a plan of trials on the worker pool and stores every result. The main thread is the only writer: each
// chunk that arrives is inserted at once in one transaction (hundreds to thousands of rows; in WAL mode with
// synchronous=NORMAL a commit costs no fsync), so a SIGKILL loses at most the chunks still in the workers and
// never leaves a half-written trial (SQLite's transactions are atomic).
import { availableParallelism } from 'node:os';
import { shapeFor, type Dataset, type TrainingConfig } from '../core/index.js';
import { fastEngineSupport, type EngineName, type Precision } from '../engine/index.js';
import type { Store, TrialRow } from '../store/types.js';
import type { Study } from './definition.js';
import type { ParamValue } from './params.js';
import { chooseChunkSize, chunksOf, planSize, trialSeconds, type TrialPlan } from './plan.js';
import { runPool } from './pool.js';
import { silentProgress, type Progress } from './progress.js';
import { FLAG_DIVERGED, FLAG_F32, FLAG_FAST, FLAG_SUCCESS, type ChunkResult, type ChunkTask } from './protocol.js';

/** How often the progress display is refreshed. */
const PROGRESS_MS = 250;

export function defaultWorkers(): number {
  return availableParallelism();
}

export interface RunOptions {
  study: Study;
  plan: TrialPlan;
  /** null: train without storing (the engine-only benchmark). */
  store: Pick<Store, 'insertTrials'> | null;
  datasets: Record<string, Dataset>;
  workers?: number;
  engine?: EngineName;
  precision?: Precision;
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

/** Turns each chunk's results into store rows and writes them at once, in one transaction. */
class StoreWriter {
  stored = 0;
  private readonly params = new Map<number, Record<string, ParamValue>>();

  constructor(
    private readonly store: Pick<Store, 'insertTrials'>,
    private readonly study: Study,
  ) {}

  async write(task: ChunkTask, result: ChunkResult): Promise<void> {
    const name = this.study.definition.name;
    const rows: TrialRow[] = [];
    for (let k = 0; k < task.points.length; k++) {
      const point = task.points[k];
      let params = this.params.get(point);
      if (!params) {
        params = this.study.pointParams(point);
        this.params.set(point, params);
      }
      const flags = result.flags[k];
      const total = result.totalLoss[k];
      const final = result.finalLoss[k];
      const epochs = result.epochsToThreshold[k];
      rows.push({
        study: name,
        point,
        repeat: task.repeats[k],
        params,
        seed: task.seeds[k],
        totalLoss: Number.isNaN(total) ? null : total,
        finalLoss: Number.isNaN(final) ? null : final,
        success: (flags & FLAG_SUCCESS) !== 0,
        epochsToThreshold: epochs < 0 ? null : epochs,
        diverged: (flags & FLAG_DIVERGED) !== 0,
        engine: flags & FLAG_FAST ? 'fast' : 'reference',
        precision: flags & FLAG_F32 ? 'f32' : 'f64',
      });
    }
    this.stored += await this.store.insertTrials(rows);
  }
}

export async function runPlan(options: RunOptions): Promise<RunOutcome> {
  const { study, plan } = options;
  const planned = planSize(plan);
  const progress = options.progress ?? silentProgress;
  const started = performance.now();
  const outcome: RunOutcome = { planned, completed: 0, stored: 0, interrupted: false, seconds: 0 };
  if (planned === 0) return outcome;

  const engine = options.engine ?? 'fast';
  const requested = Math.max(1, options.workers ?? defaultWorkers());
  const size = options.chunkSize ?? chooseChunkSize(planned, requested, secondsPerTrial(study, plan, options.datasets, engine));
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
      init: {
        datasets: options.datasets,
        engine,
        precision: options.precision ?? 'f32',
      },
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

/** Points of the plan whose cost is estimated (evenly spread); a sweep over millions of points needs no more. */
const COST_SAMPLE_POINTS = 256;

/**
 * The estimated seconds of the plan's most expensive training, with the engine that will actually train it:
 * the reference engine when asked for, or where the fast engine does not cover the configuration (optimizers
 * other than gd, several hidden layers, ...).
 */
function secondsPerTrial(study: Study, plan: TrialPlan, datasets: Record<string, Dataset>, engine: EngineName): number {
  const points: number[] = [];
  for (let i = 0; i < plan.points.length; i++) if (i === 0 || plan.points[i] !== plan.points[i - 1]) points.push(plan.points[i]);
  const step = Math.max(1, Math.floor(points.length / COST_SAMPLE_POINTS));
  let worst = 0;
  for (let i = 0; i < points.length; i += step) {
    const config = study.pointConfig(points[i]);
    const dataset = datasets[config.dataset];
    if (!dataset) continue; // the workers report a missing dataset
    const runs = engine === 'fast' && fastEngineSupport(config, dataset).ok ? 'fast' : 'reference';
    worst = Math.max(worst, trialSeconds(runs, config.epochs, shapeFor(config, dataset).parameterCount, dataset.size));
  }
  return worst;
}
