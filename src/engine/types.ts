// The shapes shared by both engines of trainMany.
import type { EngineName, Precision } from '../config/parameters.js';
import type { EngineChoice } from '../config/run-options.js';

export type { EngineChoice, EngineName, Precision };

export interface TrialMetrics {
  /** The precision that produced this trial's numbers: a trial the f32 kernel could not carry (a non-finite value)
   * is trained again in f64 (train-many.ts), so a run asked for in f32 may hold f64 trials. */
  precision: Precision;
  totalLoss: number | null;
  finalLoss: number | null;
  success: boolean;
  epochsToThreshold: number | null;
  diverged: boolean;
}

export interface EngineOptions extends EngineChoice {
  /** Return the final predictions (count x samples x outputs; NaN for a diverged network in the fast engine). */
  predictions?: boolean;
  /**
   * Return the final parameters (count x P, core layout). For a diverged network the reference engine stops at
   * the first non-finite loss while the fast engine runs on to the last epoch, so those parameters differ.
   */
  parameters?: boolean;
}

export interface EngineRun {
  /** The engine that actually ran. */
  engine: EngineName;
  /** The precision asked for ('f64' for the reference engine); each trial's own is in its metrics. */
  precision: Precision;
  /** Set when 'fast' was asked but the configuration is not covered. */
  fallbackReason?: string;
  /** One per network, in order. */
  metrics: TrialMetrics[];
  /** How many trials the f32 kernel met a non-finite value in, trained again in f64 (0 otherwise). */
  retriedInF64: number;
  predictions?: Float64Array;
  finalParameters?: Float64Array;
}
