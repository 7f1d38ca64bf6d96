// The coordinator of a distributed study (`sweep --distributed`, `refine --distributed`): queues the plan's chunks
// a few at a time (a big study is never queued whole: the queue holds about two rounds of work for the workers
// that are taking chunks), works on them itself unless told not to, shows one progress bar for the whole study
// from the store's counts, and returns when the store holds every trial of the plan.
//
// One coordinator per study at a time (a session advisory lock). A coordinator that starts on a study cancels the
// chunks an earlier, killed coordinator left waiting, and plans what the store still misses: resuming is running
// the same command again. Completion is decided by the store, never by the queue: when every queued chunk is
// finished one way or another (completed, failed after its retries, lost), the plan is checked against the stored
// runs and what is missing is queued again.
//
// While it holds its study, the coordinator beats a heartbeat row (./coordinators.ts): workers with --until-empty
// wait for it. A window whose chunks nobody takes is said in a line (how to start a worker), not shown as an ETA.
import type pg from 'pg';
import type { PostgresStore } from '../store/postgres/open.js';
import { queryError } from '../store/postgres/errors.js';
import { StoreError, StoreUnavailableError } from '../store/types.js';
import { BLOCK_REPEATS } from '../store/moments.js';
import { secondsPerTrial } from '../study/run/browser/plan.js';
import type { PreparedRun } from '../study/run/prepare.js';
import { formatDuration, silentProgress, type Progress } from '../study/run/progress.js';
import { BEAT_MS, beat, endBeat } from './coordinators.js';
import { datasetsForJobs, expirySeconds, type ChunkJob, type ChunkQueue } from './queue.js';
import { Reconnector, sleep } from './reconnect.js';
import { workOnQueue, type WorkOutcome } from './work.js';
import { quote } from '../text/quote.js';

/** How often the coordinator looks at its chunks, tops the queue up and reads the study's count. */
const TICK_MS = 200;
const COUNT_EVERY_MS = 1000;
/** Chunks kept waiting in the queue: at least this many, and twice as many as are running. */
const MIN_WAITING = 32;
/** With chunks waiting and none taken or stored for this long, say how to start workers (and again every
 * NO_WORKER_REPEAT times as long while it lasts). */
const NO_WORKER_NOTE_MS = 30_000;
const NO_WORKER_REPEAT = 10;
/** Estimated work per distributed chunk (s). Longer than a local run's: each chunk is a transaction on the server,
 * whose cost per row falls with the chunk's size (the bench's postgres section: 391-row chunks took ~27 us of
 * server CPU per row, 1,250-row ~11 us, 4,096-row ~7 us), and the server is what every machine shares. */
const DISTRIBUTED_CHUNK_SECONDS = 1.5;
const MAX_CHUNK = 4096;
/** Chunks per thread at least (balance at the end of a study), for at least MIN_THREADS_FOR_SIZING threads (other
 * machines join), but never less than MIN_CHUNK_SECONDS of work (a chunk costs round trips). */
const CHUNKS_PER_THREAD = 4;
const MIN_THREADS_FOR_SIZING = 8;
const MIN_CHUNK_SECONDS = 0.1;

/** Trials per distributed chunk. */
export function distributedChunkSize(total: number, threads: number, secondsPerTrial: number): number {
  const perTrial = Math.max(1e-12, secondsPerTrial);
  const byTime = Math.min(MAX_CHUNK, Math.max(1, Math.floor(DISTRIBUTED_CHUNK_SECONDS / perTrial + 1e-9)));
  const byBalance = Math.ceil(total / (Math.max(MIN_THREADS_FOR_SIZING, threads) * CHUNKS_PER_THREAD));
  const floor = Math.min(byTime, Math.ceil(MIN_CHUNK_SECONDS / perTrial));
  return Math.max(1, Math.min(total, Math.max(floor, Math.min(byTime, byBalance))));
}

/** A prepared run (its plan already without what is stored) and how to coordinate it. */
interface CoordinateOptions extends PreparedRun {
  store: PostgresStore;
  queue: ChunkQueue;
  chunkSize?: number;
  /** Threads of this process's own worker; 0 with --no-work. */
  workers: number;
  signal?: AbortSignal;
  progress?: Progress;
  log?: (line: string) => void;
  /** Shown in the line said when no worker takes chunks. */
  workerCommand?: string;
  /** With chunks waiting and none taken or stored for this long, say so (default NO_WORKER_NOTE_MS). */
  noWorkerNoteMs?: number;
  /** Called once this is the study's coordinator (before anything is queued or shown). */
  onStart?: () => void;
  /** Leave the heartbeat row when returning: another coordination of the study follows at once (a goal's next
   * round), and a worker with --until-empty waits for it. The caller ends the row (endBeat) after the last. */
  keepBeat?: boolean;
  reconnectLimitMs?: number;
}

export interface CoordinateOutcome {
  planned: number;
  /** Trials of the study stored while this ran (by every worker). */
  stored: number;
  /** The local worker's share, when it worked. */
  local: WorkOutcome | null;
  /** Chunks taken off the queue when interrupted. */
  cancelled: number;
  /** Trials per chunk, and the chunks queued (lost ones queued again included). */
  chunkSize: number;
  chunks: number;
  interrupted: boolean;
  seconds: number;
}

/** The session lock that makes this the study's only coordinator (bigint key space, apart from the store's locks). */
class StudyLock {
  private client: pg.PoolClient | null = null;
  /** Gives the lock's client back to the pool (once), without the listeners put on it here. */
  private giveBack: (destroy: boolean) => void = () => undefined;

  constructor(
    private readonly store: PostgresStore,
    private readonly study: string,
  ) {}

  /** Takes the lock (again, after a lost connection); false when another coordinator holds it. */
  async take(): Promise<boolean> {
    if (this.client) return true;
    let client: pg.PoolClient;
    try {
      client = await this.store.pool.connect();
    } catch (error) {
      throw new StoreUnavailableError(
        `lost the connection to PostgreSQL at ${this.store.location}: ${(error as Error).message}`,
      );
    }
    // A broken connection drops the lock with it: take it again at the next tick.
    const lost = (): void => {
      if (this.client === client) this.client = null;
      giveBack(true);
    };
    const ignore = (): void => undefined;
    let given = false;
    // The listeners come off with the client: pooled connections are taken again (a goal's rounds, one coordinator
    // each), and listeners left on them would pile up.
    const giveBack = (destroy: boolean): void => {
      if (given) return;
      given = true;
      client.off('error', ignore);
      client.off('error', lost);
      client.release(destroy);
    };
    client.on('error', ignore);
    try {
      const { rows } = await client.query<{ ok: boolean }>(
        `SELECT pg_try_advisory_lock(hashtextextended('xorlab coordinator ' || $1, 0)) AS ok`,
        [this.study],
      );
      if (!rows[0].ok) {
        giveBack(false);
        return false;
      }
    } catch (error) {
      giveBack(true);
      throw new StoreUnavailableError(
        `lost the connection to PostgreSQL at ${this.store.location}: ${(error as Error).message}`,
      );
    }
    this.client = client;
    this.giveBack = giveBack;
    client.once('error', lost);
    return true;
  }

  /** The heartbeat, on the lock's session (a worker checks that this session is still connected). `fresh`: this
   * coordinator's first. Throws StoreUnavailableError when the connection is lost (the lock is taken again first). */
  async beat(fresh: boolean): Promise<void> {
    if (!(await this.take()))
      throw new StoreError(
        `another coordinator took over study "${this.study}" while the connection was lost; this one stops`,
      );
    const client = this.client!;
    try {
      await beat(client, this.study, fresh);
    } catch (error) {
      throw queryError(error, this.store.location);
    }
  }

  async release(keepBeat = false): Promise<void> {
    const client = this.client;
    this.client = null;
    if (!client) return;
    if (!keepBeat) await endBeat(client, this.study).catch(() => undefined);
    await client
      .query(`SELECT pg_advisory_unlock(hashtextextended('xorlab coordinator ' || $1, 0))`, [this.study])
      .catch(() => undefined);
    this.giveBack(false);
  }
}

export async function coordinate(options: CoordinateOptions): Promise<CoordinateOutcome> {
  const { store, queue, study, signal } = options;
  const name = study.definition.name;
  const log = options.log ?? (() => {});
  const progress = options.progress ?? silentProgress;
  const started = performance.now();
  const link = new Reconnector(store.location, log, options.reconnectLimitMs);
  const lock = new StudyLock(store, name);

  /** Runs `request`, riding out a server that is away. */
  const retrying = async <T>(request: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        const value = await request();
        link.succeeded();
        return value;
      } catch (error) {
        await link.failed(error, signal);
        if (signal?.aborted) throw new Interrupted();
      }
    }
  };

  if (!(await lock.take())) {
    throw new StoreError(
      `study ${quote(name)} is already being run by another coordinator (xorlab sweep/refine --distributed) on ${store.location}; ` +
        `help it with \`xorlab worker\`, or stop it first`,
    );
  }
  let beaten: number;
  const outcome: CoordinateOutcome = {
    planned: options.plan.size,
    stored: 0,
    local: null,
    cancelled: 0,
    chunkSize: 0,
    chunks: 0,
    interrupted: false,
    seconds: 0,
  };
  let complete = false;
  let interrupted = false;
  let local: Promise<WorkOutcome> | null = null;
  let baseline: number;
  /** Jobs queued by this coordinator and not seen finished. */
  let outstanding: string[] = [];
  try {
    // Alive before anything else: a worker with --until-empty started now waits for the first window.
    await retrying(() => lock.beat(true));
    beaten = performance.now();
    options.onStart?.();
    // Chunks an earlier coordinator of this study left waiting are planned again below.
    const leftover = await retrying(() => queue.pendingOf(name));
    await retrying(() => queue.cancel(leftover));

    const total = options.plan.size;
    const perTrial = secondsPerTrial(study, options.plan, options.datasets, options.engine.engine);
    const size = options.chunkSize ?? distributedChunkSize(total, options.workers, perTrial);
    outcome.chunkSize = size;
    let expiry = expirySeconds(size * perTrial);
    const files = datasetsForJobs(options.datasets);
    const job = (runs: Int32Array): ChunkJob => ({
      v: 1,
      study: name,
      ...options.engine,
      runs: Array.from(runs),
      ...(files ? { datasets: files } : {}),
    });

    baseline = (await retrying(() => store.getStudy(name)))?.trialCount ?? 0;
    progress.start(total);
    let done = 0;
    let lastCount = 0;
    let slices = options.plan.slices(size, BLOCK_REPEATS);
    let slicesLeft = true;

    const failures: string[] = [];
    const noWorkerMs = options.noWorkerNoteMs ?? NO_WORKER_NOTE_MS;
    /** When a chunk was last seen taken, or trials stored; the ids seen running. */
    let moved = performance.now();
    let noted = 0;
    let runningBefore = new Set<string>();
    let rounds = 0;

    if (options.workers > 0) {
      local = workOnQueue({
        store,
        queue,
        workers: options.workers,
        shouldStop: () => complete,
        signal,
        log,
        reconnectLimitMs: options.reconnectLimitMs,
      });
      // A failed local worker ends the coordination (its error is rethrown below).
      local.catch(() => (interrupted = true));
    }

    while (!signal?.aborted && !interrupted) {
      if (!(await retrying(() => lock.take())))
        throw new StoreError(
          `another coordinator took over study ${quote(name)} while the connection was lost; this one stops`,
        );
      if (performance.now() - beaten >= BEAT_MS) {
        await retrying(() => lock.beat(false));
        beaten = performance.now();
      }
      // 1. Which of our chunks are still waiting or running.
      const states = await retrying(() => queue.states(outstanding));
      const pending = new Set<string>();
      const runningNow = new Set<string>();
      let waiting = 0;
      let running = 0;
      for (const s of states) {
        if (s.state === 'created' || s.state === 'retry') {
          waiting++;
          pending.add(s.id);
        } else if (s.state === 'active') {
          running++;
          pending.add(s.id);
          runningNow.add(s.id);
          // Taken since the last look (a chunk that expired and is taken again counts too).
          if (!runningBefore.has(s.id)) moved = performance.now();
        } else {
          if (s.error && failures.length < 3) failures.push(s.error);
        }
      }
      outstanding = outstanding.filter((id) => pending.has(id));
      runningBefore = runningNow;
      // 2. Top the queue up.
      const target = Math.max(MIN_WAITING, 2 * running);
      if (slicesLeft && waiting < target) {
        const batch: ChunkJob[] = [];
        while (batch.length < target - waiting) {
          const next = slices.next();
          if (next.done) {
            slicesLeft = false;
            break;
          }
          batch.push(job(next.value));
        }
        if (batch.length) {
          outstanding.push(...(await retrying(() => queue.send(batch, expiry))));
          outcome.chunks += batch.length;
        }
      }
      // 3. The study's count, for the bar.
      const now = performance.now();
      if (now - lastCount >= COUNT_EVERY_MS) {
        lastCount = now;
        const count = (await retrying(() => store.getStudy(name)))?.trialCount ?? baseline;
        const stored = Math.min(total, Math.max(0, count - baseline));
        if (stored > done) moved = now;
        done = stored;
        progress.update(done);
        outcome.stored = Math.max(0, count - baseline);
      }
      // Work queued and nothing moving: no ETA (the bar's rate decays to 0), but how to start a worker, now and then.
      const still = now - moved;
      if (waiting > 0 && still >= noWorkerMs && now - noted >= (noted ? NO_WORKER_REPEAT * noWorkerMs : 0)) {
        noted = now;
        log(
          `no worker has taken a chunk for ${formatDuration(still / 1000)}: start \`${options.workerCommand ?? 'xorlab worker --db URL'}\``,
        );
      }
      if (still < noWorkerMs) noted = 0;
      // 4. Everything queued is finished: the store says whether the plan is complete.
      if (!slicesLeft && outstanding.length === 0) {
        const missing = options.plan.without(await retrying(() => store.storedRuns(name)));
        if (missing.size === 0) {
          complete = true;
          break;
        }
        if (failures.length)
          throw new StoreError(`chunks of study ${quote(name)} failed in training on the workers: ${failures[0]}`);
        rounds++;
        // Lost chunks (expired past their retries: workers too slow for the expiry, or dying): again, with more time.
        expiry *= 2;
        log(
          `${missing.size.toLocaleString('en-US')} trials of chunks that were lost are queued again (round ${rounds})`,
        );
        slices = missing.slices(size, BLOCK_REPEATS);
        slicesLeft = true;
        continue;
      }
      await sleep(TICK_MS, signal);
    }
    if (complete) progress.update(total);
    // The last count after the local worker has stored its last chunks (best effort when interrupted).
    if (local) await local.catch(() => undefined);
    // Interrupted: the study's chunks come off the queue (running ones still finish and are stored where they
    // run); the same command again plans what is missing. A killed coordinator leaves them to the workers.
    if (!complete) {
      await queue.cancel(outstanding).then(
        () => (outcome.cancelled = outstanding.length),
        () => undefined,
      );
    }
    const last = await store.getStudy(name).catch(() => null);
    if (last) outcome.stored = Math.max(0, last.trialCount - baseline);
  } catch (error) {
    if (!(error instanceof Interrupted)) {
      complete = true; // stops the local worker
      if (local) await local.catch(() => undefined);
      throw error;
    }
  } finally {
    progress.stop();
    await lock.release(options.keepBeat);
  }
  if (local) outcome.local = await local; // rethrows the local worker's error
  outcome.interrupted = !complete;
  outcome.seconds = (performance.now() - started) / 1000;
  return outcome;
}

class Interrupted extends Error {}
