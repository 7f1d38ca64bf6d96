// A training configuration as the core reads it: plain data, no validation here (src/config/ holds the one table
// of parameters with their defaults and ranges, and the schema that checks input from people and files).
import type { ActivationName } from './activations.js';
import type { LossName } from './losses.js';
import type { OptimizerName } from './optimizers.js';
import type { ScheduleName } from './schedules.js';

export const INIT_NAMES = ['normal', 'xavier-normal', 'xavier-uniform', 'he-normal', 'file'] as const;
export type InitName = (typeof INIT_NAMES)[number];
export const UPDATE_ORDERS = ['textbook', 'seed'] as const;
export type UpdateOrder = (typeof UPDATE_ORDERS)[number];

/** Everything that decides one training (with a seed or initial parameters). */
export type TrainingConfig = {
  /** A built-in dataset name (xor, and, ..., parity2..8) or the path of a .csv/.json truth table. */
  dataset: string;
  /** Units per hidden layer; [] is a network without hidden layers. */
  hidden: number[];
  activation: ActivationName;
  outputActivation: ActivationName;
  leakySlope: number;
  eluAlpha: number;
  loss: LossName;
  /** Clamp each BCE term as if the prediction were clipped to [eps, 1-eps]; the article used 1e-15. 0 = exact. */
  bceClip: number;
  optimizer: OptimizerName;
  momentum: number;
  beta1: number;
  beta2: number;
  adamEpsilon: number;
  schedule: ScheduleName;
  stepEvery: number;
  stepGamma: number;
  expGamma: number;
  minLr: number;
  lr: number;
  epochs: number;
  init: InitName;
  /** Std of the normal initialisation of every hidden layer (weights and biases). */
  hiddenStd: number;
  /** Std of the normal initialisation of the output layer (weights and biases). */
  outputStd: number;
  updateOrder: UpdateOrder;
  /** epochsToThreshold is the first epoch whose mean loss is below this. */
  threshold: number;
};
