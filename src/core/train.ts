// One training: full-batch gradient descent (or momentum/Adam) on a dataset, written out by hand.
import { makeActivation, type Activation } from './activations.js';
import type { TrainingConfig } from './config.js';
import type { Dataset } from './datasets.js';
import { initialParameters } from './init.js';
import { makeLoss, type Loss } from './losses.js';
import { makeShape, type NetworkShape } from './network.js';
import { makeOptimizer, type Optimizer } from './optimizers.js';
import { Rng } from './rng.js';
import { learningRateAt } from './schedules.js';

/** What one training measured. */
export interface TrainingMetrics {
  /** The article's metric: the sum over all epochs of the mean loss over the samples. null if diverged. */
  totalLoss: number | null;
  /** Mean loss of the final parameters. null if diverged. */
  finalLoss: number | null;
  /** Predictions of the final parameters, samples x outputs. null if diverged. */
  predictions: number[][] | null;
  /** Every prediction on the same side of 0.5 as its target. */
  success: boolean;
  /** First epoch (0-based) whose mean loss is below the threshold; null if never. */
  epochsToThreshold: number | null;
  /** A loss or parameter became NaN or infinite; training stopped there. */
  diverged: boolean;
}

/** The mean loss over the samples at one epoch. */
export interface TraceEntry {
  epoch: number;
  loss: number;
}

export interface Snapshot {
  epoch: number;
  /** NaN or infinite only in the snapshot of the epoch where training diverged. */
  loss: number;
  parameters: number[];
}

export interface TrainingOptions {
  /** Record {epoch, loss} at every epoch that is a multiple of this (0: never). */
  traceEvery?: number;
  /** Record every parameter at every epoch that is a multiple of this, and after the last update (0: never). */
  snapshotEvery?: number;
}

export interface TrainingResult {
  metrics: TrainingMetrics;
  initialParameters: Float64Array;
  finalParameters: Float64Array;
  trace: TraceEntry[];
  snapshots: Snapshot[];
}

export function shapeFor(config: Pick<TrainingConfig, 'hidden'>, dataset: Dataset): NetworkShape {
  return makeShape([dataset.inputCount, ...config.hidden, dataset.outputCount]);
}

/** The starting parameters that `seed` gives for this configuration (not for init "file"). */
export function seededInitialParameters(config: TrainingConfig, dataset: Dataset, seed: number): Float64Array {
  return initialParameters(config, shapeFor(config, dataset), new Rng(seed));
}

/**
 * Forward and backward passes over the whole dataset, with buffers allocated once.
 * The objective whose gradient is taken is the loss summed over the samples (the article's updates sum the
 * per-sample gradients); the reported loss is the mean over the samples, as the article prints it.
 */
export class Network {
  readonly shape: NetworkShape;
  private readonly hiddenActivation: Activation;
  private readonly outputActivation: Activation;
  private readonly loss: Loss;
  /** acts[l] holds layer l's outputs for every sample; acts[0] is the dataset's inputs. */
  private readonly acts: Float64Array[];
  private readonly pre: Float64Array[];
  private readonly delta: Float64Array[];
  /** error[l]: dLoss/d(output) of hidden layer l for every sample, before the activation's derivative. */
  private readonly error: Float64Array[];
  /** The loss of every sample and output in the last forward pass. */
  private readonly sampleLoss: Float64Array;
  readonly grad: Float64Array;

  constructor(
    readonly config: TrainingConfig,
    readonly dataset: Dataset,
  ) {
    this.shape = shapeFor(config, dataset);
    const options = { leakySlope: config.leakySlope, eluAlpha: config.eluAlpha };
    this.hiddenActivation = makeActivation(config.activation, options);
    this.outputActivation = makeActivation(config.outputActivation, options);
    this.loss = makeLoss(config.loss, config.bceClip);
    const n = dataset.size;
    this.acts = this.shape.sizes.map((size, l) => (l === 0 ? dataset.inputs : new Float64Array(n * size)));
    this.pre = this.shape.sizes.map((size) => new Float64Array(n * size));
    this.delta = this.shape.sizes.map((size) => new Float64Array(n * size));
    this.error = this.shape.sizes.map((size) => new Float64Array(n * size));
    this.sampleLoss = new Float64Array(n * dataset.outputCount);
    this.grad = new Float64Array(this.shape.parameterCount);
  }

  /** Runs every sample forward; returns the mean (over samples) of the loss summed over outputs. */
  forward(params: Float64Array): number {
    const { layers } = this.shape;
    const n = this.dataset.size;
    const last = layers.length - 1;
    for (let l = 0; l <= last; l++) {
      const { inputs, units, weightOffset, biasOffset } = layers[l];
      const input = this.acts[l];
      const z = this.pre[l + 1];
      const a = this.acts[l + 1];
      const f = l === last ? this.outputActivation.f : this.hiddenActivation.f;
      for (let s = 0; s < n; s++) {
        for (let j = 0; j < units; j++) {
          let sum = params[biasOffset + j];
          for (let i = 0; i < inputs; i++) sum += input[s * inputs + i] * params[weightOffset + i * units + j];
          z[s * units + j] = sum;
          a[s * units + j] = f(sum);
        }
      }
    }
    const outputs = this.shape.sizes[last + 1];
    const z = this.pre[last + 1];
    const a = this.acts[last + 1];
    const y = this.dataset.targets;
    const sampleLoss = this.sampleLoss;
    let total = 0;
    for (let k = 0; k < n * outputs; k++) {
      const value = this.loss.value(z[k], a[k], y[k]);
      sampleLoss[k] = value;
      total += value;
    }
    return total / n;
  }

  /**
   * Backpropagates from the last forward pass. With `updateLayer`, each layer is handed to it as soon as its
   * gradient is known and before the error is passed further back (the article's `seed` order: the hidden
   * gradient then sees the already-updated output weights). Without it, `grad` ends up holding the full gradient.
   */
  backward(params: Float64Array, updateLayer?: (start: number, end: number) => void): void {
    const { layers, sizes } = this.shape;
    const n = this.dataset.size;
    const last = layers.length - 1;
    const grad = this.grad;
    // Output delta: dLoss/dz of every output.
    {
      const z = this.pre[last + 1];
      const a = this.acts[last + 1];
      const y = this.dataset.targets;
      const d = this.delta[last + 1];
      for (let k = 0; k < n * sizes[last + 1]; k++) d[k] = this.loss.dz(z[k], a[k], y[k], this.outputActivation);
    }
    for (let l = last; l >= 0; l--) {
      const { inputs, units, weightOffset, biasOffset, end } = layers[l];
      const input = this.acts[l];
      const d = this.delta[l + 1];
      for (let i = 0; i < inputs; i++) {
        for (let j = 0; j < units; j++) {
          let g = 0;
          for (let s = 0; s < n; s++) g += input[s * inputs + i] * d[s * units + j];
          grad[weightOffset + i * units + j] = g;
        }
      }
      for (let j = 0; j < units; j++) {
        let g = 0;
        for (let s = 0; s < n; s++) g += d[s * units + j];
        grad[biasOffset + j] = g;
      }
      if (updateLayer) updateLayer(weightOffset, end);
      if (l === 0) break;
      // Pass the error back through this layer's weights (already updated in `seed` order).
      const below = this.delta[l];
      const errorBelow = this.error[l];
      const zBelow = this.pre[l];
      const df = this.hiddenActivation.df;
      for (let s = 0; s < n; s++) {
        for (let i = 0; i < inputs; i++) {
          let e = 0;
          for (let j = 0; j < units; j++) e += params[weightOffset + i * units + j] * d[s * units + j];
          errorBelow[s * inputs + i] = e;
          below[s * inputs + i] = e * df(zBelow[s * inputs + i], input[s * inputs + i]);
        }
      }
    }
  }

  /**
   * What the last forward and backward passes computed, samples x units row-major, indexed by layer (0: inputs):
   * pre-activations z, activations a, deltas dLoss/dz, errors dLoss/da (hidden layers), and every sample's loss.
   * Views of the buffers the next pass overwrites: copy what you keep (epochTrace does).
   */
  lastPass(): {
    pre: readonly Float64Array[];
    acts: readonly Float64Array[];
    delta: readonly Float64Array[];
    error: readonly Float64Array[];
    sampleLoss: Float64Array;
  } {
    return { pre: this.pre, acts: this.acts, delta: this.delta, error: this.error, sampleLoss: this.sampleLoss };
  }

  /** Predictions of the last forward pass, samples x outputs. */
  predictions(): number[][] {
    const outputs = this.shape.sizes[this.shape.sizes.length - 1];
    const a = this.acts[this.acts.length - 1];
    return Array.from({ length: this.dataset.size }, (_, s) => Array.from(a.subarray(s * outputs, (s + 1) * outputs)));
  }

  /** The sum-over-samples loss and its gradient at `params` (for gradient checks). */
  lossAndGradient(params: Float64Array): { loss: number; grad: Float64Array } {
    const loss = this.forward(params) * this.dataset.size;
    this.backward(params);
    return { loss, grad: Float64Array.from(this.grad) };
  }
}

function allFinite(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

/**
 * One training, an epoch at a time: what train() runs to the end, and what a live page steps through (pausing,
 * stepping, changing the learning rate between epochs). Deterministic: no randomness is drawn here.
 */
export class Trainer {
  readonly net: Network;
  /** The parameters at the start of epoch `epoch` (updated in place). */
  readonly params: Float64Array;
  /** Epochs done (the next epoch to run). */
  epoch = 0;
  totalLoss = 0;
  epochsToThreshold: number | null = null;
  /** A loss or the running total became NaN or infinite: training has stopped. */
  diverged = false;
  private readonly optimizer: Optimizer;
  /** The schedule's settings; setLearningRate changes its base rate for the epochs still to run. */
  private readonly schedule: TrainingConfig;

  constructor(
    readonly config: TrainingConfig,
    readonly dataset: Dataset,
    initial: Float64Array,
  ) {
    this.net = new Network(config, dataset);
    if (initial.length !== this.net.shape.parameterCount) {
      throw new RangeError(`expected ${this.net.shape.parameterCount} initial parameters, got ${initial.length}`);
    }
    this.params = Float64Array.from(initial);
    this.optimizer = makeOptimizer(config, this.params.length);
    this.schedule = { ...config };
  }

  /** Whether every configured epoch has run (or training diverged). */
  get done(): boolean {
    return this.diverged || this.epoch >= this.config.epochs;
  }

  /** The learning rate the schedule gives the next epoch. */
  get learningRate(): number {
    return learningRateAt(this.schedule, this.epoch);
  }

  /** The schedule's base rate: the configured lr, or the last one set. */
  get baseLearningRate(): number {
    return this.schedule.lr;
  }

  /** Sets the base learning rate (the schedule's `lr`) from the next epoch on. */
  setLearningRate(lr: number): void {
    this.schedule.lr = lr;
  }

  /**
   * Runs epoch `epoch`: the forward pass (whose mean loss counts into totalLoss), then the backward pass and the
   * update. `afterForward` sees the epoch, its loss and the parameters before the update. Returns the epoch's loss;
   * on a non-finite total, marks the training diverged and updates nothing.
   */
  step(afterForward?: (epoch: number, loss: number, params: Float64Array) => void): number {
    const epoch = this.epoch;
    const loss = this.net.forward(this.params);
    afterForward?.(epoch, loss, this.params);
    this.totalLoss += loss;
    // A sum that overflows (finite but enormous losses) has diverged as surely as a NaN.
    if (!Number.isFinite(this.totalLoss)) {
      this.diverged = true;
      return loss;
    }
    if (this.epochsToThreshold === null && loss < this.config.threshold) this.epochsToThreshold = epoch;
    const lr = learningRateAt(this.schedule, epoch);
    const step = epoch + 1;
    const { net, params, optimizer } = this;
    if (this.config.updateOrder === 'seed') {
      net.backward(params, (start, end) => optimizer.update(params, net.grad, lr, step, start, end));
    } else {
      net.backward(params);
      optimizer.update(params, net.grad, lr, step, 0, params.length);
    }
    this.epoch = step;
    return loss;
  }

  /** Mean loss and predictions of the current parameters (a forward pass; the training's state is unchanged). */
  evaluate(): { loss: number; predictions: number[][] } {
    const loss = this.net.forward(this.params);
    return { loss, predictions: this.net.predictions() };
  }

  /** The metrics of the parameters as they are now (train() calls it once every epoch has run). */
  metrics(): TrainingMetrics {
    let diverged = this.diverged;
    let finalLoss: number | null = null;
    let predictions: number[][] | null = null;
    if (!diverged) {
      const now = this.evaluate();
      if (Number.isFinite(now.loss) && allFinite(this.params)) {
        finalLoss = now.loss;
        predictions = now.predictions;
      } else {
        diverged = true;
      }
    }
    const targets = this.dataset.targets;
    const success = predictions !== null && predictions.flat().every((p, k) => p > 0.5 === targets[k] > 0.5);
    return {
      totalLoss: diverged ? null : this.totalLoss,
      finalLoss,
      predictions,
      success,
      epochsToThreshold: this.epochsToThreshold,
      diverged,
    };
  }
}

/** Trains from the given initial parameters. Deterministic: no randomness is drawn here. */
export function train(
  config: TrainingConfig,
  dataset: Dataset,
  initial: Float64Array,
  options: TrainingOptions = {},
): TrainingResult {
  const trainer = new Trainer(config, dataset, initial);
  const traceEvery = options.traceEvery ?? 0;
  const snapshotEvery = options.snapshotEvery ?? 0;
  const trace: TraceEntry[] = [];
  const snapshots: Snapshot[] = [];
  // The parameters are recorded even at the epoch that diverges, so a trajectory always has its start.
  const record =
    snapshotEvery > 0
      ? (epoch: number, loss: number, params: Float64Array) => {
          if (epoch % snapshotEvery === 0) snapshots.push({ epoch, loss, parameters: Array.from(params) });
        }
      : undefined;
  while (!trainer.done) {
    const epoch = trainer.epoch;
    const loss = trainer.step(record);
    if (!trainer.diverged && traceEvery > 0 && epoch % traceEvery === 0) trace.push({ epoch, loss });
  }
  const metrics = trainer.metrics();
  if (metrics.finalLoss !== null && snapshotEvery > 0)
    snapshots.push({ epoch: config.epochs, loss: metrics.finalLoss, parameters: Array.from(trainer.params) });
  return { metrics, initialParameters: Float64Array.from(initial), finalParameters: trainer.params, trace, snapshots };
}

/** Draws the initial parameters from `seed` and trains. */
export function trainFromSeed(
  config: TrainingConfig,
  dataset: Dataset,
  seed: number,
  options: TrainingOptions = {},
): TrainingResult {
  return train(config, dataset, seededInitialParameters(config, dataset, seed), options);
}
