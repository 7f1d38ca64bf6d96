// One of the in-page study's workers: the chunks of a sweep, trained by the same runChunk as `xorlab sweep`'s
// worker threads, with the WebAssembly kernel the page fetched and compiled once (transferred here as a module).
import { setKernelSource } from '../../engine/instance.js';
import { resultBuffers, runChunk } from '../../study/run/browser/chunk.js';
import type { WorkerInit } from '../../study/run/browser/protocol.js';
import type { StudyReply, StudyRequest } from '../playground/protocol.js';

const scope = self as unknown as {
  postMessage(message: StudyReply, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<StudyRequest>) => void) | null;
};
let init: WorkerInit | null = null;

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === 'init') {
    setKernelSource(message.module);
    init = message.init;
    return;
  }
  try {
    if (!init) throw new Error('the study worker got a chunk before its kernel');
    const result = runChunk(message.task, init);
    scope.postMessage({ type: 'result', result }, resultBuffers(result));
  } catch (error) {
    scope.postMessage({
      type: 'error',
      id: message.task.id,
      message: error instanceof Error ? error.message : String(error),
    });
  }
};
