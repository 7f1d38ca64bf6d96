// `xorlab/core`: the part of xorlab that runs anywhere JavaScript runs, browsers included: one training with the
// readable reference engine, predictions from saved parameters, the built-in datasets and the parsers of user
// truth tables, and the table of training parameters with their defaults. No Node API, no file access, no zod:
// `test/package/browser-bundle.test.ts` bundles it for the browser and checks. `xorlab` (src/index.ts) re-exports
// all of it and adds what needs Node: the fast engine, files, stores, studies and charts.
import { withDefaults, type TrainingConfigInput } from './config/parameters.js';
import { builtinDataset, DatasetError, isBuiltinDataset, type Dataset } from './core/datasets.js';
import type { ParameterFile } from './core/network.js';
import { checkHidden, predictRows } from './core/predict.js';
import {
  checkLogEvery,
  startingParameters,
  trainingInput,
  trainingReport,
  type TrainingReport,
} from './core/report.js';
import { train as trainNetwork } from './core/train.js';
import { quote } from './text/quote.js';

export { DEFAULT_CONFIG, PARAMETERS, PARAMETER_NAMES, withDefaults } from './config/parameters.js';
export type {
  ChoiceParameter,
  LayersParameter,
  NumberParameter,
  ParameterName,
  ParameterSpec,
  StringParameter,
  SweepKind,
  TrainingConfigInput,
} from './config/parameters.js';
export { ConfigError } from './core/config.js';
export type { EngineName, InitName, Precision, TrainingConfig, UpdateOrder } from './core/config.js';
export type { ActivationName } from './core/activations.js';
export type { LossName } from './core/losses.js';
export type { OptimizerName } from './core/optimizers.js';
export type { ScheduleName } from './core/schedules.js';
export {
  builtinDataset,
  DatasetError,
  isBuiltinDataset,
  makeDataset,
  parseCsvDataset,
  parseJsonDataset,
} from './core/datasets.js';
export type { Dataset } from './core/datasets.js';
export { ParameterFileError } from './core/network.js';
export type { ParameterFile } from './core/network.js';
export type { EngineUsed, TrainingReport } from './core/report.js';
export type { TraceEntry, TrainingMetrics } from './core/train.js';
export { XorlabError } from './text/errors.js';

/** Options of `train` in `xorlab/core`. */
export interface TrainOptions {
  /**
   * Seed of the starting parameters, an integer from 0 to 2^53 - 1: the same seed and configuration give the same
   * training bit for bit. Default: a random seed, given back in the report's `seed`.
   */
  seed?: number;
  /**
   * Start from these parameters (the format of `finalParameters`, `--save-weights`) instead of drawing them: the
   * configuration's init becomes "file" and the report's seed null.
   */
  initialParameters?: ParameterFile;
  /** Record the mean loss every this many epochs in `trace` (default 500, like `xorlab train`). */
  logEvery?: number;
  /**
   * Train on this dataset (from makeDataset, parseCsvDataset, parseJsonDataset) instead of the one `config.dataset`
   * names; `config.dataset` defaults to its name.
   */
  dataset?: Dataset;
}

/**
 * Trains one network with the readable reference engine and returns the document `xorlab train --json` prints:
 * the full configuration, the seed, the parameters before and after, the loss trace and the metrics.
 *
 * `config` is any subset of the training parameters (see PARAMETERS); the defaults are the article's: XOR, a 2-2-1
 * sigmoid network, binary cross-entropy, gradient descent at learning rate 0.1 for 10,000 epochs, every parameter
 * from N(0, 1). Here the values are trusted (no validation library is loaded in a browser); `validateConfig` from
 * `xorlab` checks input from people. `config.dataset` must be a built-in dataset unless `options.dataset` gives
 * the table. Throws ConfigError, DatasetError or ParameterFileError (one line each) for what it cannot use.
 *
 * @example
 * const run = train({ hiddenStd: 0.7071, outputStd: 0.8165 }, { seed: 1 });
 * run.metrics.success; // true: every prediction on the right side of 0.5
 */
export function train(config: TrainingConfigInput = {}, options: TrainOptions = {}): TrainingReport {
  const full = withDefaults(trainingInput(config, options));
  const dataset = options.dataset ?? builtinOnly(full.dataset);
  const logEvery = checkLogEvery(options.logEvery);
  const { initial, seed } = startingParameters(full, dataset, options);
  return trainingReport(full, dataset, seed, trainNetwork(full, dataset, initial, { traceEvery: logEvery }));
}

/** A built-in dataset; files are read by `xorlab` (Node) or parsed by the caller in a browser. */
function builtinOnly(name: string): Dataset {
  if (isBuiltinDataset(name)) return builtinDataset(name);
  throw new DatasetError(
    `dataset ${quote(name)} is not built in, and xorlab/core reads no files: pass the table as options.dataset (parseCsvDataset, parseJsonDataset, makeDataset)`,
  );
}

/**
 * The outputs of a trained network for each row of `inputs` (samples x outputs): the parameters in the format of
 * `finalParameters` and `--save-weights`, whose shape decides the network's. `config` gives the activations
 * (default sigmoid, as in training); pass the training's configuration, e.g. `predict(run.finalParameters, rows,
 * run.config)`. Throws ParameterFileError for parameters that are no network or take another number of inputs,
 * DatasetError for rows that are not numbers.
 *
 * @example
 * predict(run.finalParameters, [[0, 0], [0, 1], [1, 0], [1, 1]]); // [[0.01], [0.99], [0.99], [0.01]]
 */
export function predict(
  parameters: ParameterFile,
  inputs: readonly (readonly number[])[],
  config: TrainingConfigInput = {},
): number[][] {
  checkHidden(parameters, config.hidden);
  return predictRows(withDefaults(config), parameters, inputs);
}
