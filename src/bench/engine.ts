// Bench section "engine": ms per 10,000-epoch training of the default study configuration on the reference
// engine, the fast engine (f64 and f32 on one core, f32 on all cores) and, when python3 has NumPy, the article's
// NumPy loop; agreement of the fast engine with the reference from identical initial parameters; and the
// measured accuracy of the kernel's exp and log1p.
import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { builtinDataset, seededInitialParameters, shapeFor } from '../core/index.js';
import { defaultConfig, type TrainingConfigInput } from '../config/index.js';
import { measureAccuracy } from '../engine/accuracy.js';
import { trainManyFrom, type EngineRun, type Precision } from '../engine/index.js';
import { workerEntry } from '../study/run/worker-entry.js';
import { loadSpin } from './spin.js';
import { XAVIER, articleConfig } from '../article/config.js';

/** The article's study configuration at the Xavier std, with the exact loss (no 1e-15 clip). */
const STUDY_CONFIG: TrainingConfigInput = { ...articleConfig('seed', 10_000), bceClip: 0, hiddenStd: XAVIER };
/** The same at the largest hidden std of the article's grid, where hidden units start saturated. */
const LARGE_STD_CONFIG: TrainingConfigInput = { ...STUDY_CONFIG, hiddenStd: 54.6 };

interface EngineBenchOptions {
  /** Networks compared with the reference engine (also its timing); default 1024. */
  agreementNetworks?: number;
  /** Networks per timing of the fast engine (per worker on all cores); default 2048 (f32) and 1024 (f64). */
  fastNetworks?: number;
  /** Timing rounds of the fast engine; default 15. Each round times f64, f32, f32 at std 54.6, f32 on all cores and the control in turn. */
  rounds?: number;
  workers?: number;
  /** Trainings of the NumPy loop; default 3 (0 skips it). */
  numpyTrainings?: number;
}

interface Agreement {
  networks: number;
  meanTotalLossReference: number;
  meanTotalLossFast: number;
  /** |mean fast - mean reference| / mean reference */
  meanRelativeError: number;
  /** The largest |fast - reference| / reference over single networks. */
  worstRelativeError: number;
  /** Networks whose success or divergence differs. */
  outcomeDifferences: number;
}

interface EngineBenchResult {
  name: string;
  machine: string;
  cores: number;
  /** The fast engine's figures are the best of the rounds (the machine's speed when nothing else disturbs it). */
  msPerTraining: {
    reference: number;
    fastF64: number;
    fastF32: number;
    /** f32, one core, at LARGE_STD_CONFIG (the article's largest init std: saturated hidden units). */
    fastF32LargeStd: number;
    fastF32AllCores: number;
    numpy: number | null;
  };
  /** The median of the rounds, for the fast engine. */
  msPerTrainingMedian: { fastF64: number; fastF32: number; fastF32LargeStd: number; fastF32AllCores: number };
  rounds: number;
  /** ratios between them */
  speedup: {
    fastF32OverReference: number;
    fastF64OverReference: number;
    fastF32OverF64: number;
    allCoresOverOneCore: number;
    /** The median over rounds of (one core / all cores) within each round: the two timed back to back. */
    allCoresOverOneCoreMedianOfRounds: number;
    fastF32OverNumpy: number | null;
    referenceOverNumpy: number | null;
  };
  /**
   * The control for the all-cores figures: a WebAssembly SIMD loop that shares nothing (./spin.ts), timed in the
   * same rounds as the engine, one core against all. It shows how far this machine lets any code scale.
   */
  control: {
    iterations: number;
    /** Best round, ms for `iterations` on one core, and per `iterations` on all cores (total / cores). */
    msOneCore: number;
    msAllCores: number;
    allCoresOverOneCore: number;
    allCoresOverOneCoreMedianOfRounds: number;
  };
  agreement: { f32: Agreement; f64: Agreement };
  accuracy: ReturnType<typeof measureAccuracy>[];
  numpyNote: string | null;
}

function initialParameters(count: number, input: TrainingConfigInput = STUDY_CONFIG): Float64Array {
  const config = defaultConfig(input);
  const dataset = builtinDataset('xor');
  const P = shapeFor(config, dataset).parameterCount;
  const out = new Float64Array(count * P);
  for (let n = 0; n < count; n++) out.set(seededInitialParameters(config, dataset, n), n * P);
  return out;
}

/** ms per training of one run of the fast engine on this thread (the kernel compiled and warmed up first). */
function timeFast(
  initial: Float64Array,
  count: number,
  precision: Precision,
  input: TrainingConfigInput = STUDY_CONFIG,
): number {
  const config = defaultConfig(input);
  const dataset = builtinDataset('xor');
  const start = performance.now();
  trainManyFrom(config, dataset, initial, count, { engine: 'fast', precision });
  return (performance.now() - start) / count;
}

/**
 * V8 runs WebAssembly unoptimised first and compiles its optimised code in the background, for each thread on its
 * own: short calls for 0.3 s (of the kernel, and of `also` where given) let that finish before anything is timed.
 */
export function warmUp(initial: Float64Array, precision: Precision, also?: () => void): void {
  const config = defaultConfig({ ...STUDY_CONFIG, epochs: 2000 });
  const count = Math.min(256, initial.length / 9);
  for (const start = performance.now(); performance.now() - start < 300;) {
    trainManyFrom(config, builtinDataset('xor'), initial.subarray(0, count * 9), count, { engine: 'fast', precision });
    also?.();
  }
}

function agreement(reference: EngineRun, fast: EngineRun): Agreement {
  let sumRef = 0,
    sumFast = 0,
    worst = 0,
    differences = 0;
  const networks = reference.metrics.length;
  for (let n = 0; n < networks; n++) {
    const r = reference.metrics[n],
      f = fast.metrics[n];
    if (r.success !== f.success || r.diverged !== f.diverged) differences++;
    if (r.totalLoss === null || f.totalLoss === null) continue;
    sumRef += r.totalLoss;
    sumFast += f.totalLoss;
    worst = Math.max(worst, Math.abs(f.totalLoss - r.totalLoss) / r.totalLoss);
  }
  return {
    networks,
    meanTotalLossReference: sumRef / networks,
    meanTotalLossFast: sumFast / networks,
    meanRelativeError: Math.abs(sumFast - sumRef) / sumRef,
    worstRelativeError: worst,
    outcomeDifferences: differences,
  };
}

/** What the workers of the all-cores pool are asked to do: train networks, or run the control loop. */
export type PoolTask = { kind: 'train'; start: number; count: number } | { kind: 'spin'; iterations: number };

/**
 * One worker per core, each with the kernel and the control loop compiled and warmed up. `round(tasks)` hands the
 * tasks out one at a time to whichever worker is free, as the study's sweep hands out chunks (so that a core slowed
 * by another program costs only its own share), and gives the wall-clock ms until all are done.
 */
async function allCoresPool(
  workers: number,
  total: number,
): Promise<{ round: (tasks: PoolTask[]) => Promise<number>; close: () => Promise<void> }> {
  const { entry, eval: isEval } = workerEntry(import.meta.url, 'engine-worker');
  const initial = initialParameters(total);
  let failure: Error | undefined;
  let onIdle: (w: Worker) => void = () => {};
  const pool = Array.from({ length: workers }, () => {
    const w = new Worker(entry, { workerData: { config: STUDY_CONFIG, initial, precision: 'f32' }, eval: isEval });
    w.on('message', () => onIdle(w));
    w.on('error', (error) => {
      failure = error;
      onIdle(w);
    });
    return w;
  });
  const run = (tasks: PoolTask[]) =>
    new Promise<void>((resolve, reject) => {
      let busy = pool.length;
      onIdle = (w) => {
        if (failure !== undefined) return reject(failure);
        const task = tasks.shift();
        if (task === undefined) {
          if (--busy === 0) resolve();
          return;
        }
        w.postMessage(task);
      };
    });
  await run([]); // every worker says once that it is ready (compiled and warmed up)
  return {
    round: async (tasks) => {
      const done = run([...tasks]);
      const start = performance.now();
      for (const w of pool) onIdle(w);
      await done;
      return performance.now() - start;
    },
    close: async () => {
      await Promise.all(pool.map((w) => w.terminate()));
    },
  };
}

/** `total` networks in chunks of 256 (fewer when that leaves some worker less than four), taken one at a time. */
function trainingTasks(total: number, workers: number): PoolTask[] {
  const chunk = Math.max(1, Math.min(256, Math.ceil(total / (4 * workers))));
  return Array.from({ length: Math.ceil(total / chunk) }, (_, k) => ({
    kind: 'train',
    start: k * chunk,
    count: Math.min(chunk, total - k * chunk),
  }));
}

/** ms of one call of the control loop on this thread. */
function timeSpin(spin: (iterations: number) => number, iterations: number): number {
  const start = performance.now();
  spin(iterations);
  return performance.now() - start;
}

/** Iterations of the control loop that take about `ms` on this thread (after warming it up). */
function calibrateSpin(spin: (iterations: number) => number, ms: number): number {
  const probe = 2_000_000;
  let fastest = Infinity;
  for (const start = performance.now(); performance.now() - start < 300;)
    fastest = Math.min(fastest, timeSpin(spin, probe));
  return Math.max(1, Math.round((probe * ms) / fastest));
}

function runNumpy(trainings: number): { ms: number | null; note: string | null } {
  if (trainings <= 0) return { ms: null, note: 'skipped' };
  const script = fileURLToPath(new URL('../../scripts/bench_numpy.py', import.meta.url));
  // The article's loop as a user would run it: OpenBLAS left to its own defaults in this command only.
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const result = spawnSync('python3', [script, String(trainings)], { env, encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    const why = result.error
      ? result.error.message
      : (result.stderr.trim().split('\n').pop() ?? `exit ${result.status}`);
    return { ms: null, note: `python3 with NumPy not available (${why})` };
  }
  const line = JSON.parse(result.stdout.trim().split('\n').pop()!) as { ms_per_training: number; numpy: string };
  return { ms: line.ms_per_training, note: `NumPy ${line.numpy}, ${trainings} trainings` };
}

export async function benchEngine(options: EngineBenchOptions = {}): Promise<EngineBenchResult> {
  const agreementNetworks = options.agreementNetworks ?? 1024;
  const workers = options.workers ?? availableParallelism();
  const config = defaultConfig(STUDY_CONFIG);
  const dataset = builtinDataset('xor');

  // Reference: the same networks that the agreement compares.
  const initial = initialParameters(agreementNetworks);
  const start = performance.now();
  const reference = trainManyFrom(config, dataset, initial, agreementNetworks, {
    engine: 'reference',
    precision: 'f64',
  });
  const referenceMs = (performance.now() - start) / agreementNetworks;
  const f64Agree = trainManyFrom(config, dataset, initial, agreementNetworks, { engine: 'fast', precision: 'f64' });
  const f32Agree = trainManyFrom(config, dataset, initial, agreementNetworks, { engine: 'fast', precision: 'f32' });

  // The machine is shared: each round times f64, f32 (also at std 54.6), f32 on all cores and the control on one
  // core and on all in turn, so that a disturbed minute touches them alike; the best round of each is the machine's
  // own speed, the median shows the spread. A core's speed also moves on its own from second to second (other
  // tenants of the host), so the all-cores ratio is also given as the median of each round's own ratio (one core,
  // then all, back to back), and beside the control's.
  const f64Count = options.fastNetworks ?? 1024;
  const f32Count = options.fastNetworks ?? 2048;
  const rounds = Math.max(1, options.rounds ?? 15);
  const f64Initial = initialParameters(f64Count),
    f32Initial = initialParameters(f32Count);
  const largeStdInitial = initialParameters(f64Count, LARGE_STD_CONFIG);
  warmUp(f64Initial, 'f64');
  warmUp(f32Initial, 'f32');
  // The control: about 0.2 s of the loop that shares nothing, in four pieces on all cores (handed out as the
  // training chunks are), the whole of it on one.
  const spin = loadSpin();
  const spinPiece = Math.ceil(calibrateSpin(spin, 200) / 4);
  const pool = await allCoresPool(workers, workers * f32Count);
  const f64Times: number[] = [],
    f32Times: number[] = [],
    largeStdTimes: number[] = [],
    allTimes: number[] = [];
  const spinOne: number[] = [],
    spinAll: number[] = [];
  const allTasks = trainingTasks(workers * f32Count, workers);
  const spinTasks: PoolTask[] = Array.from({ length: 4 * workers }, () => ({ kind: 'spin', iterations: spinPiece }));
  try {
    for (let r = 0; r < rounds; r++) {
      f64Times.push(timeFast(f64Initial, f64Count, 'f64'));
      f32Times.push(timeFast(f32Initial, f32Count, 'f32'));
      largeStdTimes.push(timeFast(largeStdInitial, f64Count, 'f32', LARGE_STD_CONFIG));
      allTimes.push((await pool.round(allTasks)) / (workers * f32Count));
      spinOne.push(timeSpin(spin, 4 * spinPiece));
      spinAll.push((await pool.round(spinTasks)) / workers);
    }
  } finally {
    await pool.close();
  }
  const best = (x: number[]) => Math.min(...x);
  const median = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)];
  const roundRatios = (one: number[], all: number[]) => one.map((t, r) => t / all[r]);
  const fastF64 = best(f64Times),
    fastF32 = best(f32Times),
    allCores = best(allTimes);
  const numpy = runNumpy(options.numpyTrainings ?? 3);

  return {
    name: 'engine',
    machine: `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} logical cores, Node ${process.versions.node}`,
    cores: workers,
    msPerTraining: {
      reference: referenceMs,
      fastF64,
      fastF32,
      fastF32LargeStd: best(largeStdTimes),
      fastF32AllCores: allCores,
      numpy: numpy.ms,
    },
    msPerTrainingMedian: {
      fastF64: median(f64Times),
      fastF32: median(f32Times),
      fastF32LargeStd: median(largeStdTimes),
      fastF32AllCores: median(allTimes),
    },
    rounds,
    speedup: {
      fastF32OverReference: referenceMs / fastF32,
      fastF64OverReference: referenceMs / fastF64,
      fastF32OverF64: fastF64 / fastF32,
      allCoresOverOneCore: fastF32 / allCores,
      allCoresOverOneCoreMedianOfRounds: median(roundRatios(f32Times, allTimes)),
      fastF32OverNumpy: numpy.ms === null ? null : numpy.ms / fastF32,
      referenceOverNumpy: numpy.ms === null ? null : numpy.ms / referenceMs,
    },
    control: {
      iterations: 4 * spinPiece,
      msOneCore: best(spinOne),
      msAllCores: best(spinAll),
      allCoresOverOneCore: best(spinOne) / best(spinAll),
      allCoresOverOneCoreMedianOfRounds: median(roundRatios(spinOne, spinAll)),
    },
    agreement: { f32: agreement(reference, f32Agree), f64: agreement(reference, f64Agree) },
    accuracy: [measureAccuracy('f32'), measureAccuracy('f64')],
    numpyNote: numpy.note,
  };
}

const ms = (x: number) => (x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
const times = (x: number | null) =>
  x === null ? 'n/a' : `${x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1)}x`;

const row = (label: string, value: string) => `  ${label.padEnd(44)}${value}`;

export function formatEngineBench(r: EngineBenchResult): string {
  const m = r.msPerTraining,
    s = r.speedup;
  const lines = [
    `engine: ms per 10,000-epoch training, 2-2-1 sigmoid BCE lr 0.1, seed order (${r.machine})`,
    row('reference engine (f64, one core)', `${ms(m.reference)} ms`),
    row('fast engine f64, one core', `${ms(m.fastF64)} ms (median ${ms(r.msPerTrainingMedian.fastF64)})`),
    row('fast engine f32, one core', `${ms(m.fastF32)} ms (median ${ms(r.msPerTrainingMedian.fastF32)})`),
    row(
      'fast engine f32, one core, hidden std 54.6',
      `${ms(m.fastF32LargeStd)} ms (median ${ms(r.msPerTrainingMedian.fastF32LargeStd)}; the article's largest std)`,
    ),
    row(
      `fast engine f32, all ${r.cores} cores (per training)`,
      `${ms(m.fastF32AllCores)} ms (median ${ms(r.msPerTrainingMedian.fastF32AllCores)})`,
    ),
    `  (fast engine: best of ${r.rounds} rounds, each timing f64, f32, f32 at std 54.6, all cores and the control in turn; ratios from the best)`,
    row(
      "NumPy loop (article's shape, one core)",
      m.numpy === null ? `n/a (${r.numpyNote})` : `${ms(m.numpy)} ms (${r.numpyNote})`,
    ),
    `  ratios: f32 vs reference ${times(s.fastF32OverReference)}, f64 vs reference ${times(s.fastF64OverReference)}, ` +
      `f32 vs f64 ${times(s.fastF32OverF64)}, ` +
      `f32 vs NumPy ${times(s.fastF32OverNumpy)}, reference vs NumPy ${times(s.referenceOverNumpy)}`,
    `  all ${r.cores} cores vs one: engine ${s.allCoresOverOneCore.toFixed(2)}x from the best rounds, ` +
      `${s.allCoresOverOneCoreMedianOfRounds.toFixed(2)}x the median of each round's own ratio`,
    `  control (a WebAssembly SIMD loop sharing nothing, same rounds): ${r.control.allCoresOverOneCore.toFixed(2)}x from the best rounds, ` +
      `${r.control.allCoresOverOneCoreMedianOfRounds.toFixed(2)}x the median; the machine's own limit on scaling`,
  ];
  for (const [p, a] of [
    ['f32', r.agreement.f32],
    ['f64', r.agreement.f64],
  ] as const) {
    lines.push(
      `  agreement ${p}: mean totalLoss over ${a.networks} networks ${a.meanTotalLossFast.toFixed(6)} vs reference ${a.meanTotalLossReference.toFixed(6)}: ` +
        `relative error ${a.meanRelativeError.toExponential(2)}; worst network ${a.worstRelativeError.toExponential(2)}; outcomes differing ${a.outcomeDifferences}`,
    );
  }
  for (const a of r.accuracy) {
    lines.push(
      `  accuracy ${a.precision}: exp max relative error ${a.expMaxRelativeError.toExponential(2)} on [${a.expRange.join(', ')}], ` +
        `log1p ${a.log1pMaxRelativeError.toExponential(2)} on (0, 1] (${a.points.toLocaleString('en-US')} points each)`,
    );
    lines.push(
      `  accuracy ${a.precision}, XOR kernel: exp max relative error ${a.xor.expMaxRelativeError.toExponential(2)}, ` +
        `log1p ${a.xor.log1pMaxRelativeError.toExponential(2)} on [${a.xor.log1pRange.join(', ')}]`,
    );
  }
  return lines.join('\n');
}
