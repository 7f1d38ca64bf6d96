// A sweep worker: trains the chunks it is sent with the kernel's trainMany and sends back typed arrays.
// Each chunk carries its points' validated configurations, so nothing here loads the configuration schema (zod):
// test/study/worker-imports.test.ts keeps this file's imports free of it.
import { parentPort, workerData } from 'node:worker_threads';
import { trainMany } from '../engine/index.js';
import { FLAG_DIVERGED, FLAG_F32, FLAG_FAST, FLAG_SUCCESS, type ChunkResult, type ChunkTask, type WorkerInit } from './protocol.js';

const init = workerData as WorkerInit;

function runChunk(task: ChunkTask): ChunkResult {
  const n = task.points.length;
  const result: ChunkResult = {
    id: task.id,
    totalLoss: new Float64Array(n),
    finalLoss: new Float64Array(n),
    epochsToThreshold: new Int32Array(n),
    flags: new Uint8Array(n),
    fallbackReasons: [],
  };
  for (let start = 0; start < n; ) {
    const point = task.points[start];
    let end = start + 1;
    while (end < n && task.points[end] === point) end++;
    const config = task.configs[point];
    const setup = task.run ?? init;
    const dataset = setup.datasets[config.dataset];
    if (!dataset) throw new Error(`dataset ${config.dataset} was not loaded`);
    const run = trainMany(config, dataset, task.seeds.subarray(start, end), { engine: setup.engine, precision: setup.precision });
    if (run.fallbackReason && !result.fallbackReasons.includes(run.fallbackReason)) result.fallbackReasons.push(run.fallbackReason);
    const engineBits = (run.engine === 'fast' ? FLAG_FAST : 0) | (run.precision === 'f32' ? FLAG_F32 : 0);
    for (let k = start; k < end; k++) {
      const m = run.metrics[k - start];
      result.totalLoss[k] = m.totalLoss ?? NaN;
      result.finalLoss[k] = m.finalLoss ?? NaN;
      result.epochsToThreshold[k] = m.epochsToThreshold ?? -1;
      result.flags[k] = engineBits | (m.success ? FLAG_SUCCESS : 0) | (m.diverged ? FLAG_DIVERGED : 0);
    }
    start = end;
  }
  return result;
}

parentPort!.on('message', (task: ChunkTask) => {
  try {
    const result = runChunk(task);
    const buffers = [result.totalLoss, result.finalLoss, result.epochsToThreshold, result.flags].map((a) => a.buffer as ArrayBuffer);
    parentPort!.postMessage(result, buffers);
  } catch (error) {
    parentPort!.postMessage({ id: task.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
