// Messages between the playground page and its workers. Typed arrays travel transferred, not copied.
import type { Dataset, EpochQuantity, TrainingConfig } from '../../core/index.js';
import type { ChunkResult, ChunkTask, WorkerInit } from '../../study/run/browser/protocol.js';
import type { LrChange } from './state.js';

/** The input square of the decision boundary: resolution x resolution cells over [lo, hi] on both axes. */
export interface GridSpec {
  resolution: number;
  x: [number, number];
  y: [number, number];
}

export type TrainRequest =
  | {
      type: 'load';
      config: TrainingConfig;
      dataset: Dataset;
      initial: Float64Array;
      lrChanges: LrChange[];
      grid: GridSpec | null;
    }
  /** epochsPerSecond: Infinity = as fast as it goes. */
  | { type: 'play'; epochsPerSecond: number }
  | { type: 'pause' }
  | { type: 'step'; epochs: number }
  /** A new learning rate from the next epoch on (recorded as a change at that epoch). */
  | { type: 'lr'; lr: number }
  | { type: 'speed'; epochsPerSecond: number }
  /** Which costly views the page shows: each hidden layer's outputs over the grid (the neuron maps), and the
   * arithmetic of the epoch just run (the epoch panel). */
  | { type: 'views'; maps: boolean; arithmetic: boolean };

/** The arithmetic of the epoch just run, as core's training step recorded it (epochQuantities of its trace). */
export interface EpochArithmetic {
  epoch: number;
  updateOrder: string;
  learningRate: number;
  quantities: EpochQuantity[];
}

/** What changed since the last frame, and the network as it is now. */
export interface TrainFrame {
  type: 'frame';
  /** Epochs done: the parameters are those at the start of epoch `epoch` (after `epoch` updates). */
  epoch: number;
  running: boolean;
  done: boolean;
  diverged: boolean;
  /** Mean loss of the current parameters (at the end: the final loss); NaN once diverged. */
  loss: number;
  /** The rate the next epoch uses, and the schedule's base rate (the configured one, or the last change). */
  lr: number;
  baseLr: number;
  totalLoss: number;
  epochsToThreshold: number | null;
  /** Every prediction on the right side of 0.5 (the current parameters). */
  success: boolean;
  params: Float64Array;
  /** samples x outputs */
  predictions: Float64Array;
  /** The loss of every epoch run since the last frame, from epoch `lossFrom`. */
  lossFrom: number;
  losses: Float64Array;
  /** Parameters recorded since the last frame: at epochs `historyEpochs`, P values each. */
  historyEpochs: Float64Array;
  history: Float64Array;
  /** The network's output over the grid (row y, column x; y from lo to hi), when the dataset has 2 inputs. */
  grid: Float32Array | null;
  /** Per hidden layer, its outputs for every sample (samples x units): the engine's own, from its forward pass. */
  hidden: Float64Array[];
  /** Per hidden layer, its outputs over the grid (cells x units, cells as in `grid`), when the page shows the maps. */
  maps: Float64Array[] | null;
  /** The arithmetic of epoch `epoch - 1` (the one just run), sent when the run is not running and the panel is shown. */
  arithmetic: EpochArithmetic | null;
  /** Learning-rate changes so far (those loaded and those made while training). */
  lrChanges: LrChange[];
}

export type TrainReply = TrainFrame | { type: 'error'; message: string };

export type StudyRequest =
  { type: 'init'; module: WebAssembly.Module; init: WorkerInit } | { type: 'chunk'; task: ChunkTask };
export type StudyReply = { type: 'result'; result: ChunkResult } | { type: 'error'; id: number; message: string };
