// The training engines behind one entry point: the readable reference engine (src/core) and the fast engine,
// which trains many networks in lockstep in WebAssembly SIMD (one network per SIMD lane). Free of Node's APIs:
// a browser's workers import this file (after setKernelSource); Node's code imports engine/index.ts, which also
// tells the kernel where its .wasm file is.
// core's modules directly, not core/index.js: that also loads the configuration schema (zod), which a worker
// does not need and which took a third of its start.
import type { Dataset, TrainingConfig } from '../core/index.js';
import { seededInitialParameters, shapeFor } from '../core/train.js';
import { trainManyLockstep } from './lockstep.js';
import { trainManyReference } from './reference.js';
import { fastEngineSupport } from './support.js';
import type { EngineOptions, EngineRun } from './types.js';

/** Trains one network per seed (initial parameters from core's seededInitialParameters). Synchronous; usable in worker threads. */
export function trainMany(
  config: TrainingConfig,
  dataset: Dataset,
  seeds: ArrayLike<number>,
  options: EngineOptions,
): EngineRun {
  const P = shapeFor(config, dataset).parameterCount;
  const initial = new Float64Array(seeds.length * P);
  for (let n = 0; n < seeds.length; n++) initial.set(seededInitialParameters(config, dataset, seeds[n]), n * P);
  return trainManyFrom(config, dataset, initial, seeds.length, options);
}

/** Same from explicit initial parameters (count x P, core layout). */
export function trainManyFrom(
  config: TrainingConfig,
  dataset: Dataset,
  initial: Float64Array,
  count: number,
  options: EngineOptions,
): EngineRun {
  const P = shapeFor(config, dataset).parameterCount;
  if (initial.length !== count * P)
    throw new RangeError(`expected ${count} x ${P} initial parameters, got ${initial.length}`);
  if (options.engine === 'reference') return trainManyReference(config, dataset, initial, count, options);
  const support = fastEngineSupport(config, dataset);
  if (!support.ok)
    return { ...trainManyReference(config, dataset, initial, count, options), fallbackReason: support.reason };
  const run = trainManyLockstep(config, dataset, initial, count, options);
  return options.precision === 'f32' ? retryInF64(config, dataset, initial, run, options) : run;
}

/**
 * A trial whose numbers left f32's range (an unbounded activation at a large init grows its weights past 3.4e38, where
 * f64 carries them and the clipped loss stays bounded) is a fact about f32, not about the trial: train those trials
 * again with the fast engine in f64, from the same initial parameters, and keep their f64 numbers. Only a trial that is
 * non-finite in f64 too is diverged. Each lane of the kernel depends only on its own network, so the result still
 * depends only on the trial, whatever it was batched with.
 */
function retryInF64(
  config: TrainingConfig,
  dataset: Dataset,
  initial: Float64Array,
  run: EngineRun,
  options: EngineOptions,
): EngineRun {
  const again: number[] = [];
  run.metrics.forEach((m, n) => {
    if (m.diverged) again.push(n);
  });
  if (again.length === 0) return run;
  const P = shapeFor(config, dataset).parameterCount;
  const redo = new Float64Array(again.length * P);
  again.forEach((n, k) => redo.set(initial.subarray(n * P, (n + 1) * P), k * P));
  const f64 = trainManyLockstep(config, dataset, redo, again.length, { ...options, precision: 'f64' });
  const outputs = dataset.size * dataset.outputCount;
  again.forEach((n, k) => {
    run.metrics[n] = f64.metrics[k];
    run.predictions?.set(f64.predictions!.subarray(k * outputs, (k + 1) * outputs), n * outputs);
    run.finalParameters?.set(f64.finalParameters!.subarray(k * P, (k + 1) * P), n * P);
  });
  run.retriedInF64 = again.length;
  return run;
}
