// A sweep worker thread: trains the chunks it is sent (./browser/chunk.ts) and sends back typed arrays.
// Each chunk carries its points' validated configurations, so nothing here loads the configuration schema (zod):
// test/study/run/worker-imports.test.ts keeps this file's imports free of it.
import { parentPort, workerData } from 'node:worker_threads';
import '../../engine/node-kernel.js';
import { resultBuffers, runChunk } from './browser/chunk.js';
import type { ChunkTask, WorkerInit } from './browser/protocol.js';

// The pool's init; a thread kept for a later pool is sent that pool's before its chunks (pool.ts).
let init = workerData as WorkerInit;

parentPort!.on('message', (message: ChunkTask | { init: WorkerInit }) => {
  if ('init' in message) {
    init = message.init;
    return;
  }
  const task = message;
  try {
    const result = runChunk(task, init);
    parentPort!.postMessage(result, resultBuffers(result));
  } catch (error) {
    parentPort!.postMessage({
      id: task.id,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
});
