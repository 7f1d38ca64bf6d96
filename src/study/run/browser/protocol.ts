// Messages between the sweep's main thread and its workers. Results travel as compact typed arrays
// (transferred, not copied) so that messaging stays cheap next to the trainings.
import type { Dataset, TrainingConfig } from '../../../core/index.js';
import type { EngineChoice } from '../../../engine/types.js';
import type { TrialRow } from '../../../store/types.js';
import type { ParamValue } from '../../definition/params.js';

export interface WorkerInit {
  /** Every dataset the study uses, by its name in the configuration (loaded once by the main thread). */
  datasets: Record<string, Dataset>;
  /** Handed to the engine as it is. */
  engine: EngineChoice;
}

/**
 * A chunk of trials, ordered by point so that each point's trials go to the engine in one call. The main thread
 * sends each point's validated configuration with it, so that a worker needs neither the study definition nor the
 * schema library (loading zod took a third of a worker's start).
 */
export interface ChunkTask {
  id: number;
  points: Int32Array;
  repeats: Int32Array;
  seeds: Float64Array;
  /** The configuration of every point in `points`. */
  configs: Record<number, TrainingConfig>;
  /** Engine, precision and datasets for this chunk instead of the pool's: a distributed worker's chunks come from
   * any study in the queue. */
  run?: WorkerInit;
}

/** Bits of ChunkResult.flags. */
export const FLAG_SUCCESS = 1;
export const FLAG_DIVERGED = 2;
export const FLAG_FAST = 4;
export const FLAG_F32 = 8;

export interface ChunkResult {
  id: number;
  /** NaN where the metric is null (diverged). */
  totalLoss: Float64Array;
  finalLoss: Float64Array;
  /** -1 where the threshold was never reached. */
  epochsToThreshold: Int32Array;
  flags: Uint8Array;
  /** Distinct reasons the fast engine was not used, if any. */
  fallbackReasons: string[];
}

interface ChunkFailure {
  id: number;
  error: string;
}

export type WorkerReply = ChunkResult | ChunkFailure;

/** A chunk's results as store rows: one decoding for the CLI's store, a distributed worker's and the page's in-memory
 * study. `params` gives a point's swept values (cached by the caller). */
export function chunkRows(
  study: string,
  task: ChunkTask,
  result: ChunkResult,
  params: (point: number) => Record<string, ParamValue>,
): TrialRow[] {
  const rows: TrialRow[] = [];
  for (let k = 0; k < task.points.length; k++) {
    const point = task.points[k];
    const flags = result.flags[k];
    const total = result.totalLoss[k];
    const final = result.finalLoss[k];
    const epochs = result.epochsToThreshold[k];
    rows.push({
      study,
      point,
      repeat: task.repeats[k],
      params: params(point),
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
  return rows;
}
