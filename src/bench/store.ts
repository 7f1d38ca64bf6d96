// Bench section "summarise 4M": 4,000,000 trials (400 points x 10,000 repeats, the article's study size) generated
// straight into a temporary SQLite store through Store.insertTrials in sweep-sized batches, then summarised.
// Reports the insert rate (rows/s, target >= 200,000) and the summarise time (s, target <= 1).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../store/sqlite/open.js';
import type { TrialRow } from '../store/types.js';

interface StoreBenchOptions {
  points?: number;
  repeats?: number;
  /** Rows per insertTrials call (one transaction each), like the sweep writer's batches. */
  batch?: number;
}

interface StoreBenchResult {
  name: string;
  trials: number;
  insertRowsPerSecond: number;
  insertSeconds: number;
  /** Insert rate per CPU second of this process: less sensitive than wall time to a shared machine. */
  insertRowsPerCpuSecond: number;
  summariseSeconds: number;
  /** The same summary recomputed from every row (full-scan SQL GROUP BY), for comparison. */
  recomputeSeconds: number;
  databaseMiB: number;
  points: number;
}

export async function benchStore(options: StoreBenchOptions = {}): Promise<StoreBenchResult> {
  const points = options.points ?? 400;
  const repeats = options.repeats ?? 10_000;
  const batch = options.batch ?? 20_000;
  const dir = mkdtempSync(join(tmpdir(), 'xorlab-bench-store-'));
  const path = join(dir, 'bench.db');
  try {
    const store = openSqliteStore(path);
    await store.ensureStudy('bench', { bench: 'summarise 4M', points, repeats });
    const stds = Array.from({ length: points }, (_, i) => Math.exp(-3 + (7 * i) / Math.max(1, points - 1)));
    const rows = new Array<TrialRow>(batch);
    let filled = 0;
    let state = 0x9e3779b9;
    const random = (): number => {
      // xorshift32: cheap, deterministic, "random-ish" losses.
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 4294967296;
    };
    let insertSeconds = 0;
    let insertCpuSeconds = 0;
    const flush = async (): Promise<void> => {
      const started = process.hrtime.bigint();
      const cpu = process.cpuUsage();
      await store.insertTrials(filled === batch ? rows : rows.slice(0, filled));
      const used = process.cpuUsage(cpu);
      insertCpuSeconds += (used.user + used.system) / 1e6;
      insertSeconds += Number(process.hrtime.bigint() - started) / 1e9;
      filled = 0;
    };
    for (let point = 0; point < points; point++) {
      const params = { hiddenStd: stds[point] };
      const base = 300 + 200 * Math.abs(Math.log(stds[point]));
      for (let repeat = 0; repeat < repeats; repeat++) {
        const diverged = random() < 0.001;
        const totalLoss = diverged ? null : base * (0.5 + random());
        rows[filled++] = {
          study: 'bench',
          point,
          repeat,
          params,
          seed: (point * repeats + repeat) >>> 0,
          totalLoss,
          finalLoss: diverged ? null : random() * 0.1,
          success: !diverged && random() < 0.8,
          epochsToThreshold: diverged ? null : Math.floor(random() * 10_000),
          diverged,
          engine: 'fast',
          precision: 'f64',
        };
        if (filled === batch) await flush();
      }
    }
    if (filled > 0) await flush();
    await store.close();

    const reader = openSqliteStore(path, { readonly: true });
    const started = process.hrtime.bigint();
    const summary = await reader.summarize('bench');
    const summariseSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const recomputeStarted = process.hrtime.bigint();
    const recomputed = await reader.recomputeSummary('bench');
    const recomputeSeconds = Number(process.hrtime.bigint() - recomputeStarted) / 1e9;
    await reader.close();
    if (recomputed.length !== summary.length)
      throw new Error('bench: the recomputed summary has a different number of points');
    const trials = points * repeats;
    return {
      name: 'summarise 4M',
      trials,
      insertRowsPerSecond: trials / insertSeconds,
      insertSeconds,
      insertRowsPerCpuSecond: trials / insertCpuSeconds,
      summariseSeconds,
      recomputeSeconds,
      databaseMiB: statSync(path).size / 2 ** 20,
      points: summary.length,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One line per figure, for the bench report. */
export function formatStoreBench(r: StoreBenchResult): string {
  return [
    `summarise 4M: ${r.trials.toLocaleString('en-US')} trials in ${r.points} points (${r.databaseMiB.toFixed(0)} MiB)`,
    `  insert:    ${Math.round(r.insertRowsPerSecond).toLocaleString('en-US')} rows/s (${r.insertSeconds.toFixed(2)} s; ${Math.round(r.insertRowsPerCpuSecond).toLocaleString('en-US')} rows per CPU-second; target >= 200,000 rows/s)`,
    `  summarise: ${r.summariseSeconds.toFixed(3)} s (target <= 1 s; maintained per-point aggregates)`,
    `  recompute: ${r.recomputeSeconds.toFixed(3)} s (the same summary from a full-scan SQL GROUP BY)`,
  ].join('\n');
}
