// Losses per sample and output. Each gives its value and its derivative with respect to the output unit's
// pre-activation z (the "delta" that backpropagation starts from).
import type { Activation } from './activations.js';

export const LOSS_NAMES = ['bce', 'mse'] as const;
/** A loss: bce (binary cross-entropy, needs a sigmoid output) or mse (mean squared error). */
export type LossName = (typeof LOSS_NAMES)[number];

export interface Loss {
  readonly name: LossName;
  /** Loss of one output given its pre-activation z, its activation a and the target y. */
  readonly value: (z: number, a: number, y: number) => number;
  /** dLoss/dz given z, a = f(z), y and the output activation. */
  readonly dz: (z: number, a: number, y: number, output: Activation) => number;
}

/**
 * Binary cross-entropy of a sigmoid output, written in terms of z so it is exact for any z:
 *   -[y log s(z) + (1-y) log(1-s(z))] = max(z, 0) - y z + log(1 + e^-|z|).
 * The article instead clips the prediction to [1e-15, 1 - 1e-15] before taking logs, which caps one sample's
 * loss at -ln(1e-15) = 34.54. Because -log is monotone, clipping the prediction equals clamping this exact loss
 * to [-ln(1 - eps), -ln(eps)]; `clip` = eps does that (0 = no clipping). Only a saturated network, |z| > 34.5,
 * sees a difference. Like the article, the gradient is the unclipped s(z) - y.
 */
function bceFromLogit(z: number, y: number): number {
  return Math.max(z, 0) - y * z + Math.log1p(Math.exp(-Math.abs(z)));
}

/** [lower, upper] bounds of one BCE term when predictions are clipped to [clip, 1 - clip]; clip 0: [0, Infinity]. */
export function bceLossBounds(clip: number): [number, number] {
  return clip > 0 ? [-Math.log1p(-clip), -Math.log(clip)] : [0, Infinity];
}

export function makeLoss(name: LossName, clip = 0): Loss {
  switch (name) {
    case 'bce': {
      const [lower, upper] = bceLossBounds(clip);
      return {
        name,
        value: (z, _a, y) => {
          const loss = bceFromLogit(z, y);
          return loss > upper ? upper : loss < lower ? lower : loss;
        },
        dz: (_z, a, y) => a - y,
      };
    }
    case 'mse':
      return {
        name,
        value: (_z, a, y) => (a - y) * (a - y),
        dz: (z, a, y, output) => 2 * (a - y) * output.df(z, a),
      };
  }
}
