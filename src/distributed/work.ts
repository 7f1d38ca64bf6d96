// A distributed worker: takes chunks from the queue, trains them on the local worker threads (the same pool and
// kernel as a local sweep), and stores each chunk's rows and completes its job in one transaction.
//
// A chunk is taken only when a thread has room for it (each thread holds a running and a waiting chunk), so a job
// does not sit here long enough to expire. When the database goes away, taking and storing wait and retry (the
// threads stop being fed while results wait); when it is back, work goes on. Stopping (Ctrl-C, or the
// coordinator's study complete): no more chunks are taken, the running ones get a grace period and are stored, and
// the jobs that did not finish are handed back to the queue at once (not left to expire).
//
// --until-empty returns when nothing can bring this worker more work: no chunk of any study waits, none is held by
// a worker (a held chunk comes back to the queue when its holder dies and it expires), and no coordinator is alive
// to queue more (./coordinators.ts). Nothing waiting *now* is not enough: the last chunks of a study may be held by a
// worker that dies, and a coordinator tops the queue up a window at a time.
import type { TrainingConfig } from '../core/index.js';
import type { PostgresStore } from '../store/postgres/open.js';
import type { ParamValue } from '../store/types.js';
import { datasetNames, resolveStudy, type Study } from '../study/definition/definition.js';
import { chunkTask } from '../study/run/browser/plan.js';
import { runPool } from '../study/run/pool.js';
import { chunkRows, type ChunkTask } from '../study/run/browser/protocol.js';
import { pointParamsCache } from '../study/run/run-plan.js';
import { jobDatasets, jobEngine, type ChunkQueue, type FetchedJob, type QueueOutlook } from './queue.js';
import { Reconnector, sleep } from './reconnect.js';
import { quote } from '../text/quote.js';

/** How long an idle worker waits before asking the queue again: soon after its last chunk (the coordinator tops the
 * queue up every few hundred ms), then less and less often (idle workers of a big lab would load the server). */
const POLL_MS = [100, 100, 100, 100, 100, 250, 250, 500, 500, 1000];

interface WorkOptions {
  store: PostgresStore;
  queue: ChunkQueue;
  /** Worker threads. */
  workers: number;
  /** Return once nothing can bring more work: no chunk waiting or held anywhere and no coordinator alive (the
   * chunks taken here stored). */
  untilEmpty?: boolean;
  /** Asked before each chunk is taken: true -> take no more and return once the running chunks are stored. */
  shouldStop?: () => boolean;
  /** Ctrl-C: take no more; running chunks get `graceMs` to finish and be stored; the rest are handed back. */
  signal?: AbortSignal;
  graceMs?: number;
  /** One-line notes for the user (connection lost and back, a chunk whose training failed). */
  log?: (line: string) => void;
  /** After each chunk is stored: its trials, the rows that were new, and the seconds so far with a chunk held
   * (busy) and whether none is held now (the worker goes idle: a progress line is due). */
  onStored?: (trials: number, inserted: number, busy: { seconds: number; idle: boolean }) => void;
  /** Reconnection limit (tests). */
  reconnectLimitMs?: number;
}

export interface WorkOutcome {
  /** Chunks trained and stored here. */
  chunks: number;
  /** Their trials. */
  trained: number;
  /** Rows they added (fewer when another worker had stored some of them first). */
  inserted: number;
  /** Jobs handed back to the queue unfinished. */
  handedBack: number;
  interrupted: boolean;
  seconds: number;
  /** Of those, the seconds with at least one chunk taken and not yet stored (a rate over them leaves out the waits). */
  busySeconds: number;
  /** With untilEmpty, why it returned (one phrase). */
  ended: string | null;
}

/** What a worker needs to know of a study, read once per study from the store. */
interface StudyContext {
  study: Study;
  configFor: (point: number) => TrainingConfig;
  params: (point: number) => Record<string, ParamValue>;
  datasetNames: string[];
}

export async function workOnQueue(options: WorkOptions): Promise<WorkOutcome> {
  const { store, queue, signal } = options;
  const log = options.log ?? (() => {});
  const started = performance.now();
  const outcome: WorkOutcome = {
    chunks: 0,
    trained: 0,
    inserted: 0,
    handedBack: 0,
    interrupted: false,
    seconds: 0,
    busySeconds: 0,
    ended: null,
  };
  const link = new Reconnector(store.location, log, options.reconnectLimitMs);
  /** Jobs taken and not yet stored or handed back, by task id. */
  const held = new Map<number, FetchedJob>();
  /** When the current busy stretch (some chunk held) began; null while idle. */
  let busySince: number | null = null;
  const busySeconds = (): number =>
    outcome.busySeconds + (busySince === null ? 0 : (performance.now() - busySince) / 1000);
  const hold = (id: number, job: FetchedJob): void => {
    if (held.size === 0) busySince = performance.now();
    held.set(id, job);
  };
  const release = (id: number): void => {
    held.delete(id);
    if (held.size > 0 || busySince === null) return;
    outcome.busySeconds += (performance.now() - busySince) / 1000;
    busySince = null;
  };
  const studies = new Map<string, StudyContext>();
  let nextTaskId = 0;
  const fallbacks = new Set<string>();
  const stopping = (): boolean => (signal?.aborted ?? false) || (options.shouldStop?.() ?? false);

  async function context(name: string): Promise<StudyContext> {
    let ctx = studies.get(name);
    if (ctx) return ctx;
    const record = await store.getStudy(name);
    if (!record) throw new ChunkError(`study ${quote(name)} is not in ${store.location}`);
    let study: Study;
    try {
      study = resolveStudy(record.definition);
    } catch (error) {
      throw new ChunkError(
        `the stored definition of ${quote(name)} is not one this version reads: ${(error as Error).message}`,
      );
    }
    const configs = new Map<number, TrainingConfig>();
    ctx = {
      study,
      configFor: (point) => {
        let c = configs.get(point);
        if (!c) configs.set(point, (c = study.pointConfig(point)));
        return c;
      },
      params: pointParamsCache(study),
      datasetNames: datasetNames(study),
    };
    studies.set(name, ctx);
    return ctx;
  }

  /** The job as a task for the threads, or null when it cannot be run here (it is handed back with the reason). */
  async function toTask(job: FetchedJob): Promise<ChunkTask | null> {
    try {
      const ctx = await context(job.chunk.study);
      const run = { engine: jobEngine(job.chunk), datasets: jobDatasets(ctx.datasetNames, job.chunk) };
      return {
        ...chunkTask(nextTaskId++, Int32Array.from(job.chunk.runs), ctx.study.definition.seed, ctx.configFor),
        run,
      };
    } catch (error) {
      if (!(error instanceof ChunkError) && !(error instanceof Error && error.name === 'DatasetError')) throw error;
      log(`a chunk of study ${quote(job.chunk.study)} cannot run here: ${error.message}; handed back`);
      await queue.fail([job.id], error.message, true);
      return null;
    }
  }

  let idlePolls = 0;
  /** Said once per idle stretch, what an --until-empty worker waits for. */
  let waitNoted = '';
  const source: AsyncIterator<ChunkTask> = {
    async next(): Promise<IteratorResult<ChunkTask>> {
      while (!stopping()) {
        let jobs: FetchedJob[];
        try {
          jobs = await queue.fetch(1);
          if (jobs.length === 0 && options.untilEmpty) {
            const view = await queue.outlook();
            const ended = nothingCanCome(view);
            if (ended !== null) {
              outcome.ended = ended;
              link.succeeded();
              return { done: true, value: undefined };
            }
            const waitingFor = whatMayCome(view, held.size);
            if (waitingFor && !waitNoted) log(`nothing waiting now; waiting for ${waitingFor}`);
            waitNoted ||= waitingFor;
          }
          link.succeeded();
        } catch (error) {
          await link.failed(error, signal);
          continue;
        }
        if (jobs.length === 0) {
          await sleep(POLL_MS[Math.min(idlePolls++, POLL_MS.length - 1)], signal);
          continue;
        }
        idlePolls = 0;
        waitNoted = '';
        const job = jobs[0];
        let task: ChunkTask | null = null;
        for (;;) {
          try {
            task = await toTask(job);
            break;
          } catch (error) {
            await link.failed(error, signal); // the study is read from the store: wait for it like the rest
            if (signal?.aborted) break;
          }
        }
        if (!task) {
          if (signal?.aborted)
            await queue.fail([job.id], 'the worker stopped before it started this chunk').catch(() => undefined);
          continue;
        }
        hold(task.id, job);
        return { done: false, value: task };
      }
      return { done: true, value: undefined };
    },
  };

  const storeChunk = async (rows: ReturnType<typeof chunkRows>, job: FetchedJob): Promise<number | null> => {
    for (;;) {
      try {
        const inserted = await store.withTransaction(async (client) => {
          const n = await store.insertTrials(rows, { client });
          await queue.complete(job.id, client);
          return n;
        });
        link.succeeded();
        return inserted;
      } catch (error) {
        // Interrupted while the server is away: leave the chunk (its job is handed back, or expires).
        if (signal?.aborted && link.down) return null;
        await link.failed(error, signal);
        if (signal?.aborted && link.down) return null;
      }
    }
  };

  let result: 'done' | 'interrupted';
  try {
    result = await runPool({
      workers: Math.max(1, options.workers),
      // Every chunk carries its study's engine and datasets.
      init: { datasets: {}, engine: { engine: 'fast', precision: 'f32' } },
      chunks: source,
      signal,
      graceMs: options.graceMs,
      onResult: async (task, chunk) => {
        const job = held.get(task.id)!;
        for (const reason of chunk.fallbackReasons) {
          if (fallbacks.has(reason)) continue;
          fallbacks.add(reason);
          log(`note: ${reason}`);
        }
        const ctx = studies.get(job.chunk.study)!;
        const rows = chunkRows(job.chunk.study, task, chunk, ctx.params);
        const inserted = await storeChunk(rows, job);
        if (inserted === null) return;
        release(task.id);
        outcome.chunks++;
        outcome.trained += rows.length;
        outcome.inserted += inserted;
        options.onStored?.(rows.length, inserted, { seconds: busySeconds(), idle: held.size === 0 });
      },
      onChunkError: async (task, error) => {
        const job = held.get(task.id)!;
        const message = error.split('\n')[0];
        log(`a chunk of study ${quote(job.chunk.study)} failed in training: ${message}; handed back`);
        await queue.fail([job.id], message, true).catch(() => undefined);
        release(task.id);
      },
    });
  } finally {
    // Whatever was taken and not stored goes back to the queue now rather than at its expiry.
    const unfinished = [...held.values()].map((j) => j.id);
    if (unfinished.length) {
      await queue.fail(unfinished, 'the worker stopped before it finished this chunk').then(
        () => (outcome.handedBack = unfinished.length),
        () => undefined, // unreachable server: the jobs expire and are taken again
      );
    }
    outcome.seconds = (performance.now() - started) / 1000;
    outcome.busySeconds = Math.min(outcome.seconds, busySeconds());
  }
  outcome.interrupted = result === 'interrupted' || (signal?.aborted ?? false);
  return outcome;
}

const quoted = (names: string[]): string => {
  const shown = names
    .slice(0, 3)
    .map((n) => `"${n}"`)
    .join(', ');
  return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown;
};
const plural = (n: number, one: string, many: string): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** Why an --until-empty worker returns now, or null while work may still come. */
function nothingCanCome(view: QueueOutlook): string | null {
  if (view.waiting > 0 || view.held > 0 || view.coordinators.some((c) => c.alive)) return null;
  const gone = view.coordinators.filter((c) => !c.alive).map((c) => c.study);
  const why = 'no chunk is waiting or held in the queue and no coordinator is planning more';
  if (gone.length === 0) return why;
  return `${why} (the coordinator of ${gone.length === 1 ? 'study' : 'studies'} ${quoted(gone)} stopped before the end: run its command again to complete it)`;
}

/** What an idle --until-empty worker waits for ('' when only its own chunks are running). */
function whatMayCome(view: QueueOutlook, heldHere: number): string {
  const parts: string[] = [];
  const elsewhere = Math.max(0, view.held - heldHere);
  if (elsewhere > 0)
    parts.push(`${plural(elsewhere, 'chunk', 'chunks')} held by other workers (one comes back if its worker dies)`);
  const alive = view.coordinators.filter((c) => c.alive).map((c) => c.study);
  if (alive.length > 0)
    parts.push(`the coordinator of ${alive.length === 1 ? 'study' : 'studies'} ${quoted(alive)}, which may queue more`);
  return parts.join(' and ');
}

/** A chunk this worker cannot run (unknown study, unreadable definition, missing dataset): handed back. */
class ChunkError extends Error {}
