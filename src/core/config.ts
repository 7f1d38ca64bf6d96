// A training configuration as the core reads it: plain data, no validation here (src/config/ holds the one table
// of parameters with their defaults and ranges, and the schema that checks input from people and files).
import type { ActivationName } from './activations.js';
import type { LossName } from './losses.js';
import type { OptimizerName } from './optimizers.js';
import type { ScheduleName } from './schedules.js';
import { XorlabError } from '../text/errors.js';

/** The engines that train: the fast lockstep WebAssembly kernel (Node), or the readable reference engine (core). */
export const ENGINE_NAMES = ['fast', 'reference'] as const;
/** An engine: `fast` (WebAssembly SIMD, many networks at once) or `reference` (the readable engine). */
export type EngineName = (typeof ENGINE_NAMES)[number];
/** The fast engine's arithmetic (the reference engine is always f64). */
export const PRECISIONS = ['f32', 'f64'] as const;
/** The fast engine's arithmetic: `f32` or `f64`. */
export type Precision = (typeof PRECISIONS)[number];

/** A training configuration, a seed or a training option that is not allowed; the message names it. */
export class ConfigError extends XorlabError {}

export const INIT_NAMES = ['normal', 'xavier-normal', 'xavier-uniform', 'he-normal', 'file'] as const;
/** How the starting parameters are drawn: normal (hiddenStd, outputStd), xavier-normal, xavier-uniform, he-normal, or file (given). */
export type InitName = (typeof INIT_NAMES)[number];
export const UPDATE_ORDERS = ['textbook', 'seed'] as const;
/** textbook: every layer's gradient from the same parameters (true gradient descent); seed: the article's code, output layer first. */
export type UpdateOrder = (typeof UPDATE_ORDERS)[number];

/** Everything that decides one training (with a seed or initial parameters). */
export type TrainingConfig = {
  /** A built-in dataset name (xor, and, ..., parity2..8) or the path of a .csv/.json truth table. */
  dataset: string;
  /** Units per hidden layer; [] is a network without hidden layers. */
  hidden: number[];
  /** Activation of the hidden layers (default sigmoid). */
  activation: ActivationName;
  /** Activation of the output layer (default sigmoid; bce needs sigmoid). */
  outputActivation: ActivationName;
  /** Slope of leaky-relu below zero. */
  leakySlope: number;
  /** alpha of elu: alpha (e^z - 1) below zero. */
  eluAlpha: number;
  /** bce (binary cross-entropy, the article) or mse. */
  loss: LossName;
  /** Clamp each BCE term as if the prediction were clipped to [eps, 1-eps]; the article used 1e-15. 0 = exact. */
  bceClip: number;
  /** gd (plain gradient descent, the article), momentum or adam. */
  optimizer: OptimizerName;
  /** The momentum optimiser's coefficient. */
  momentum: number;
  /** Adam's beta1. */
  beta1: number;
  /** Adam's beta2. */
  beta2: number;
  /** Adam's epsilon. */
  adamEpsilon: number;
  /** Learning-rate schedule: constant (default), step, exponential or cosine. */
  schedule: ScheduleName;
  /** step schedule: epochs between drops. */
  stepEvery: number;
  /** step schedule: the factor at each drop. */
  stepGamma: number;
  /** exponential schedule: the factor per epoch. */
  expGamma: number;
  /** cosine schedule: the final learning rate. */
  minLr: number;
  /** Learning rate (default 0.1, the article's). */
  lr: number;
  /** Epochs of full-batch training (default 10,000). */
  epochs: number;
  /** How the starting parameters are drawn (default normal, with hiddenStd and outputStd). */
  init: InitName;
  /** Std of the normal initialisation of every hidden layer (weights and biases). */
  hiddenStd: number;
  /** Std of the normal initialisation of the output layer (weights and biases). */
  outputStd: number;
  /** textbook (default): true gradient descent; seed: the article's code, output layer updated first. */
  updateOrder: UpdateOrder;
  /** epochsToThreshold is the first epoch whose mean loss is below this. */
  threshold: number;
};
