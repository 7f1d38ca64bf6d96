// Messages between the sweep's main thread and its workers. Results travel as compact typed arrays
// (transferred, not copied) so that messaging stays cheap next to the trainings.
import type { Dataset, TrainingConfig } from '../core/index.js';
import type { EngineName, Precision } from '../engine/types.js';

export interface WorkerInit {
  /** Every dataset the study uses, by its name in the configuration (loaded once by the main thread). */
  datasets: Record<string, Dataset>;
  engine: EngineName;
  precision: Precision;
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

export interface ChunkFailure {
  id: number;
  error: string;
}

export type WorkerReply = ChunkResult | ChunkFailure;
