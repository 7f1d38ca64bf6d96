// Runs chunks of trials on worker threads. Each worker holds at most two chunks (one running, one queued) so
// it never waits for the main thread, and an interruption loses little. Results are handed to `onResult` on
// the main thread, in arrival order, one at a time: a result's onResult (a store write, possibly over the network)
// finishes before the next one starts, and the pool settles only when every write has. Chunks come from an
// iterator, asked for one at a time when a worker has room: a plan's generator, or (distributed) an asynchronous
// source that takes them from a queue and may wait for them.
import { Worker } from 'node:worker_threads';
import type { ChunkResult, ChunkTask, WorkerInit, WorkerReply } from './browser/protocol.js';
import { workerEntry } from './worker-entry.js';

const IN_FLIGHT_PER_WORKER = 2;

/**
 * Threads of pools that ended with every chunk done, kept for the next pool of this process: a command that runs
 * many studies (`xorlab reproduce` runs sixteen, `refine --goal` a pool per round) starts its threads once, not once
 * per study (~0.15 CPU-s each from the build, more through tsx). An idle thread is unref'd: it never keeps the
 * process alive. A pool that is interrupted or fails terminates its threads instead.
 */
const idleWorkers: { worker: Worker; drop: () => void }[] = [];

/** A thread for a pool with `init`: an idle one, told its new init first (messages keep their order), or a new one. */
function takeWorker(entry: string | URL, isEval: boolean, init: WorkerInit): Worker {
  const idle = idleWorkers.pop();
  if (idle === undefined) return new Worker(entry, { workerData: init, eval: isEval });
  idle.worker.off('error', idle.drop).off('exit', idle.drop);
  idle.worker.ref();
  idle.worker.postMessage({ init } satisfies WorkerMessage);
  return idle.worker;
}

/** Keeps a thread whose pool has no chunk left in it for the next pool (its pool's listeners already removed). */
function keepIdle(worker: Worker): void {
  const drop = (): void => {
    const at = idleWorkers.findIndex((idle) => idle.worker === worker);
    if (at >= 0) idleWorkers.splice(at, 1);
  };
  worker.on('error', drop).on('exit', drop);
  worker.unref();
  idleWorkers.push({ worker, drop });
}

/** What the main thread sends a worker: a chunk, or (a kept thread taken by a new pool) that pool's init. */
type WorkerMessage = ChunkTask | { init: WorkerInit };

interface PoolOptions {
  workers: number;
  init: WorkerInit;
  chunks: Iterator<ChunkTask> | AsyncIterator<ChunkTask>;
  onResult: (task: ChunkTask, result: ChunkResult) => void | Promise<void>;
  /** A chunk whose training threw in its worker. Without this the pool fails with the error; with it (distributed
   * workers, which hand the chunk back to the queue) the pool goes on. Called in turn with the results. */
  onChunkError?: (task: ChunkTask, error: string) => void | Promise<void>;
  /** Aborting stops dispatching; chunks already running get `graceMs` to finish, then the workers are stopped. */
  signal?: AbortSignal;
  graceMs?: number;
}

type PoolOutcome = 'done' | 'interrupted';

export function runPool(options: PoolOptions): Promise<PoolOutcome> {
  const { init, chunks, onResult, signal } = options;
  const graceMs = options.graceMs ?? 3000;
  const { entry, eval: isEval } = workerEntry(import.meta.url, 'worker');

  return new Promise<PoolOutcome>((resolve, reject) => {
    const workers: Worker[] = [];
    const inFlight = new Map<Worker, Map<number, ChunkTask>>();
    /** Removes this pool's listeners from a thread (before it is kept for the next pool). */
    const detach = new Map<Worker, () => void>();
    let exhausted = false;
    // An asynchronous source's next() under way: one at a time, so chunks arrive in the source's order.
    let pulling = false;
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
      // Terminating is asynchronous; nothing more is read from the workers after this. A pool that ended with
      // every chunk back keeps its threads for the next one.
      const clean = outcome === 'done' && pending() === 0;
      for (const w of workers) {
        if (clean) {
          detach.get(w)?.();
          keepIdle(w);
        } else void w.terminate();
      }
      // The caller may close the store once this settles: let the writes under way end first.
      void writing.then(() => (outcome instanceof Error ? reject(outcome) : resolve(outcome)));
    };
    const pending = (): number => {
      let n = unwritten;
      for (const m of inFlight.values()) n += m.size;
      return n;
    };
    const settleIfIdle = (): void => {
      if (pending() > 0 || pulling) return;
      if (stopping) finish('interrupted');
      else if (exhausted) finish('done');
    };
    /** The worker with the most room, if any has room and the writes keep up. */
    const roomy = (): Worker | undefined => {
      if (stopping || exhausted || settled || unwritten >= maxUnwritten) return undefined;
      let best: Worker | undefined;
      for (const w of workers)
        if (inFlight.get(w)!.size < IN_FLIGHT_PER_WORKER && (!best || inFlight.get(w)!.size < inFlight.get(best)!.size))
          best = w;
      return best;
    };
    const accept = (next: IteratorResult<ChunkTask>): void => {
      if (next.done) {
        exhausted = true;
        return;
      }
      // A chunk that arrives after a stop is not started: whoever handed it over accounts for what never comes back.
      if (stopping) return;
      // Chosen when the chunk is there: an asynchronous source may take a while, and the room may have moved.
      const worker = roomy() ?? workers.reduce((a, b) => (inFlight.get(b)!.size < inFlight.get(a)!.size ? b : a));
      inFlight.get(worker)!.set(next.value.id, next.value);
      worker.postMessage(next.value);
    };
    const feed = (): void => {
      while (!pulling && roomy()) {
        const next = chunks.next();
        if (!(next instanceof Promise)) {
          accept(next);
          continue;
        }
        pulling = true;
        next.then(
          (value) => {
            pulling = false;
            if (settled) return;
            accept(value);
            feed();
            settleIfIdle();
          },
          (error: unknown) => {
            pulling = false;
            finish(error instanceof Error ? error : new Error(String(error)));
          },
        );
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
        const worker = takeWorker(entry, isEval, init);
        workers.push(worker);
        inFlight.set(worker, new Map());
        const onMessage = (reply: WorkerReply): void => {
          if (settled) return;
          const task = inFlight.get(worker)!.get(reply.id);
          if (!task) return;
          const onError = options.onChunkError;
          if ('error' in reply && !onError) {
            finish(new Error(`a sweep worker failed: ${reply.error}`));
            return;
          }
          inFlight.get(worker)!.delete(reply.id);
          unwritten++;
          writing = writing.then(async () => {
            if (settled) return;
            try {
              if ('error' in reply) await onError!(task, reply.error);
              else await onResult(task, reply);
            } catch (error) {
              finish(error instanceof Error ? error : new Error(String(error)));
              return;
            }
            unwritten--;
            feed();
            settleIfIdle();
          });
          feed();
        };
        const onThreadError = (error: Error): void => finish(error);
        const onExit = (code: number): void => {
          if (!settled) finish(new Error(`a sweep worker exited unexpectedly (code ${code})`));
        };
        worker.on('message', onMessage).on('error', onThreadError).on('exit', onExit);
        detach.set(worker, () => worker.off('message', onMessage).off('error', onThreadError).off('exit', onExit));
      }
      signal?.addEventListener('abort', onAbort);
      if (stopping) onAbort();
      feed();
      settleIfIdle();
    } catch (error) {
      finish(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
