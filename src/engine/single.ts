// One training with the engine asked for, and its report: what `xorlab train` and the library's train() run. The
// reference engine gives the loss trace and parameter snapshots; the fast engine (through trainManyFrom) gives the
// metrics, predictions and final parameters only, so its trace and snapshots stay empty.
import type { Dataset, TrainingConfig, TrainingResult } from '../core/index.js';
import { trainingReport, type TrainingReport } from '../core/report.js';
import { train } from '../core/train.js';
import { trainManyFrom } from './index.js';
import type { EngineChoice, EngineRun } from './types.js';

function trainOne(
  config: TrainingConfig,
  dataset: Dataset,
  initial: Float64Array,
  choice: EngineChoice,
): { result: TrainingResult; run: EngineRun } {
  const run = trainManyFrom(config, dataset, initial, 1, { ...choice, predictions: true, parameters: true });
  const { precision: _trialPrecision, ...m } = run.metrics[0];
  const outputs = dataset.outputCount;
  const predictions = m.diverged
    ? null
    : Array.from({ length: dataset.size }, (_, s) =>
        Array.from(run.predictions!.subarray(s * outputs, (s + 1) * outputs)),
      );
  return {
    run,
    result: {
      metrics: { ...m, predictions },
      initialParameters: Float64Array.from(initial),
      finalParameters: run.finalParameters!,
      trace: [],
      snapshots: [],
    },
  };
}

interface TrainingRunOptions extends EngineChoice {
  /** Record the loss every this many epochs (reference engine). */
  logEvery: number;
  /** Record every parameter every this many epochs (reference engine; 0 = never). */
  snapshotEvery?: number;
}

interface TrainingRun {
  result: TrainingResult;
  /** The `xorlab train --json` document; it has an `engine` field when the fast engine was asked for. */
  report: TrainingReport;
}

/** Trains from `initial` (drawn from `seed`, or given: seed null) with the engine asked for. */
export function runTraining(
  config: TrainingConfig,
  dataset: Dataset,
  initial: Float64Array,
  seed: number | null,
  options: TrainingRunOptions,
): TrainingRun {
  if (options.engine === 'fast') {
    const { result, run } = trainOne(config, dataset, initial, options);
    // The precision that produced the numbers: f64 where the f32 kernel could not carry this network.
    const engine = {
      engine: run.engine,
      precision: run.metrics[0].precision,
      ...(run.fallbackReason ? { fallbackReason: run.fallbackReason } : {}),
    };
    return { result, report: trainingReport(config, dataset, seed, result, engine) };
  }
  const result = train(config, dataset, initial, {
    traceEvery: options.logEvery,
    snapshotEvery: options.snapshotEvery ?? 0,
  });
  return { result, report: trainingReport(config, dataset, seed, result) };
}
