// One epoch's arithmetic, as the article derives it: every array the forward pass, the loss and the backward pass
// make, with its shape (samples x units, as NumPy holds it). It is recorded from the Trainer's own step (the very
// code that trains), not recomputed, so what `xorlab explain` and the playground show is what the engine did.
import type { Trainer } from './train.js';
import type { UpdateOrder } from './config.js';

/** A 2-D array as NumPy holds it: its shape [rows, columns] and its rows. */
export interface TracedArray {
  shape: [number, number];
  rows: number[][];
}

/** What the backward pass computed for one layer, and the parameters it left. */
interface LayerBackwardTrace {
  /**
   * dLoss/d(activation), samples x units, of a hidden layer: the next layer's delta times that layer's weights
   * transposed, with the weights it had when the error passed through it (in `seed` order already updated, in
   * `textbook` order those of the start of the epoch). null for the output layer.
   */
  error: TracedArray | null;
  /** dLoss/dz, samples x units (the output layer's is the article's d_predicted_output). */
  delta: TracedArray;
  /** inputs x units: the layer's input transposed times its delta (summed over the samples). */
  weightGradient: TracedArray;
  /** 1 x units: the delta summed over the samples. */
  biasGradient: TracedArray;
  /** The weights and biases after this epoch's update. */
  weights: TracedArray;
  biases: TracedArray;
}

interface LayerEpochTrace {
  /** 1-based; the last layer is the output layer. */
  layer: number;
  /** inputs x units and 1 x units, at the start of the epoch (the article's layout). */
  weights: TracedArray;
  biases: TracedArray;
  /** z = input.dot(weights) + biases, samples x units. */
  preActivation: TracedArray;
  /** f(z), samples x units. */
  activation: TracedArray;
  /** null when the epoch's loss was not finite: training stopped there and nothing was updated. */
  backward: LayerBackwardTrace | null;
}

export interface EpochTrace {
  /** 0-based: the epoch whose forward pass starts from the parameters in `layers[].weights`. */
  epoch: number;
  updateOrder: UpdateOrder;
  /** The learning rate the schedule gave this epoch. */
  learningRate: number;
  /** The mean over the samples of the loss (what the article prints as np.mean(loss)). */
  meanLoss: number;
  /** The loss was not finite: the training stopped at this epoch, before its update. */
  diverged: boolean;
  /** samples x inputs and samples x outputs. */
  inputs: TracedArray;
  targets: TracedArray;
  /** Every sample's loss, samples x outputs. */
  loss: TracedArray;
  layers: LayerEpochTrace[];
}

/** A samples x columns row-major buffer (or a slice of the flat parameter vector) as a TracedArray (copied). */
function tracedArray(values: ArrayLike<number>, rows: number, columns: number, offset = 0): TracedArray {
  return {
    shape: [rows, columns],
    rows: Array.from({ length: rows }, (_, r) =>
      Array.from({ length: columns }, (_, c) => values[offset + r * columns + c]),
    ),
  };
}

/**
 * Runs the trainer's next epoch (Trainer.step, nothing else) and returns what it computed. Throws RangeError when
 * the training is already done.
 */
export function traceEpoch(trainer: Trainer): EpochTrace {
  if (trainer.done)
    throw new RangeError(
      `the training is done (epoch ${trainer.epoch} of ${trainer.config.epochs}${trainer.diverged ? ', diverged' : ''}): no epoch left to trace`,
    );
  const { net, dataset, config } = trainer;
  const { layers } = net.shape;
  const n = dataset.size;
  const epoch = trainer.epoch;
  const learningRate = trainer.learningRate;
  const start = Float64Array.from(trainer.params);
  const meanLoss = trainer.step();
  const diverged = trainer.diverged;
  const pass = net.lastPass();
  const last = layers.length - 1;
  return {
    epoch,
    updateOrder: config.updateOrder,
    learningRate,
    meanLoss,
    diverged,
    inputs: tracedArray(dataset.inputs, n, dataset.inputCount),
    targets: tracedArray(dataset.targets, n, dataset.outputCount),
    loss: tracedArray(pass.sampleLoss, n, dataset.outputCount),
    layers: layers.map(({ inputs, units, weightOffset, biasOffset }, l) => ({
      layer: l + 1,
      weights: tracedArray(start, inputs, units, weightOffset),
      biases: tracedArray(start, 1, units, biasOffset),
      preActivation: tracedArray(pass.pre[l + 1], n, units),
      activation: tracedArray(pass.acts[l + 1], n, units),
      backward: diverged
        ? null
        : {
            error: l === last ? null : tracedArray(pass.error[l + 1], n, units),
            delta: tracedArray(pass.delta[l + 1], n, units),
            weightGradient: tracedArray(net.grad, inputs, units, weightOffset),
            biasGradient: tracedArray(net.grad, 1, units, biasOffset),
            weights: tracedArray(trainer.params, inputs, units, weightOffset),
            biases: tracedArray(trainer.params, 1, units, biasOffset),
          },
    })),
  };
}
