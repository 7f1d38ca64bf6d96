// trainMany through the reference engine (src/core/train.ts), one network after another.
import type { Dataset, TrainingConfig } from '../core/index.js';
import { shapeFor, train } from '../core/train.js';
import type { EngineOptions, EngineRun, TrialMetrics } from './types.js';

export function trainManyReference(
  config: TrainingConfig,
  dataset: Dataset,
  initial: Float64Array,
  count: number,
  options: EngineOptions,
): EngineRun {
  const P = shapeFor(config, dataset).parameterCount;
  const outputs = dataset.size * dataset.outputCount;
  const metrics: TrialMetrics[] = [];
  const predictions = options.predictions ? new Float64Array(count * outputs) : undefined;
  const finalParameters = options.parameters ? new Float64Array(count * P) : undefined;
  for (let n = 0; n < count; n++) {
    const result = train(config, dataset, initial.subarray(n * P, (n + 1) * P));
    const m = result.metrics;
    metrics.push({
      precision: 'f64',
      totalLoss: m.totalLoss,
      finalLoss: m.finalLoss,
      success: m.success,
      epochsToThreshold: m.epochsToThreshold,
      diverged: m.diverged,
    });
    if (predictions) {
      if (m.predictions) predictions.set(m.predictions.flat(), n * outputs);
      else predictions.fill(NaN, n * outputs, (n + 1) * outputs);
    }
    finalParameters?.set(result.finalParameters, n * P);
  }
  const run: EngineRun = { engine: 'reference', precision: 'f64', metrics, retriedInF64: 0 };
  if (predictions) run.predictions = predictions;
  if (finalParameters) run.finalParameters = finalParameters;
  return run;
}
