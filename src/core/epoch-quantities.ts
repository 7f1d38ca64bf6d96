// An epoch's trace as a reader follows it: each array under the article's name (for the article's network: one
// hidden layer, sigmoid units, binary cross-entropy, plain gradient descent) or under general per-layer names
// (z1, a1, delta2, dW2, ...), in the order the code computes them, each beside the NumPy line that makes it.
// `xorlab explain` prints this list and the playground's step panel shows it: one list, one set of names.
import type { TrainingConfig } from './config.js';
import type { EpochTrace, TracedArray } from './epoch-trace.js';

export interface EpochQuantity {
  /** Unique within the list, stable (scripts read it): e.g. "hidden_input", "output_weights_updated", "delta2". */
  key: string;
  /** The variable's name in the code beside it. */
  name: string;
  /** The NumPy line that makes it. */
  code: string;
  /** What the reader should know beside the line (the update order's effect), if anything. */
  note?: string;
  shape: [number, number];
  rows: number[][];
}

type NamingConfig = Pick<TrainingConfig, 'hidden' | 'activation' | 'outputActivation' | 'loss' | 'optimizer'>;

/** Whether the configuration is the article's kind of network, whose arrays have the article's names. */
export function hasArticleNames(config: NamingConfig): boolean {
  return (
    config.hidden.length === 1 &&
    config.activation === 'sigmoid' &&
    config.outputActivation === 'sigmoid' &&
    config.loss === 'bce' &&
    config.optimizer === 'gd'
  );
}

function quantity(key: string, name: string, code: string, array: TracedArray, note?: string): EpochQuantity {
  return { key, name, code, ...(note === undefined ? {} : { note }), shape: array.shape, rows: array.rows };
}

/** The dataset's line, as the article writes its truth table (short tables only). */
function arrayCode(name: string, array: TracedArray): string {
  return array.shape[0] <= 8
    ? `${name} = np.array(${JSON.stringify(array.rows).replaceAll(',', ', ')})`
    : `${name} (the dataset's ${array.shape[0]} rows)`;
}

function errorNote(trace: EpochTrace, weights: string): string {
  return trace.updateOrder === 'seed'
    ? `${weights} as already updated above (seed order, the article's code)`
    : `${weights} as at the start of the epoch (textbook order: the true gradient; the article's code uses the updated ones)`;
}

/** The epoch's arrays in the order the code makes them; the backward part is missing when the epoch diverged. */
export function epochQuantities(trace: EpochTrace, config: NamingConfig): EpochQuantity[] {
  return hasArticleNames(config) ? articleQuantities(trace) : generalQuantities(trace, config);
}

function articleQuantities(trace: EpochTrace): EpochQuantity[] {
  const [hidden, output] = trace.layers;
  const list: EpochQuantity[] = [
    quantity('inputs', 'inputs', arrayCode('inputs', trace.inputs), trace.inputs),
    quantity('expected_output', 'expected_output', arrayCode('expected_output', trace.targets), trace.targets),
    quantity('hidden_weights', 'hidden_weights', `hidden_weights at the start of epoch ${trace.epoch}`, hidden.weights),
    quantity('hidden_bias', 'hidden_bias', `hidden_bias at the start of epoch ${trace.epoch}`, hidden.biases),
    quantity('output_weights', 'output_weights', `output_weights at the start of epoch ${trace.epoch}`, output.weights),
    quantity('output_bias', 'output_bias', `output_bias at the start of epoch ${trace.epoch}`, output.biases),
    quantity(
      'hidden_input',
      'hidden_input',
      'hidden_input = np.dot(inputs, hidden_weights) + hidden_bias',
      hidden.preActivation,
    ),
    quantity('hidden_output', 'hidden_output', 'hidden_output = sigmoid(hidden_input)', hidden.activation),
    quantity(
      'final_input',
      'final_input',
      'final_input = np.dot(hidden_output, output_weights) + output_bias',
      output.preActivation,
    ),
    quantity('predicted_output', 'predicted_output', 'predicted_output = sigmoid(final_input)', output.activation),
    quantity('loss', 'loss', 'loss = binary_cross_entropy(expected_output, predicted_output)', trace.loss),
  ];
  const out = output.backward;
  const hid = hidden.backward;
  if (!out || !hid) return list;
  list.push(
    quantity(
      'd_predicted_output',
      'd_predicted_output',
      'd_predicted_output = binary_cross_entropy_derivative(expected_output, predicted_output)',
      out.delta,
    ),
    quantity(
      'output_weights_gradient',
      'hidden_output.T.dot(d_predicted_output)',
      'hidden_output.T.dot(d_predicted_output)',
      out.weightGradient,
    ),
    quantity(
      'output_weights_updated',
      'output_weights',
      'output_weights -= hidden_output.T.dot(d_predicted_output) * learning_rate',
      out.weights,
    ),
    quantity(
      'output_bias_gradient',
      'np.sum(d_predicted_output, axis=0, keepdims=True)',
      'np.sum(d_predicted_output, axis=0, keepdims=True)',
      out.biasGradient,
    ),
    quantity(
      'output_bias_updated',
      'output_bias',
      'output_bias -= np.sum(d_predicted_output, axis=0, keepdims=True) * learning_rate',
      out.biases,
    ),
    quantity(
      'error_hidden',
      'error_hidden',
      'error_hidden = d_predicted_output.dot(output_weights.T)',
      hid.error!,
      errorNote(trace, 'output_weights'),
    ),
    quantity('d_hidden', 'd_hidden', 'd_hidden = error_hidden * sigmoid_derivative(hidden_output)', hid.delta),
    quantity('hidden_weights_gradient', 'inputs.T.dot(d_hidden)', 'inputs.T.dot(d_hidden)', hid.weightGradient),
    quantity(
      'hidden_weights_updated',
      'hidden_weights',
      'hidden_weights -= inputs.T.dot(d_hidden) * learning_rate',
      hid.weights,
    ),
    quantity(
      'hidden_bias_gradient',
      'np.sum(d_hidden, axis=0, keepdims=True)',
      'np.sum(d_hidden, axis=0, keepdims=True)',
      hid.biasGradient,
    ),
    quantity(
      'hidden_bias_updated',
      'hidden_bias',
      'hidden_bias -= np.sum(d_hidden, axis=0, keepdims=True) * learning_rate',
      hid.biases,
    ),
  );
  return list;
}

/** The derivative's NumPy spelling for activation `name` at layer l (z{l}, a{l}). */
function derivativeCode(name: TrainingConfig['activation'], l: number): string {
  switch (name) {
    case 'sigmoid':
      return `a${l} * (1 - a${l})`;
    case 'tanh':
      return `(1 - a${l}**2)`;
    case 'relu':
      return `(z${l} > 0)`;
    case 'leaky-relu':
      return `np.where(z${l} > 0, 1, leaky_slope)`;
    case 'elu':
      return `np.where(z${l} > 0, 1, a${l} + elu_alpha)`;
    case 'linear':
      return '1';
  }
}

function updateCode(config: NamingConfig, param: string, gradient: string): string {
  switch (config.optimizer) {
    case 'gd':
      return `${param} -= ${gradient} * learning_rate`;
    case 'momentum':
      return `v_${param} = momentum * v_${param} + ${gradient}; ${param} -= v_${param} * learning_rate`;
    case 'adam':
      return `${param} -= adam_step(${gradient}) * learning_rate`;
  }
}

function generalQuantities(trace: EpochTrace, config: NamingConfig): EpochQuantity[] {
  const last = trace.layers.length;
  const input = (l: number) => (l === 1 ? 'inputs' : `a${l - 1}`);
  const list: EpochQuantity[] = [
    quantity('inputs', 'inputs', arrayCode('inputs', trace.inputs), trace.inputs),
    quantity('targets', 'targets', arrayCode('targets', trace.targets), trace.targets),
  ];
  for (const layer of trace.layers) {
    const l = layer.layer;
    list.push(
      quantity(`W${l}`, `W${l}`, `W${l} at the start of epoch ${trace.epoch} (inputs x units)`, layer.weights),
      quantity(`b${l}`, `b${l}`, `b${l} at the start of epoch ${trace.epoch}`, layer.biases),
    );
  }
  for (const layer of trace.layers) {
    const l = layer.layer;
    const f = l === last ? config.outputActivation : config.activation;
    list.push(
      quantity(`z${l}`, `z${l}`, `z${l} = np.dot(${input(l)}, W${l}) + b${l}`, layer.preActivation),
      quantity(`a${l}`, `a${l}`, `a${l} = ${f.replace('-', '_')}(z${l})`, layer.activation),
    );
  }
  const lossCode =
    config.loss === 'bce' ? `loss = binary_cross_entropy(targets, a${last})` : `loss = (a${last} - targets)**2`;
  list.push(quantity('loss', 'loss', lossCode, trace.loss));
  if (trace.layers.some((layer) => layer.backward === null)) return list;
  for (let l = last; l >= 1; l--) {
    const backward = trace.layers[l - 1].backward!;
    const f = l === last ? config.outputActivation : config.activation;
    if (l === last) {
      const code =
        config.loss === 'bce'
          ? `delta${l} = a${l} - targets`
          : `delta${l} = 2 * (a${l} - targets) * ${derivativeCode(f, l)}`;
      list.push(quantity(`delta${l}`, `delta${l}`, code, backward.delta));
    } else {
      list.push(
        quantity(
          `error${l}`,
          `error${l}`,
          `error${l} = delta${l + 1}.dot(W${l + 1}.T)`,
          backward.error!,
          errorNote(trace, `W${l + 1}`),
        ),
        quantity(`delta${l}`, `delta${l}`, `delta${l} = error${l} * ${derivativeCode(f, l)}`, backward.delta),
      );
    }
    list.push(
      quantity(`dW${l}`, `dW${l}`, `dW${l} = ${input(l)}.T.dot(delta${l})`, backward.weightGradient),
      quantity(`W${l}_updated`, `W${l}`, updateCode(config, `W${l}`, `dW${l}`), backward.weights),
      quantity(`db${l}`, `db${l}`, `db${l} = np.sum(delta${l}, axis=0, keepdims=True)`, backward.biasGradient),
      quantity(`b${l}_updated`, `b${l}`, updateCode(config, `b${l}`, `db${l}`), backward.biases),
    );
  }
  return list;
}
