// The chunk queue of distributed studies: pg-boss 10 in the study database, in a schema of its own
// (`xorlab_queue`), on the store's connection pool. One queue (`chunks`) holds the chunks of every study; a job is
// one chunk: the study's name, the engine to train with, and the runs of (point, repeats) to train, from which a
// worker derives seeds and configurations exactly as a local run does.
//
// pg-boss delivers a job at least once (a worker that dies or is slow lets its job expire and another takes it);
// the store's unique (study, point, repeat) and recomputed aggregates make the stored result exactly-once. So
// nothing here trusts a job's state for correctness: a coordinator checks the store, not the queue, to know that a
// study is complete, and a job is completed in the same transaction that stores its rows (pg-boss's `complete()`
// carries no attempt token, so completing a job another worker has since taken is harmless, never relied on).
//
// Timing: pg-boss's defaults (15 min expiry, maintenance every 2 min) are for jobs of minutes. A chunk is at most
// about 1.5 s of one core's work (estimated), so a job expires after EXPIRE_FACTOR times its estimated duration (at
// least MIN_EXPIRE_SECONDS; a job waits behind one running chunk and a write or two) and every process offers
// maintenance each second (one wins per second): the chunk of a killed worker is taken again 8-16 s after the kill.
// A slow worker whose job expires wastes work, not results.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type PgBoss from 'pg-boss';
import { builtinDataset, isBuiltinDataset, makeDataset, type Dataset } from '../core/index.js';
import { quote } from '../text/quote.js';
import type { EngineChoice } from '../config/index.js';
import { isConnectionError, isRetryableTransaction, queryError } from '../store/postgres/errors.js';
import type { PostgresStore } from '../store/postgres/open.js';
import { StoreError } from '../store/types.js';
import { coordinatorRows, prepareCoordinators, type CoordinatorRow } from './coordinators.js';
import { loadExtra } from '../text/packages.js';

export const QUEUE_SCHEMA = 'xorlab_queue';
export const CHUNK_QUEUE = 'chunks';
/** A job is given up after this many failed attempts (expiries included); the coordinator plans its trials again. */
const RETRY_LIMIT = 5;
const MIN_EXPIRE_SECONDS = 8;
const EXPIRE_FACTOR = 10;
const MAINTENANCE_SECONDS = 1;

/** A dataset that is not built in travels with the job (a worker on another machine has no such file). */
interface DatasetJson {
  rows: number[][];
  targets: number[][];
}

/** What a job holds: one chunk of one study, and the engine to train it with (its two fields, as JSON). */
export interface ChunkJob extends EngineChoice {
  /** Format of this object. */
  v: 1;
  study: string;
  /** [point, start, end, ...]: repeats [start, end) of each point. */
  runs: number[];
  /** Datasets of the study that are files, by their name in the configuration. */
  datasets?: Record<string, DatasetJson>;
}

/** A job as fetched: its id and its chunk. */
export interface FetchedJob {
  id: string;
  chunk: ChunkJob;
}

/** The job's runs, checked (a job is data from the database: it is validated like input). */
export function parseChunkJob(data: unknown): ChunkJob {
  const d = data as Partial<ChunkJob> | null;
  const ok =
    d !== null &&
    typeof d === 'object' &&
    d.v === 1 &&
    typeof d.study === 'string' &&
    (d.engine === 'fast' || d.engine === 'reference') &&
    (d.precision === 'f32' || d.precision === 'f64') &&
    Array.isArray(d.runs) &&
    d.runs.length % 3 === 0 &&
    d.runs.every((x) => Number.isInteger(x) && x >= 0);
  if (!ok) throw new Error(`not a chunk of this xorlab version: ${quote(data)}`);
  return d as ChunkJob;
}

/** The engine a job's chunk is trained with, as the workers take it (the job's other fields stay here). */
export function jobEngine(job: ChunkJob): EngineChoice {
  return { engine: job.engine, precision: job.precision };
}

/** Every dataset a job's study trains on, by name: built-in ones made here, files from the job. */
export function jobDatasets(names: readonly string[], job: ChunkJob): Record<string, Dataset> {
  const out: Record<string, Dataset> = {};
  for (const name of names) {
    if (isBuiltinDataset(name)) out[name] = builtinDataset(name);
    else {
      const d = job.datasets?.[name];
      if (!d) throw new Error(`the chunk does not carry dataset ${name}`);
      out[name] = makeDataset(name, d.rows, d.targets);
    }
  }
  return out;
}

/** The datasets that are files, as they travel in a job. */
export function datasetsForJobs(datasets: Record<string, Dataset>): Record<string, DatasetJson> | undefined {
  const out: Record<string, DatasetJson> = {};
  for (const [name, d] of Object.entries(datasets)) {
    if (isBuiltinDataset(name)) continue;
    const rows: number[][] = [];
    const targets: number[][] = [];
    for (let r = 0; r < d.size; r++) {
      rows.push(Array.from(d.inputs.subarray(r * d.inputCount, (r + 1) * d.inputCount)));
      targets.push(Array.from(d.targets.subarray(r * d.outputCount, (r + 1) * d.outputCount)));
    }
    out[name] = { rows, targets };
  }
  return Object.keys(out).length ? out : undefined;
}

/** Seconds before a job of `chunkSeconds` estimated work expires. */
export function expirySeconds(chunkSeconds: number): number {
  return Math.max(MIN_EXPIRE_SECONDS, Math.ceil(EXPIRE_FACTOR * chunkSeconds));
}

type Executor = { executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> };

/** The pg-boss `db` for a client inside a transaction: its statements join that transaction. */
function onClient(client: pg.ClientBase): Executor {
  return { executeSql: (text, values) => client.query(text, values) };
}

/** Job ids that sort in the order they were made (pg-boss fetches by creation time, then id): chunks of one
 * insert come out in plan order. A random prefix per queue connection keeps coordinators apart. */
function idMaker(): () => string {
  const prefix = randomBytes(6).toString('hex');
  let n = 0;
  return () => {
    const hex = prefix + (n++).toString(16).padStart(20, '0');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  };
}

/** A pg-boss failure as a StoreError (StoreUnavailableError when the connection is the problem). */
function queueError(error: unknown, location: string): Error {
  if (error instanceof StoreError) return error;
  if (isConnectionError(error)) return queryError(error, location);
  const message = error instanceof Error ? error.message : String(error);
  return new StoreError(`${location}: the chunk queue (pg-boss, schema ${QUEUE_SCHEMA}): ${message.split('\n')[0]}`);
}

/** What may still bring a worker work: chunks waiting, chunks held (one comes back when its holder dies and it
 * expires), and the coordinators that may queue more. */
export interface QueueOutlook {
  /** Chunks of every study ready to be taken (created, or waiting for a retry). */
  waiting: number;
  /** Chunks taken by a worker and not finished. */
  held: number;
  /** Coordinator heartbeats, alive or gone. */
  coordinators: CoordinatorRow[];
}

interface JobState {
  id: string;
  state: 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';
  /** Why the chunk's training failed, when it failed for good that way (null for expiries, hand-backs, the rest). */
  error: string | null;
}

/** The queue of chunks on a store's pool. */
export class ChunkQueue {
  private readonly nextId = idMaker();

  private constructor(
    private readonly boss: PgBoss,
    private readonly pool: pg.Pool,
    readonly location: string,
  ) {}

  /** Starts pg-boss on the store's pool: creates its schema and the queue the first time, and offers maintenance
   * (expiring jobs) every second. pg-boss serialises its migrations, but neither the first CREATE SCHEMA nor the
   * creation of a queue: two processes starting on a fresh database at once (a coordinator and a worker) can meet
   * there. The loser gets a unique violation on pg_namespace, or is the victim of a deadlock (one has inserted the
   * queue's row and adds its partition's foreign key to that table, the other waits to insert the same row). Either
   * way the winner made what was missing and the loser's transaction was rolled back: it simply starts again. */
  static async open(store: PostgresStore): Promise<ChunkQueue> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await ChunkQueue.openOnce(store);
      } catch (error) {
        const cause = (error as { cause?: { code?: unknown } }).cause;
        const raced =
          cause?.code === '23505' ||
          isRetryableTransaction(error) ||
          /pg_namespace_nspname_index|already exists/.test((error as Error).message);
        if (!raced || attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }

  private static async openOnce(store: PostgresStore): Promise<ChunkQueue> {
    // pg-boss is an optional package (package.json's peerDependencies), loaded by the first distributed command.
    const { default: Boss } = await loadExtra('distributed', () => import('pg-boss'));
    const boss = new Boss({
      db: onPool(store.pool),
      schema: QUEUE_SCHEMA,
      supervise: true,
      maintenanceIntervalSeconds: MAINTENANCE_SECONDS,
      schedule: false,
      migrate: true,
    });
    // Maintenance errors (a server restart) are emitted as events: without a listener they would end the process.
    // The same errors reach the caller through the queue's own requests.
    boss.on('error', () => undefined);
    try {
      await boss.start();
      await boss.createQueue(CHUNK_QUEUE, {
        name: CHUNK_QUEUE,
        retryLimit: RETRY_LIMIT,
        retryDelay: 0,
        expireInSeconds: MIN_EXPIRE_SECONDS,
      });
      await prepareCoordinators(store.pool);
    } catch (error) {
      await boss.stop({ graceful: false, close: false }).catch(() => undefined);
      throw queueError(error, store.location);
    }
    return new ChunkQueue(boss, store.pool, store.location);
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw queueError(error, this.location);
    }
  }

  /** Queues chunks (one statement); returns their job ids in order. */
  async send(chunks: readonly ChunkJob[], expireInSeconds: number): Promise<string[]> {
    const ids = chunks.map(() => this.nextId());
    await this.guard(() =>
      this.boss.insert(
        chunks.map((data, i) => ({ id: ids[i], name: CHUNK_QUEUE, data, expireInSeconds, retryLimit: RETRY_LIMIT })),
      ),
    );
    return ids;
  }

  /**
   * Takes up to `count` jobs. [] means the queue had none ready: pg-boss's fetch() also answers [] when the
   * database fails, so an empty answer is checked with a query that throws (StoreUnavailableError when the
   * server cannot be reached).
   */
  async fetch(count: number): Promise<FetchedJob[]> {
    const jobs = await this.boss.fetch<unknown>(CHUNK_QUEUE, { batchSize: count });
    if (jobs.length === 0) await this.guard(() => this.pool.query('SELECT 1'));
    return jobs.map((j) => ({ id: j.id, chunk: parseChunkJob(j.data) }));
  }

  /** Jobs ready to be taken (created or waiting for a retry). Throws when the database cannot be reached. */
  async waiting(): Promise<number> {
    return this.guard(() => this.boss.getQueueSize(CHUNK_QUEUE));
  }

  /** Where the queue stands for a worker that returns once nothing can come (--until-empty). Throws when the
   * database cannot be reached. */
  async outlook(): Promise<QueueOutlook> {
    return this.guard(async () => {
      const { rows } = await this.pool.query<{ waiting: string; held: string }>(
        `SELECT count(*) FILTER (WHERE state < 'active') AS waiting, count(*) FILTER (WHERE state = 'active') AS held
           FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND state < 'completed'`,
        [CHUNK_QUEUE],
      );
      return {
        waiting: Number(rows[0].waiting),
        held: Number(rows[0].held),
        coordinators: await coordinatorRows(this.pool),
      };
    });
  }

  /** Completes a job on `client`, inside the transaction that stores its rows. (The four-argument form: pg-boss
   * 10's typings offer complete(name, id, options), but it would take the options for the job's output and run on
   * its own pool, outside the transaction.) */
  async complete(id: string, client: pg.ClientBase): Promise<void> {
    await this.boss.complete(CHUNK_QUEUE, id, {}, { db: onClient(client) });
  }

  /** Hands jobs back (a stopping worker's unfinished chunks, or a chunk whose training failed: `training`): they
   * are taken again at once, up to the retry limit. */
  async fail(ids: readonly string[], message: string, training = false): Promise<void> {
    if (ids.length === 0) return;
    // fail(name, ids, data): in pg-boss 10's code, not in its typings.
    const fail = this.boss.fail.bind(this.boss) as unknown as (
      name: string,
      ids: string[],
      data: object,
    ) => Promise<void>;
    await this.guard(() => fail(CHUNK_QUEUE, [...ids], { message, training }));
  }

  /** Cancels jobs that are not finished. */
  async cancel(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.guard(() => this.boss.cancel(CHUNK_QUEUE, [...ids]));
  }

  /** The states of the given jobs (those no longer in the job table, archived after hours, are left out). */
  async states(ids: readonly string[]): Promise<JobState[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.guard(() =>
      this.pool.query<{
        id: string;
        state: JobState['state'];
        output: { message?: unknown; training?: unknown } | null;
      }>(`SELECT id, state, output FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND id = ANY($2::uuid[])`, [
        CHUNK_QUEUE,
        ids,
      ]),
    );
    return rows.map((r) => ({
      id: r.id,
      state: r.state,
      error:
        r.state === 'failed' && r.output?.training === true && typeof r.output.message === 'string'
          ? r.output.message
          : null,
    }));
  }

  /** Jobs of `study` that wait or run (left by an earlier coordinator of the study). */
  async pendingOf(study: string): Promise<string[]> {
    const { rows } = await this.guard(() =>
      this.pool.query<{ id: string }>(
        `SELECT id FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND state < 'completed' AND data->>'study' = $2`,
        [CHUNK_QUEUE, study],
      ),
    );
    return rows.map((r) => r.id);
  }

  /** Stops pg-boss's maintenance; the pool belongs to the store. */
  async close(): Promise<void> {
    await this.boss.stop({ graceful: false, close: false }).catch(() => undefined);
  }
}

function onPool(pool: pg.Pool): Executor {
  return { executeSql: (text, values) => pool.query(text, values) };
}
