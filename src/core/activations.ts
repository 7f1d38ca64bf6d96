// Activation functions, each a named object with its function and its derivative.
// The derivative receives both the pre-activation z and the activation a = f(z), so that sigmoid and tanh
// can use the cheap forms a(1-a) and 1-a^2 (as the article does) while relu and elu look at z.

export interface Activation {
  readonly name: ActivationName;
  /** f(z) */
  readonly f: (z: number) => number;
  /** f'(z), given z and a = f(z) */
  readonly df: (z: number, a: number) => number;
}

export const ACTIVATION_NAMES = ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'elu', 'linear'] as const;
/** An activation function: sigmoid, tanh, relu, leaky-relu (leakySlope), elu (eluAlpha) or linear. */
export type ActivationName = (typeof ACTIVATION_NAMES)[number];

interface ActivationOptions {
  /** Slope of leaky-relu for z < 0. */
  leakySlope: number;
  /** Scale of elu for z < 0: alpha (e^z - 1). */
  eluAlpha: number;
}

/** A sigmoid that never evaluates exp of a large positive number. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** The activation `name`; leaky-relu and elu need their `options` (the configuration's leakySlope and eluAlpha). */
export function makeActivation(name: ActivationName, options?: ActivationOptions): Activation {
  switch (name) {
    case 'sigmoid':
      return { name, f: sigmoid, df: (_z, a) => a * (1 - a) };
    case 'tanh':
      return { name, f: Math.tanh, df: (_z, a) => 1 - a * a };
    case 'relu':
      return { name, f: (z) => (z > 0 ? z : 0), df: (z) => (z > 0 ? 1 : 0) };
    case 'leaky-relu': {
      if (!options) throw new RangeError('leaky-relu needs its slope (options.leakySlope)');
      const slope = options.leakySlope;
      return { name, f: (z) => (z > 0 ? z : slope * z), df: (z) => (z > 0 ? 1 : slope) };
    }
    case 'elu': {
      if (!options) throw new RangeError('elu needs its alpha (options.eluAlpha)');
      const alpha = options.eluAlpha;
      // For z <= 0: f = alpha (e^z - 1), so f' = alpha e^z = f + alpha.
      return { name, f: (z) => (z > 0 ? z : alpha * Math.expm1(z)), df: (z, a) => (z > 0 ? 1 : a + alpha) };
    }
    case 'linear':
      return { name, f: (z) => z, df: () => 1 };
  }
}
