// The JavaScript side of the lockstep kernel: lays networks out across SIMD lanes, runs the kernel in batches
// that fit its memory and reads the metrics back with the reference engine's semantics (src/core/train.ts).
import type { ActivationName, Dataset, TrainingConfig } from '../core/index.js';
import { bceLossBounds } from '../core/losses.js';
import { learningRateAt } from '../core/schedules.js';
import { shapeFor } from '../core/train.js';
import { ensureMemory, lockstepKernel, type LockstepExports } from './instance.js';
import type { EngineOptions, EngineRun, Precision, TrialMetrics } from './types.js';

/** Networks per batch (one memory layout); a batch's state is a few MB at most. */
const BATCH = 8192;
/** Epochs per learning-rate table (the kernel reads one rate per epoch). */
const EPOCH_CHUNK = 1 << 16;
/**
 * Blocks per kernel call. V8 first runs WebAssembly in its baseline compiler and switches to optimised code
 * only between calls, so a few short calls at the start keep a long batch from running unoptimised.
 */
const BLOCKS_PER_CALL = 4;

/** The kernel's codes (assembly/lockstep.entry.ts: SIGMOID = 0 ... LINEAR = 5, BCE = 0), spelled out so that
 * reordering core's name lists cannot silently change what the kernel computes. */
const ACTIVATION_CODES: Record<ActivationName, number> = {
  sigmoid: 0,
  tanh: 1,
  relu: 2,
  'leaky-relu': 3,
  elu: 4,
  linear: 5,
};
const LOSS_CODES = { bce: 0, mse: 1 } as const;

interface Layout {
  lanes: number;
  /** Vectors per block (the kernel's inner loops run over them) and blocks in this batch. */
  block: number;
  blocks: number;
  x: number;
  y: number;
  lr: number;
  h: number;
  df: number;
  d: number;
  g: number;
  acc: number;
  state: number;
  out: number;
  end: number;
}

/** What a batch's memory layout depends on: its networks' shape (I inputs, H hidden units, N samples, P parameters),
 * how many networks, in which precision, and the epochs per learning-rate table. */
interface BatchShape {
  precision: Precision;
  count: number;
  I: number;
  H: number;
  N: number;
  P: number;
  chunk: number;
}

function layout(base: number, { precision, count, I, H, N, P, chunk }: BatchShape): Layout {
  const lanes = precision === 'f32' ? 4 : 2;
  const vectors = Math.ceil(count / lanes);
  // Enough vectors per block for the CPU to overlap independent work, few enough for the scratch (h, df) to stay
  // in L1 (2 * N * H * block * 16 bytes <= 32 KB); and at least 3 where that fits (the XOR kernel's software
  // pipeline works two vectors ahead), a smaller run training padding vectors whose results are dropped.
  const fit = Math.max(1, Math.min(16, Math.floor(1024 / (N * H))));
  const block = Math.min(fit, Math.max(3, vectors));
  const blocks = Math.ceil(vectors / block);
  let at = base;
  const take = (slots: number) => {
    const start = at;
    at += slots * 16;
    return start;
  };
  const x = take(N * I),
    y = take(N),
    lr = take(Math.ceil((chunk * (precision === 'f32' ? 4 : 8)) / 16));
  const h = take(N * H * block),
    df = take(N * H * block),
    d = take(N * block),
    g = take((H + 1) * block),
    acc = take(block);
  const state = take(blocks * (P + 4) * block),
    out = take(blocks * (N + 2) * block);
  return { lanes, block, blocks, x, y, lr, h, df, d, g, acc, state, out, end: at };
}

/** Trains `count` networks from `initial` (count x P) with the fast engine; the caller has checked support. */
export function trainManyLockstep(
  config: TrainingConfig,
  dataset: Dataset,
  initial: Float64Array,
  count: number,
  options: EngineOptions,
): EngineRun {
  const P = shapeFor(config, dataset).parameterCount;
  const samples = dataset.size;
  const metrics: TrialMetrics[] = [];
  const predictions = options.predictions ? new Float64Array(count * samples) : undefined;
  const finalParameters = options.parameters ? new Float64Array(count * P) : undefined;
  const kernel = lockstepKernel();
  for (let start = 0; start < count; start += BATCH) {
    const n = Math.min(BATCH, count - start);
    runBatch(kernel, {
      config,
      dataset,
      initial: initial.subarray(start * P, (start + n) * P),
      count: n,
      precision: options.precision,
      metrics,
      predictions: predictions?.subarray(start * samples),
      finalParameters: finalParameters?.subarray(start * P),
    });
  }
  const run: EngineRun = { engine: 'fast', precision: options.precision, metrics, retriedInF64: 0 };
  if (predictions) run.predictions = predictions;
  if (finalParameters) run.finalParameters = finalParameters;
  return run;
}

/** One batch of networks: their configuration and dataset, their initial parameters (count x P), and where their
 * metrics (appended), predictions and final parameters (written from the batch's first network on) go. */
interface Batch {
  config: TrainingConfig;
  dataset: Dataset;
  initial: Float64Array;
  count: number;
  precision: Precision;
  metrics: TrialMetrics[];
  predictions: Float64Array | undefined;
  finalParameters: Float64Array | undefined;
}

function runBatch(kernel: LockstepExports, batch: Batch): void {
  const { config, dataset, initial, count, precision, metrics, predictions, finalParameters } = batch;
  const I = dataset.inputCount,
    N = dataset.size,
    H = config.hidden[0];
  const P = I * H + 2 * H + 1;
  const chunk = Math.min(config.epochs, EPOCH_CHUNK);
  const L = layout(kernel.heapBase(), { precision, count, I, H, N, P, chunk });
  ensureMemory(kernel, L.end);
  const buffer = kernel.memory.buffer;
  const lanes = L.lanes;
  // T-typed view (one element per lane), f64 view and i32 view of the same memory; slot k starts at k * 16 bytes.
  const values = precision === 'f32' ? new Float32Array(buffer) : new Float64Array(buffer);
  const f64 = new Float64Array(buffer);
  const i32 = new Int32Array(buffer);
  const slot = (ptr: number, k: number) => ptr / 16 + k;
  const splat = (ptr: number, k: number, v: number) => values.fill(v, slot(ptr, k) * lanes, (slot(ptr, k) + 1) * lanes);

  for (let k = 0; k < N * I; k++) splat(L.x, k, dataset.inputs[k]);
  for (let k = 0; k < N; k++) splat(L.y, k, dataset.targets[k]);
  const B = L.block;
  // Network n sits in lane n % lanes of vector v = n / lanes, which is vector v % B of block v / B; a block's
  // arrays are [index][vector], so index k of network n is at slot blockBase + k * B + v % B.
  const blockSlots = (P + 4) * B;
  const stateSlot = (n: number, k: number) =>
    slot(L.state, Math.floor(n / lanes / B) * blockSlots + k * B + (Math.floor(n / lanes) % B));
  const outSlot = (n: number, k: number) =>
    slot(L.out, Math.floor(n / lanes / B) * (N + 2) * B + k * B + (Math.floor(n / lanes) % B));
  const padded = L.blocks * B * lanes;
  for (let n = 0; n < padded; n++) {
    // Lanes past the last network train a copy of the first one; their results are dropped.
    const from = n < count ? n : 0;
    const lane = n % lanes;
    for (let p = 0; p < P; p++) values[stateSlot(n, p) * lanes + lane] = initial[from * P + p];
    if (lane === 0) {
      i32.fill(-1, stateSlot(n, P) * 4, stateSlot(n, P) * 4 + 4); // ok: every lane
      i32.fill(-1, stateSlot(n, P + 1) * 4, stateSlot(n, P + 1) * 4 + 4); // ett: none
      f64.fill(0, stateSlot(n, P + 2) * 2, stateSlot(n, P + 2) * 2 + 2); // running totals
      f64.fill(0, stateSlot(n, P + 3) * 2, stateSlot(n, P + 3) * 2 + 2);
    }
  }

  const lossBounds = config.loss === 'bce' ? bceLossBounds(config.bceClip) : [-Infinity, Infinity];
  kernel.configure(
    I,
    H,
    N,
    B,
    ACTIVATION_CODES[config.activation],
    LOSS_CODES[config.loss],
    config.updateOrder === 'seed',
    config.leakySlope,
    config.eluAlpha,
    lossBounds[0],
    lossBounds[1],
    config.threshold,
    L.x,
    L.y,
    L.lr,
    L.h,
    L.df,
    L.d,
    L.g,
    L.acc,
    L.state,
    L.out,
  );
  const lrIndex = L.lr / (precision === 'f32' ? 4 : 8);
  for (let first = 0; first < config.epochs; first += chunk) {
    const epochs = Math.min(chunk, config.epochs - first);
    if (config.schedule === 'constant') {
      if (first === 0) values.fill(config.lr, lrIndex, lrIndex + chunk);
    } else {
      for (let k = 0; k < epochs; k++) values[lrIndex + k] = learningRateAt(config, first + k);
    }
    for (let k = 0; k < L.blocks; k += BLOCKS_PER_CALL) {
      kernel.setStatePointer(L.state + k * blockSlots * 16);
      const blocks = Math.min(BLOCKS_PER_CALL, L.blocks - k);
      if (precision === 'f32') kernel.trainF32(blocks, first, epochs);
      else kernel.trainF64(blocks, first, epochs);
    }
  }
  kernel.setStatePointer(L.state);
  if (precision === 'f32') kernel.finishF32(L.blocks);
  else kernel.finishF64(L.blocks);

  // Integer lanes are i32 in f32 mode and i64 in f64 mode; the low 32 bits of lane l sit at i32 index 4/lanes * l.
  const intStride = 4 / lanes;
  const targets = dataset.targets;
  for (let n = 0; n < count; n++) {
    const lane = n % lanes;
    const ok = i32[stateSlot(n, P) * 4 + lane * intStride] === -1;
    const ett = i32[stateSlot(n, P + 1) * 4 + lane * intStride];
    // f32: lanes 0-1 in the first f64x2, lanes 2-3 in the second.
    const total = f64[stateSlot(n, P + 2 + (lane >> 1)) * 2 + (lane & 1)];
    const finalLoss = values[outSlot(n, N) * lanes + lane];
    const finiteParameters = i32[outSlot(n, N + 1) * 4 + lane * intStride] === -1;
    const diverged = !ok || !Number.isFinite(total) || !finiteParameters || !Number.isFinite(finalLoss);
    let success = !diverged;
    for (let s = 0; s < N; s++) {
      const p = values[outSlot(n, s) * lanes + lane];
      if (p > 0.5 !== targets[s] > 0.5) success = false;
      if (predictions) predictions[n * N + s] = diverged ? NaN : p;
    }
    if (finalParameters)
      for (let p = 0; p < P; p++) finalParameters[n * P + p] = values[stateSlot(n, p) * lanes + lane];
    metrics.push({
      precision,
      totalLoss: diverged ? null : total,
      finalLoss: diverged ? null : finalLoss,
      success,
      epochsToThreshold: ett < 0 ? null : ett,
      diverged,
    });
  }
}
