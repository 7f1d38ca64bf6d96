// The article's network and training, written once: XOR, 2-2-1 sigmoid, binary cross-entropy clipped at 1e-15 as
// its code clips, plain gradient descent at lr 0.1 for 10,000 epochs, normal initialisation with the output std
// 0.8165 of its study, and its update order (`seed`: the output layer is updated before the hidden error is taken).
import type { TrainingConfig, UpdateOrder } from '../core/config.js';
import { xavierStd } from '../core/init.js';

const ARTICLE_CONFIG = {
  dataset: 'xor',
  hidden: [2],
  activation: 'sigmoid',
  outputActivation: 'sigmoid',
  loss: 'bce',
  bceClip: 1e-15,
  optimizer: 'gd',
  lr: 0.1,
  epochs: 10_000,
  init: 'normal',
  hiddenStd: 1,
  outputStd: 0.8165,
  updateOrder: 'seed',
} as const satisfies Partial<TrainingConfig>;

/** The Xavier/Glorot prediction for the article's hidden layer (2 inputs, 2 units): exactly 1/sqrt(2). */
export const XAVIER = xavierStd(2, 2);

/** The stds the article compares: 1 (its first choice), 1/sqrt(2), and 0.6 (its measured minimum). */
export const CLAIM_STDS = [1, XAVIER, 0.6] as const;

/** The article's configuration in an update order and a number of epochs. */
export function articleConfig(order: UpdateOrder, epochs: number): Partial<TrainingConfig> {
  return { ...ARTICLE_CONFIG, hidden: [...ARTICLE_CONFIG.hidden], epochs, updateOrder: order };
}
