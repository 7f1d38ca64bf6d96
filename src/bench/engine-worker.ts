// A bench worker: trains the chunk of networks each message names with the fast engine and says when it is done.
import { parentPort, workerData } from 'node:worker_threads';
import { builtinDataset, defaultConfig, type TrainingConfigInput } from '../core/index.js';
import { trainManyFrom, type Precision } from '../kernel/index.js';

interface Job {
  config: TrainingConfigInput;
  /** Initial parameters of every network the bench may send (9 per network). */
  initial: Float64Array;
  precision: Precision;
}

const job = workerData as Job;
const config = defaultConfig(job.config);
const dataset = builtinDataset(config.dataset);
const P = 9;
// Warm-up: V8 first runs the kernel unoptimised and compiles its optimised code in the background, for each thread
// on its own; short calls for 0.3 s let that finish before anything is timed.
for (const start = performance.now(); performance.now() - start < 300;) {
  trainManyFrom({ ...config, epochs: 2000 }, dataset, job.initial.subarray(0, 256 * P), 256, { engine: 'fast', precision: job.precision });
}
parentPort!.postMessage({ ready: true });
// One chunk of networks per message, until the bench terminates the worker.
parentPort!.on('message', ({ start, count }: { start: number; count: number }) => {
  trainManyFrom(config, dataset, job.initial.subarray(start * P, (start + count) * P), count, { engine: 'fast', precision: job.precision });
  parentPort!.postMessage({ done: start });
});
