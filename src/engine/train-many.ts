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
export function trainMany(config: TrainingConfig, dataset: Dataset, seeds: ArrayLike<number>, options: EngineOptions): EngineRun {
  const P = shapeFor(config, dataset).parameterCount;
  const initial = new Float64Array(seeds.length * P);
  for (let n = 0; n < seeds.length; n++) initial.set(seededInitialParameters(config, dataset, seeds[n]), n * P);
  return trainManyFrom(config, dataset, initial, seeds.length, options);
}

/** Same from explicit initial parameters (count x P, core layout). */
export function trainManyFrom(config: TrainingConfig, dataset: Dataset, initial: Float64Array, count: number, options: EngineOptions): EngineRun {
  const P = shapeFor(config, dataset).parameterCount;
  if (initial.length !== count * P) throw new RangeError(`expected ${count} x ${P} initial parameters, got ${initial.length}`);
  if (options.engine === 'reference') return trainManyReference(config, dataset, initial, count, options);
  const support = fastEngineSupport(config, dataset);
  if (!support.ok) return { ...trainManyReference(config, dataset, initial, count, options), fallbackReason: support.reason };
  return trainManyLockstep(config, dataset, initial, count, options);
}
