// The playground's live training: core's Trainer (the reference engine, the very code of `xorlab train`) stepped
// an epoch at a time in a Web Worker, so the page stays responsive. It runs at the speed asked for, pauses, steps,
// takes a new learning rate between epochs, and posts a frame (loss, parameters, predictions, the output over the
// input square) at most every FRAME_MS while it runs.
import { makeDataset } from '../../core/datasets.js';
import { epochQuantities } from '../../core/epoch-quantities.js';
import { traceEpoch } from '../../core/epoch-trace.js';
import { Network, Trainer } from '../../core/train.js';
import type { LrChange } from '../playground/state.js';
import type { EpochArithmetic, GridSpec, TrainFrame, TrainReply, TrainRequest } from '../playground/protocol.js';

/** Longest stretch of training between two looks at the message queue (pause, new rate). */
const SLICE_MS = 12;
/** Frames per second at most. */
const FRAME_MS = 33;
/** Parameters recorded per run at most (for the weights chart): every ceil(epochs / HISTORY_POINTS) epochs. */
const HISTORY_POINTS = 2000;

const scope = self as unknown as {
  postMessage(message: TrainReply, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<TrainRequest>) => void) | null;
};

interface Run {
  trainer: Trainer;
  gridNet: Network | null;
  /** The arithmetic of the last epoch run, when it was recorded (the epoch panel is shown). */
  arithmetic: EpochArithmetic | null;
  recordEvery: number;
  /** Changes still to apply (from a link), in epoch order; and every change applied or made. */
  pending: LrChange[];
  changes: LrChange[];
  lossFrom: number;
  losses: number[];
  historyEpochs: number[];
  history: number[];
}

let run: Run | null = null;
let running = false;
let epochsPerSecond = Infinity;
/** Pacing: epochs that should have run since `paceStart`. */
let paceStart = 0;
let paceEpoch = 0;
let timer: ReturnType<typeof setTimeout> | null = null;
let lastFrame = 0;
/** The page shows the neuron maps: only then are the hidden layers' outputs over the grid sent. */
let wantMaps = false;
/** The page shows the epoch panel: only then is the last epoch of each stretch recorded. */
let wantArithmetic = false;

/** Copies of each hidden layer's outputs from a network's last forward pass (core's own buffers). */
function hiddenOutputs(net: Network): Float64Array[] {
  return net
    .lastPass()
    .acts.slice(1, -1)
    .map((a) => Float64Array.from(a));
}

function gridRows(grid: GridSpec): number[][] {
  const rows: number[][] = [];
  const { resolution: n, x, y } = grid;
  const at = (range: [number, number], i: number) => range[0] + ((i + 0.5) * (range[1] - range[0])) / n;
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) rows.push([at(x, i), at(y, j)]);
  return rows;
}

function gridNetwork(
  config: Run['trainer']['config'],
  grid: GridSpec,
  inputCount: number,
  outputCount: number,
): Network {
  if (inputCount !== 2) throw new Error('a decision boundary needs 2 inputs');
  const rows = gridRows(grid);
  return new Network(
    config,
    makeDataset(
      'grid',
      rows,
      rows.map(() => new Array<number>(outputCount).fill(0)),
    ),
  );
}

function record(r: Run, epoch: number, params: Float64Array): void {
  r.historyEpochs.push(epoch);
  for (let p = 0; p < params.length; p++) r.history.push(params[p]);
}

/** One epoch, applying a pending learning-rate change first; with `traced`, core records its arithmetic. */
function stepOnce(r: Run, traced = false): void {
  const t = r.trainer;
  if (r.pending.length && r.pending[0].epoch === t.epoch) t.setLearningRate(r.pending.shift()!.lr);
  if (t.epoch % r.recordEvery === 0) record(r, t.epoch, t.params);
  let loss: number;
  if (traced) {
    const trace = traceEpoch(t);
    loss = trace.meanLoss;
    r.arithmetic = {
      epoch: trace.epoch,
      updateOrder: trace.updateOrder,
      learningRate: trace.learningRate,
      quantities: epochQuantities(trace, t.config),
    };
  } else {
    loss = t.step();
    r.arithmetic = null;
  }
  r.losses.push(loss);
  if (t.done && !t.diverged) record(r, t.epoch, t.params);
}

function post(r: Run): void {
  const t = r.trainer;
  const now = t.diverged ? null : t.evaluate();
  const P = t.params.length;
  let grid: Float32Array | null = null;
  if (r.gridNet && now) {
    r.gridNet.forward(t.params);
    const out = r.gridNet.predictions();
    grid = Float32Array.from(out, (row) => row[0]);
  }
  // evaluate() and the grid's forward pass left each layer's outputs in the networks' buffers.
  const maps = grid && wantMaps && r.gridNet ? hiddenOutputs(r.gridNet) : null;
  const hidden = now ? hiddenOutputs(t.net) : [];
  const targets = t.dataset.targets;
  const predictions = Float64Array.from(now ? now.predictions.flat() : new Array<number>(targets.length).fill(NaN));
  const frame: TrainFrame = {
    type: 'frame',
    epoch: t.epoch,
    running,
    done: t.done,
    diverged: t.diverged,
    loss: now ? now.loss : NaN,
    lr: t.learningRate,
    baseLr: t.baseLearningRate,
    totalLoss: t.totalLoss,
    epochsToThreshold: t.epochsToThreshold,
    success: now !== null && Number.isFinite(now.loss) && predictions.every((p, k) => p > 0.5 === targets[k] > 0.5),
    params: Float64Array.from(t.params),
    predictions,
    lossFrom: r.lossFrom,
    losses: Float64Array.from(r.losses),
    historyEpochs: Float64Array.from(r.historyEpochs),
    history: Float64Array.from(r.history),
    grid,
    hidden,
    maps,
    arithmetic: running ? null : r.arithmetic,
    lrChanges: [...r.changes],
  };
  r.lossFrom += r.losses.length;
  r.losses = [];
  r.historyEpochs = [];
  r.history = [];
  if (frame.history.length !== frame.historyEpochs.length * P) throw new Error('history out of step');
  lastFrame = performance.now();
  const transfer = [
    frame.params,
    frame.predictions,
    frame.losses,
    frame.historyEpochs,
    frame.history,
    ...(grid ? [grid] : []),
    ...hidden,
    ...(maps ?? []),
  ].map((a) => a.buffer as ArrayBuffer);
  scope.postMessage(frame, transfer);
}

function stop(): void {
  running = false;
  if (timer !== null) clearTimeout(timer);
  timer = null;
}

function schedule(delay: number): void {
  if (timer !== null) clearTimeout(timer);
  timer = setTimeout(tick, delay);
}

function tick(): void {
  timer = null;
  const r = run;
  if (!r || !running) return;
  const t = r.trainer;
  const start = performance.now();
  const target = Number.isFinite(epochsPerSecond)
    ? paceEpoch + Math.floor(((start - paceStart) / 1000) * epochsPerSecond)
    : Infinity;
  // The stretch's last epoch is recorded (when the panel is shown), so a pause shows the epoch just computed.
  while (!t.done && t.epoch < target) {
    const last = performance.now() - start >= SLICE_MS || t.epoch + 1 >= target || t.epoch + 1 >= t.config.epochs;
    stepOnce(r, last && wantArithmetic);
    if (last) break;
  }
  if (t.done) running = false;
  const now = performance.now();
  if (!running || now - lastFrame >= FRAME_MS) post(r);
  if (!running) return;
  // Ahead of the pace: wait until the next epoch is due (at least a frame's time at slow speeds).
  const wait =
    t.epoch < target
      ? 0
      : Math.min(FRAME_MS, Math.max(1, ((t.epoch + 1 - paceEpoch) / epochsPerSecond) * 1000 - (now - paceStart)));
  schedule(wait);
}

function restartPace(r: Run): void {
  paceStart = performance.now();
  paceEpoch = r.trainer.epoch;
}

scope.onmessage = (event) => {
  const message = event.data;
  try {
    switch (message.type) {
      case 'load': {
        stop();
        const { config, dataset, initial, lrChanges, grid } = message;
        const trainer = new Trainer(config, dataset, initial);
        const gridNet =
          grid && dataset.inputCount === 2 ? gridNetwork(config, grid, dataset.inputCount, dataset.outputCount) : null;
        run = {
          trainer,
          gridNet,
          arithmetic: null,
          recordEvery: Math.max(1, Math.ceil(config.epochs / HISTORY_POINTS)),
          pending: [...lrChanges],
          changes: [...lrChanges],
          lossFrom: 0,
          losses: [],
          historyEpochs: [],
          history: [],
        };
        post(run);
        break;
      }
      case 'play':
        if (!run || run.trainer.done) break;
        epochsPerSecond = message.epochsPerSecond;
        running = true;
        restartPace(run);
        lastFrame = 0;
        schedule(0);
        break;
      case 'views':
        wantMaps = message.maps;
        wantArithmetic = message.arithmetic;
        if (run && !running) post(run);
        break;
      case 'speed':
        epochsPerSecond = message.epochsPerSecond;
        if (run) restartPace(run);
        break;
      case 'pause':
        stop();
        if (run) post(run);
        break;
      case 'step': {
        stop();
        if (!run) break;
        for (let k = 0; k < message.epochs && !run.trainer.done; k++)
          stepOnce(run, wantArithmetic && k === message.epochs - 1);
        post(run);
        break;
      }
      case 'lr': {
        if (!run || run.trainer.done) break;
        const epoch = run.trainer.epoch;
        run.trainer.setLearningRate(message.lr);
        // A change at epoch 0 is the starting rate itself (the page sets it); later ones are replayed by a link.
        run.changes = run.changes.filter((c) => c.epoch < epoch);
        run.pending = [];
        if (epoch > 0) run.changes.push({ epoch, lr: message.lr });
        post(run);
        break;
      }
    }
  } catch (error) {
    stop();
    scope.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
};
