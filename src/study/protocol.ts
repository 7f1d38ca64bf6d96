// Messages between the sweep's main thread and its workers. Results travel as compact typed arrays
// (transferred, not copied) so that messaging stays cheap next to the trainings.
import type { Dataset } from '../core/index.js';
import type { EngineName, Precision } from '../kernel/index.js';
import type { StudyDefinition } from './definition.js';

export interface WorkerInit {
  definition: StudyDefinition;
  /** Every dataset the study uses, by its name in the configuration (loaded once by the main thread). */
  datasets: Record<string, Dataset>;
  engine: EngineName;
  precision: Precision;
}

/** A chunk of trials, ordered by point so that each point's trials go to the engine in one call. */
export interface ChunkTask {
  id: number;
  points: Int32Array;
  repeats: Int32Array;
  seeds: Float64Array;
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
