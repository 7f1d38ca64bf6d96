// A bench worker: trains the networks it is sent with the fast engine, once per message, and reports how long that took.
import { parentPort, workerData } from 'node:worker_threads';
import { builtinDataset, defaultConfig, type TrainingConfigInput } from '../core/index.js';
import { trainManyFrom, type Precision } from '../kernel/index.js';

interface Job {
  config: TrainingConfigInput;
  initial: Float64Array;
  count: number;
  precision: Precision;
}

const job = workerData as Job;
const config = defaultConfig(job.config);
const dataset = builtinDataset(config.dataset);
// Warm-up: compile and tier up the kernel before timing.
trainManyFrom({ ...config, epochs: 200 }, dataset, job.initial.subarray(0, 16 * 9), 16, { engine: 'fast', precision: job.precision });
parentPort!.postMessage({ ready: true });
// One timed run per message, until the bench terminates the worker.
parentPort!.on('message', () => {
  const start = performance.now();
  trainManyFrom(config, dataset, job.initial, job.count, { engine: 'fast', precision: job.precision });
  parentPort!.postMessage({ ms: performance.now() - start });
});
