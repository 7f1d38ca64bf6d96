// The engine's entry for Node: trainMany and friends (./train-many.ts), with the kernel read from
// dist/engine/lockstep.wasm (./node-kernel.ts). A browser imports ./train-many.ts and provides the kernel itself.
import './node-kernel.js';

export { trainMany, trainManyFrom } from './train-many.js';
export type { EngineChoice, EngineName, EngineOptions, EngineRun, Precision, TrialMetrics } from './types.js';
export { fastEngineSupport, type Support } from './support.js';
