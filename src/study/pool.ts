// Runs chunks of trials on worker threads. Each worker holds at most two chunks (one running, one queued) so
// it never waits for the main thread, and an interruption loses little. Results are handed to `onResult` on
// the main thread, in arrival order, one at a time: a result's onResult (a store write, possibly over the network)
// finishes before the next one starts, and the pool settles only when every write has.
import { Worker } from 'node:worker_threads';
import type { ChunkResult, ChunkTask, WorkerInit, WorkerReply } from './protocol.js';
import { workerEntry } from './worker-entry.js';

const IN_FLIGHT_PER_WORKER = 2;

export interface PoolOptions {
  workers: number;
  init: WorkerInit;
  chunks: Iterator<ChunkTask>;
  onResult: (task: ChunkTask, result: ChunkResult) => void | Promise<void>;
  /** Aborting stops dispatching; chunks already running get `graceMs` to finish, then the workers are stopped. */
  signal?: AbortSignal;
  graceMs?: number;
}

export type PoolOutcome = 'done' | 'interrupted';

export function runPool(options: PoolOptions): Promise<PoolOutcome> {
  const { init, chunks, onResult, signal } = options;
  const graceMs = options.graceMs ?? 3000;
  const { entry, eval: isEval } = workerEntry(import.meta.url, 'worker');

  return new Promise<PoolOutcome>((resolve, reject) => {
    const workers: Worker[] = [];
    const inFlight = new Map<Worker, Map<number, ChunkTask>>();
    let exhausted = false;
    let stopping = signal?.aborted ?? false;
    let settled = false;
    let graceTimer: NodeJS.Timeout | undefined;
    // Results handed on one at a time; no new chunk is sent while too many results wait for their write, so a slow
    // store slows the workers down instead of filling the memory.
    let writing: Promise<void> = Promise.resolve();
    let unwritten = 0;
    const maxUnwritten = 2 * Math.max(1, options.workers) + 2;

    const finish = (outcome: PoolOutcome | Error): void => {
      if (settled) return;
      settled = true;
      if (graceTimer) clearTimeout(graceTimer);
      signal?.removeEventListener('abort', onAbort);
      // Terminating is asynchronous; nothing more is read from the workers after this.
      for (const w of workers) void w.terminate();
      // The caller may close the store once this settles: let the writes under way end first.
      void writing.then(() => (outcome instanceof Error ? reject(outcome) : resolve(outcome)));
    };
    const pending = (): number => {
      let n = unwritten;
      for (const m of inFlight.values()) n += m.size;
      return n;
    };
    const settleIfIdle = (): void => {
      if (pending() > 0) return;
      if (stopping) finish('interrupted');
      else if (exhausted) finish('done');
    };
    const feed = (worker: Worker): void => {
      const mine = inFlight.get(worker)!;
      while (!stopping && !exhausted && mine.size < IN_FLIGHT_PER_WORKER && unwritten < maxUnwritten) {
        const next = chunks.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        mine.set(next.value.id, next.value);
        worker.postMessage(next.value);
      }
    };
    function onAbort(): void {
      if (stopping && graceTimer) return;
      stopping = true;
      graceTimer = setTimeout(() => finish('interrupted'), graceMs);
      settleIfIdle();
    }

    try {
      for (let i = 0; i < Math.max(1, options.workers); i++) {
        const worker = new Worker(entry, { workerData: init, eval: isEval });
        workers.push(worker);
        inFlight.set(worker, new Map());
        worker.on('message', (reply: WorkerReply) => {
          if (settled) return;
          const task = inFlight.get(worker)!.get(reply.id);
          if (!task) return;
          if ('error' in reply) {
            finish(new Error(`a sweep worker failed: ${reply.error}`));
            return;
          }
          inFlight.get(worker)!.delete(reply.id);
          unwritten++;
          writing = writing.then(async () => {
            if (settled) return;
            try {
              await onResult(task, reply);
            } catch (error) {
              finish(error instanceof Error ? error : new Error(String(error)));
              return;
            }
            unwritten--;
            for (const w of workers) feed(w);
            settleIfIdle();
          });
          feed(worker);
        });
        worker.on('error', (error) => finish(error));
        worker.on('exit', (code) => {
          if (!settled) finish(new Error(`a sweep worker exited unexpectedly (code ${code})`));
        });
      }
      signal?.addEventListener('abort', onAbort);
      if (stopping) onAbort();
      for (const w of workers) feed(w);
      settleIfIdle();
    } catch (error) {
      finish(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
