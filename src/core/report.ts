// One training as a document: the object that `xorlab train --json` prints and the library's train() returns.
// Both build it here, so the two cannot drift apart. Also the rules both apply to their input before training:
// where the starting parameters come from (a seed or given parameters) and what a seed may be.
import { ConfigError, type EngineName, type InitName, type Precision, type TrainingConfig } from './config.js';
import type { Dataset } from './datasets.js';
import { fromParameterFile, toParameterFile, type ParameterFile } from './network.js';
import { MAX_SEED } from './rng.js';
import {
  seededInitialParameters,
  shapeFor,
  type TraceEntry,
  type TrainingMetrics,
  type TrainingResult,
} from './train.js';
import { quote } from '../text/quote.js';

/** Which engine trained, when the fast one was asked for (it falls back to the reference engine and says why). */
export interface EngineUsed {
  /** The engine that actually ran. */
  engine: EngineName;
  /** Its arithmetic ('f64' for the reference engine). */
  precision: Precision;
  /** Why the fast engine did not run this configuration (momentum, Adam, several hidden layers, ...). */
  fallbackReason?: string;
}

/**
 * One training, as `xorlab train --json` prints it: everything needed to repeat it (the full configuration and
 * the seed or the starting parameters), its parameters before and after, the loss every `logEvery` epochs, and
 * its metrics. Plain JSON data: `JSON.stringify` gives the CLI's document.
 */
export interface TrainingReport {
  /** The full configuration, defaults filled in. */
  config: TrainingConfig;
  /** The seed the starting parameters were drawn from; null when they were given (init "file"). */
  seed: number | null;
  /** The starting parameters, in the parameter-file format. */
  initialParameters: ParameterFile;
  /** The parameters after the last epoch (the ones to save, to continue from or to predict with). */
  finalParameters: ParameterFile;
  /** The mean loss at every logged epoch (the reference engine only; empty for the fast engine). */
  trace: TraceEntry[];
  /** totalLoss (the article's metric), finalLoss, predictions, success, epochsToThreshold, diverged. */
  metrics: TrainingMetrics;
  /** Present when the fast engine was asked for: which engine ran and why it fell back. */
  engine?: EngineUsed;
}

/** The report of a finished training. `engine` is given when the fast engine was asked for. */
export function trainingReport(
  config: TrainingConfig,
  dataset: Dataset,
  seed: number | null,
  result: TrainingResult,
  engine?: EngineUsed,
): TrainingReport {
  const shape = shapeFor(config, dataset);
  return {
    config,
    seed,
    initialParameters: toParameterFile(shape, result.initialParameters),
    finalParameters: toParameterFile(shape, result.finalParameters),
    trace: result.trace,
    metrics: result.metrics,
    ...(engine ? { engine } : {}),
  };
}

/**
 * `input` with the initialisation that given starting parameters imply (the library's rule; the CLI's flags say
 * the same): given parameters mean init "file", another init is a conflict, and init "file" needs them.
 */
function withInitFrom<T extends { init?: InitName }>(input: T, hasParameters: boolean): T {
  if (hasParameters) {
    if (input.init !== undefined && input.init !== 'file') {
      throw new ConfigError(
        `options.initialParameters cannot be combined with config.init ${quote(input.init)}; drop one of them`,
      );
    }
    return { ...input, init: 'file' };
  }
  if (input.init === 'file') throw new ConfigError('config.init "file" needs options.initialParameters');
  return input;
}

/** Checks `logEvery` (ConfigError unless an integer >= 1); 500 when not given, like `xorlab train`. */
export function checkLogEvery(logEvery: unknown = 500): number {
  if (typeof logEvery !== 'number' || !Number.isInteger(logEvery) || logEvery < 1) {
    throw new ConfigError(`logEvery must be an integer >= 1, got ${quote(logEvery)}`);
  }
  return logEvery;
}

/** Checks a seed given by a caller (ConfigError naming `name` when it is not an integer in 0..MAX_SEED). */
function checkSeed(seed: unknown, name = 'seed'): number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new ConfigError(`${name} must be an integer between 0 and ${MAX_SEED}, got ${quote(seed)}`);
  }
  return seed;
}

/** Where a library training starts: a seed (default: random) or given parameters. */
interface TrainingStart {
  seed?: number;
  initialParameters?: ParameterFile;
}

/**
 * The starting parameters of a training and the seed to report: the given parameters (checked against the
 * network's shape, ParameterFileError; the seed is then null and any `seed` ignored, as `xorlab train
 * --init-weights` does), else drawn from `seed` (checked, ConfigError), or from a random seed.
 */
export function startingParameters(
  config: TrainingConfig,
  dataset: Dataset,
  start: TrainingStart,
): { initial: Float64Array; seed: number | null } {
  if (start.initialParameters !== undefined)
    return { initial: fromParameterFile(shapeFor(config, dataset), start.initialParameters), seed: null };
  const seed = start.seed === undefined ? randomSeed() : checkSeed(start.seed);
  return { initial: seededInitialParameters(config, dataset, seed), seed };
}

/**
 * The configuration input of a library training: a Dataset given as an option names the dataset when the
 * configuration does not, and given starting parameters imply init "file" (withInitFrom).
 */
export function trainingInput<T extends { init?: InitName; dataset?: string }>(
  config: T,
  options: { dataset?: Dataset } & TrainingStart,
): T {
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw new ConfigError('config must be an object of training parameters, e.g. { hiddenStd: 0.7071 }');
  const named =
    options.dataset !== undefined && config.dataset === undefined
      ? { ...config, dataset: options.dataset.name }
      : config;
  return withInitFrom(named, options.initialParameters !== undefined);
}

/**
 * A seed for a training that the caller did not seed, in 0 .. 2^47 - 1 like `xorlab train`'s, from the platform's
 * cryptographic generator (crypto.getRandomValues, in browsers and Node alike); the report gives it back.
 */
function randomSeed(): number {
  const words = new Uint32Array(2);
  (globalThis as unknown as { crypto: { getRandomValues(array: Uint32Array): Uint32Array } }).crypto.getRandomValues(
    words,
  );
  return (words[0] & 0x7fff) * 0x1_0000_0000 + words[1];
}
