// Trains one chunk of a study's trials: what every sweep worker runs, a Node worker thread (./worker.ts) or a web
// page's Web Worker (src/web), so that both give the same numbers for the same seeds. Free of Node's APIs and of
// the configuration schema: the chunk carries its points' validated configurations.
import { trainMany } from '../../../engine/train-many.js';
import {
  FLAG_DIVERGED,
  FLAG_F32,
  FLAG_FAST,
  FLAG_SUCCESS,
  type ChunkResult,
  type ChunkTask,
  type WorkerInit,
} from './protocol.js';

export function runChunk(task: ChunkTask, init: WorkerInit): ChunkResult {
  const n = task.points.length;
  const result: ChunkResult = {
    id: task.id,
    totalLoss: new Float64Array(n),
    finalLoss: new Float64Array(n),
    epochsToThreshold: new Int32Array(n),
    flags: new Uint8Array(n),
    fallbackReasons: [],
  };
  for (let start = 0; start < n;) {
    const point = task.points[start];
    let end = start + 1;
    while (end < n && task.points[end] === point) end++;
    const config = task.configs[point];
    const setup = task.run ?? init; // a distributed worker's chunk carries its own study's engine and datasets
    const dataset = setup.datasets[config.dataset];
    if (!dataset) throw new Error(`dataset ${config.dataset} was not loaded`);
    const run = trainMany(config, dataset, task.seeds.subarray(start, end), setup.engine);
    if (run.fallbackReason && !result.fallbackReasons.includes(run.fallbackReason))
      result.fallbackReasons.push(run.fallbackReason);
    const engineBit = run.engine === 'fast' ? FLAG_FAST : 0;
    for (let k = start; k < end; k++) {
      const m = run.metrics[k - start];
      // Per trial: a trial the f32 kernel could not carry was trained again in f64 (engine/train-many.ts).
      const engineBits = engineBit | (m.precision === 'f32' ? FLAG_F32 : 0);
      result.totalLoss[k] = m.totalLoss ?? NaN;
      result.finalLoss[k] = m.finalLoss ?? NaN;
      result.epochsToThreshold[k] = m.epochsToThreshold ?? -1;
      result.flags[k] = engineBits | (m.success ? FLAG_SUCCESS : 0) | (m.diverged ? FLAG_DIVERGED : 0);
    }
    start = end;
  }
  return result;
}

/** The typed arrays of a result, to transfer rather than copy. */
export function resultBuffers(result: ChunkResult): ArrayBuffer[] {
  return [result.totalLoss, result.finalLoss, result.epochsToThreshold, result.flags].map(
    (a) => a.buffer as ArrayBuffer,
  );
}
