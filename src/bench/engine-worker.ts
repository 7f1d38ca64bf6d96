// A bench worker: does each task the bench sends (train a chunk of networks with the fast engine, or run the control
// loop) and says when it is done.
import { parentPort, workerData } from 'node:worker_threads';
import { builtinDataset } from '../core/index.js';
import { defaultConfig, type TrainingConfigInput } from '../config/index.js';
import { trainManyFrom, type Precision } from '../engine/index.js';
import { warmUp, type PoolTask } from './engine.js';
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
warmUp(job.initial, job.precision, () => spin(100_000));
parentPort!.postMessage({ ready: true });
// One task per message, until the bench terminates the worker.
parentPort!.on('message', (task: PoolTask) => {
  if (task.kind === 'spin') spin(task.iterations);
  else
    trainManyFrom(config, dataset, job.initial.subarray(task.start * P, (task.start + task.count) * P), task.count, {
      engine: 'fast',
      precision: job.precision,
    });
  parentPort!.postMessage({ done: true });
});
