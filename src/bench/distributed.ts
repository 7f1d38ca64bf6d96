// Bench section "distributed": the same 200,000-trial sweep twice on this machine's cores, once into SQLite (a local
// run) and once as a distributed study (the coordinator queues its chunks in PostgreSQL with pg-boss and its own
// worker takes them back, stores each chunk's rows and completes its job in one transaction), into a server
// started on this machine (./postgres-server.ts, fsync on). Goal: the distributed run >= 0.9x the local one. Also
// what one PostgreSQL server pays per trial (its CPU), from which docs/distributed.md estimates where adding machines stops
// paying. When no server can be started, it says so.
import { availableParallelism } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinDataset } from '../core/index.js';
import { openPostgresStore, type PostgresStore } from '../store/postgres/open.js';
import { openSqliteStore } from '../store/sqlite/open.js';
import { resolveStudy } from '../study/definition/definition.js';
import { coordinate } from '../distributed/coordinate.js';
import { ChunkQueue } from '../distributed/queue.js';
import { planMissing } from '../study/run/browser/plan.js';
import { runPlan } from '../study/run/run-plan.js';
import { serverCpuSeconds } from './postgres.js';
import { startPostgres, type PostgresServer } from './postgres-server.js';

interface DistributedBenchOptions {
  /** Grid points (hiddenStd exp:-3:4:points); default 400. */
  points?: number;
  /** Repeats per point; default 500 (400 x 500 = 200,000 trials). */
  repeats?: number;
  /** Epochs per training; default the configuration's (10,000). */
  epochs?: number;
  workers?: number;
}

type DistributedBenchResult =
  | {
      name: string;
      available: true;
      trials: number;
      epochs: number;
      workers: number;
      sqlite: { seconds: number; trainingsPerSecond: number };
      distributed: {
        seconds: number;
        trainingsPerSecond: number;
        chunkSize: number;
        chunks: number;
        /** The server's CPU seconds (postmaster and backends) per 1,000 trials stored; null where /proc cannot tell. */
        serverCpuMsPerTrial: number | null;
      };
      /** distributed / sqlite trainings per second; goal >= 0.9. */
      ratio: number;
    }
  | { name: string; available: false; reason: string };

export async function benchDistributed(options: DistributedBenchOptions = {}): Promise<DistributedBenchResult> {
  const name = 'distributed';
  const points = options.points ?? 400;
  const repeats = options.repeats ?? 500;
  const workers = options.workers ?? availableParallelism();
  const study = resolveStudy({
    name: 'bench-distributed',
    config: options.epochs === undefined ? {} : { epochs: options.epochs },
    sweep: { hiddenStd: `exp:-3:4:${points}` },
    repeats,
    seed: 1,
  });
  const datasets = { xor: builtinDataset('xor') };
  const plan = planMissing(study.pointCount, repeats, new Map());
  let server: PostgresServer;
  try {
    server = await startPostgres({ durable: true });
  } catch (error) {
    return { name, available: false, reason: (error as Error).message.split('\n')[0] };
  }
  let store: PostgresStore | null = null;
  let queue: ChunkQueue | null = null;
  const dir = mkdtempSync(join(tmpdir(), 'xorlab-bench-distributed-'));
  try {
    // Local: the plan into a SQLite file, all cores.
    const sqlite = openSqliteStore(join(dir, 'bench.db'));
    let local;
    try {
      await sqlite.ensureStudy(study.definition.name, study.definition);
      local = await runPlan({
        study,
        plan,
        store: sqlite,
        datasets,
        workers,
        engine: { engine: 'fast', precision: 'f32' },
      });
    } finally {
      await sqlite.close();
    }
    if (local.stored !== plan.size)
      throw new Error(`bench distributed: SQLite stored ${local.stored} of ${plan.size} trials`);
    // Distributed: the same plan through the queue, this process coordinating and working on all cores.
    store = await openPostgresStore(await server.createDatabase('bench'), { poolSize: 6 });
    queue = await ChunkQueue.open(store);
    await store.ensureStudy(study.definition.name, study.definition);
    const serverBefore = serverCpuSeconds(server.pid);
    const outcome = await coordinate({
      store,
      queue,
      study,
      plan,
      datasets,
      engine: { engine: 'fast', precision: 'f32' },
      workers,
    });
    const serverAfter = serverCpuSeconds(server.pid);
    if (outcome.stored !== plan.size)
      throw new Error(`bench distributed: PostgreSQL stored ${outcome.stored} of ${plan.size} trials`);
    const localRate = plan.size / local.seconds;
    const distributedRate = plan.size / outcome.seconds;
    return {
      name,
      available: true,
      trials: plan.size,
      epochs: study.definition.config.epochs,
      workers,
      sqlite: { seconds: local.seconds, trainingsPerSecond: localRate },
      distributed: {
        seconds: outcome.seconds,
        trainingsPerSecond: distributedRate,
        chunkSize: outcome.chunkSize,
        chunks: outcome.chunks,
        serverCpuMsPerTrial:
          serverBefore !== null && serverAfter !== null ? ((serverAfter - serverBefore) * 1000) / plan.size : null,
      },
      ratio: distributedRate / localRate,
    };
  } finally {
    await queue?.close();
    await store?.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatDistributedBench(r: DistributedBenchResult): string {
  if (!r.available) return `distributed: not run: ${r.reason}`;
  const rate = (x: number): string => Math.round(x).toLocaleString('en-US');
  const d = r.distributed;
  return [
    `distributed: a ${r.trials.toLocaleString('en-US')}-trial sweep (x ${r.epochs.toLocaleString('en-US')} epochs) on ${r.workers} workers, into SQLite and as a distributed study (pg-boss queue, PostgreSQL on this machine, fsync on)`,
    `  SQLite (local):  ${rate(r.sqlite.trainingsPerSecond).padStart(7)} trainings/s (${r.sqlite.seconds.toFixed(2)} s)`,
    `  distributed:     ${rate(d.trainingsPerSecond).padStart(7)} trainings/s (${d.seconds.toFixed(2)} s; ${d.chunks.toLocaleString('en-US')} chunks of ${d.chunkSize.toLocaleString('en-US')})`,
    `  ratio: ${r.ratio.toFixed(2)}x (goal >= 0.9x)`,
    `  server CPU per trial: ${d.serverCpuMsPerTrial === null ? '?' : `${(d.serverCpuMsPerTrial * 1000).toFixed(1)} us`}` +
      (d.serverCpuMsPerTrial ? ` (one server core takes about ${rate(1000 / d.serverCpuMsPerTrial)} trainings/s)` : ''),
  ].join('\n');
}
