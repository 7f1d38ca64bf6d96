// One training through trainManyFrom, returned in the reference engine's TrainingResult shape (for `xorlab
// train --engine`). The fast engine keeps no per-epoch trace or snapshots: those stay empty.
import type { Dataset, TrainingConfig, TrainingResult } from '../core/index.js';
import { trainManyFrom } from './index.js';
import type { EngineName, EngineRun, Precision } from './types.js';

export function trainOne(config: TrainingConfig, dataset: Dataset, initial: Float64Array, engine: EngineName, precision: Precision): { result: TrainingResult; run: EngineRun } {
  const run = trainManyFrom(config, dataset, initial, 1, { engine, precision, predictions: true, parameters: true });
  const m = run.metrics[0];
  const outputs = dataset.outputCount;
  const predictions = m.diverged
    ? null
    : Array.from({ length: dataset.size }, (_, s) => Array.from(run.predictions!.subarray(s * outputs, (s + 1) * outputs)));
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
