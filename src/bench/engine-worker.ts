// A bench worker: does each task the bench sends (train a chunk of networks with the fast engine, or run the control
// loop) and says when it is done.
import { parentPort, workerData } from 'node:worker_threads';
import { builtinDataset, defaultConfig, type TrainingConfigInput } from '../core/index.js';
import { trainManyFrom, type Precision } from '../kernel/index.js';
import type { PoolTask } from './engine.js';
import { loadSpin } from './spin.js';

interface Job {
  config: TrainingConfigInput;
  /** Initial parameters of every network the bench may send (9 per network). */
  initial: Float64Array;
  precision: Precision;
}

const job = workerData as Job;
const config = defaultConfig(job.config);
const dataset = builtinDataset(config.dataset);
const spin = loadSpin();
const P = 9;
// Warm-up: V8 first runs WebAssembly unoptimised and compiles its optimised code in the background, for each thread
// on its own; short calls for 0.3 s let that finish before anything is timed.
const warmUpCount = Math.min(256, job.initial.length / P);
for (const start = performance.now(); performance.now() - start < 300;) {
  trainManyFrom({ ...config, epochs: 2000 }, dataset, job.initial.subarray(0, warmUpCount * P), warmUpCount, { engine: 'fast', precision: job.precision });
  spin(100_000);
}
parentPort!.postMessage({ ready: true });
// One task per message, until the bench terminates the worker.
parentPort!.on('message', (task: PoolTask) => {
  if (task.kind === 'spin') spin(task.iterations);
  else trainManyFrom(config, dataset, job.initial.subarray(task.start * P, (task.start + task.count) * P), task.count, { engine: 'fast', precision: job.precision });
  parentPort!.postMessage({ done: true });
});
