// Optimisers update a range of the flat parameter vector from the same range of the gradient.
// Working on ranges lets the `seed` update order update the output layer before the hidden layers.

export const OPTIMIZER_NAMES = ['gd', 'momentum', 'adam'] as const;
/** An optimiser: gd (plain gradient descent, the article), momentum or adam. */
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

interface OptimizerSettings {
  optimizer: OptimizerName;
  momentum: number;
  beta1: number;
  beta2: number;
  adamEpsilon: number;
}

export interface Optimizer {
  /** Updates params[start..end) in place; `step` counts from 1 and is the same for every range of one epoch. */
  update(params: Float64Array, grad: Float64Array, lr: number, step: number, start: number, end: number): void;
}

export function makeOptimizer(settings: OptimizerSettings, size: number): Optimizer {
  switch (settings.optimizer) {
    case 'gd':
      return {
        update(params, grad, lr, _step, start, end) {
          for (let i = start; i < end; i++) params[i] -= lr * grad[i];
        },
      };
    case 'momentum': {
      // Heavy-ball momentum: v <- mu v + g; p <- p - lr v.
      const velocity = new Float64Array(size);
      const mu = settings.momentum;
      return {
        update(params, grad, lr, _step, start, end) {
          for (let i = start; i < end; i++) {
            velocity[i] = mu * velocity[i] + grad[i];
            params[i] -= lr * velocity[i];
          }
        },
      };
    }
    case 'adam': {
      const m = new Float64Array(size);
      const v = new Float64Array(size);
      const { beta1, beta2, adamEpsilon } = settings;
      return {
        update(params, grad, lr, step, start, end) {
          const c1 = 1 - Math.pow(beta1, step);
          const c2 = 1 - Math.pow(beta2, step);
          for (let i = start; i < end; i++) {
            const g = grad[i];
            m[i] = beta1 * m[i] + (1 - beta1) * g;
            v[i] = beta2 * v[i] + (1 - beta2) * g * g;
            params[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + adamEpsilon);
          }
        },
      };
    }
  }
}
