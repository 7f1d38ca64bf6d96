// Bench section "sweep 100k": a 100,000-trial sweep end to end on all cores (default configuration, the
// article's grid shape: hiddenStd exp:-3:4:400, 250 repeats per point), once storing every trial in a
// temporary SQLite file and once with the engine only (results dropped), to show what storage costs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinDataset } from '../core/index.js';
import type { EngineName, Precision } from '../engine/index.js';
import { openSqliteStore } from '../store/sqlite/open.js';
import { resolveStudy } from '../study/definition/definition.js';
import { planMissing } from '../study/run/browser/plan.js';
import { defaultWorkers, runPlan } from '../study/run/run-plan.js';

interface SweepBenchOptions {
  /** Grid points (exp:-3:4:points); default 400. */
  points?: number;
  /** Repeats per point; default 250 (400 x 250 = 100,000 trials). */
  repeats?: number;
  /** Epochs per training; default the configuration's default (10,000). */
  epochs?: number;
  workers?: number;
  engine?: EngineName;
  precision?: Precision;
}

interface SweepBenchResult {
  name: string;
  trials: number;
  epochs: number;
  workers: number;
  engine: EngineName;
  precision: Precision;
  fallbackReason: string | null;
  /** Per CPU second of the whole process (all threads): less sensitive than wall time to a shared machine. */
  withStorage: { seconds: number; trainingsPerSecond: number; trainingsPerCpuSecond: number; stored: number };
  engineOnly: { seconds: number; trainingsPerSecond: number; trainingsPerCpuSecond: number };
  /** How much slower the run is with storage, in % of the engine-only time. */
  storageOverheadPercent: number;
}

export async function benchSweep(options: SweepBenchOptions = {}): Promise<SweepBenchResult> {
  const points = options.points ?? 400;
  const repeats = options.repeats ?? 250;
  const workers = options.workers ?? defaultWorkers();
  const engine = { engine: options.engine ?? 'fast', precision: options.precision ?? 'f32' };
  const study = resolveStudy({
    name: 'bench-sweep',
    config: options.epochs === undefined ? {} : { epochs: options.epochs },
    sweep: { hiddenStd: `exp:-3:4:${points}` },
    repeats,
    seed: 1,
  });
  const plan = planMissing(study.pointCount, repeats, new Map());
  const datasets = { xor: builtinDataset('xor') };
  let fallbackReason: string | null = null;
  const common = {
    study,
    plan,
    datasets,
    workers,
    engine,
    onFallback: (r: string) => (fallbackReason ??= r),
  };

  let cpu = process.cpuUsage();
  const engineOnly = await runPlan({ ...common, store: null });
  const engineCpu = cpuSecondsSince(cpu);

  const dir = mkdtempSync(join(tmpdir(), 'xorlab-bench-sweep-'));
  let withStorage;
  let storageCpu: number;
  try {
    const store = openSqliteStore(join(dir, 'bench.db'));
    try {
      await store.ensureStudy(study.definition.name, study.definition);
      cpu = process.cpuUsage();
      withStorage = await runPlan({ ...common, store });
      storageCpu = cpuSecondsSince(cpu);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (withStorage.stored !== plan.size)
    throw new Error(`bench sweep stored ${withStorage.stored} of ${plan.size} trials`);

  return {
    name: 'sweep 100k',
    trials: plan.size,
    epochs: study.definition.config.epochs,
    workers,
    ...engine,
    fallbackReason,
    withStorage: {
      seconds: withStorage.seconds,
      trainingsPerSecond: withStorage.completed / withStorage.seconds,
      trainingsPerCpuSecond: withStorage.completed / storageCpu,
      stored: withStorage.stored,
    },
    engineOnly: {
      seconds: engineOnly.seconds,
      trainingsPerSecond: engineOnly.completed / engineOnly.seconds,
      trainingsPerCpuSecond: engineOnly.completed / engineCpu,
    },
    storageOverheadPercent: (100 * (withStorage.seconds - engineOnly.seconds)) / engineOnly.seconds,
  };
}

function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

export function formatSweepBench(r: SweepBenchResult): string {
  const rate = (x: number) => Math.round(x).toLocaleString('en-US');
  return [
    `${r.name}: ${r.trials.toLocaleString('en-US')} trials x ${r.epochs.toLocaleString('en-US')} epochs, ${r.workers} workers, engine ${r.engine} ${r.precision}` +
      (r.fallbackReason ? ` (fell back: ${r.fallbackReason})` : ''),
    `  with storage: ${rate(r.withStorage.trainingsPerSecond)} trainings/s (${r.withStorage.seconds.toFixed(2)} s; ${rate(r.withStorage.trainingsPerCpuSecond)} per CPU-second)`,
    `  engine only:  ${rate(r.engineOnly.trainingsPerSecond)} trainings/s (${r.engineOnly.seconds.toFixed(2)} s; ${rate(r.engineOnly.trainingsPerCpuSecond)} per CPU-second)`,
    `  storage overhead: ${r.storageOverheadPercent.toFixed(1)}%`,
  ].join('\n');
}
