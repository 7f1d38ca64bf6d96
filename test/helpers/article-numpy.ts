// The article's NumPy training loop transcribed line by line into plain TypeScript loops (f64), written
// independently of src/core: the yardstick that the engine's epoch trace (and `xorlab explain`) is checked against.
// Matrices are number[][] (rows), as NumPy prints them.

type Matrix = number[][];

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const sigmoidDerivative = (output: number) => output * (1 - output);

function binaryCrossEntropy(yTrue: Matrix, yPred: Matrix): Matrix {
  const epsilon = 1e-15;
  return yPred.map((row, r) =>
    row.map((p, c) => {
      const clipped = Math.min(Math.max(p, epsilon), 1 - epsilon);
      const y = yTrue[r][c];
      return -(y * Math.log(clipped) + (1 - y) * Math.log(1 - clipped));
    }),
  );
}

function dot(a: Matrix, b: Matrix): Matrix {
  return a.map((row) =>
    b[0].map((_, j) => {
      let sum = 0;
      for (let k = 0; k < row.length; k++) sum += row[k] * b[k][j];
      return sum;
    }),
  );
}

const transpose = (a: Matrix): Matrix => a[0].map((_, j) => a.map((row) => row[j]));
const addRow = (a: Matrix, row: Matrix): Matrix => a.map((r) => r.map((v, j) => v + row[0][j]));
const map = (a: Matrix, f: (v: number) => number): Matrix => a.map((r) => r.map(f));
const zip = (a: Matrix, b: Matrix, f: (x: number, y: number) => number): Matrix =>
  a.map((r, i) => r.map((v, j) => f(v, b[i][j])));
const sumAxis0 = (a: Matrix): Matrix => [a[0].map((_, j) => a.reduce((s, r) => s + r[j], 0))];
const copy = (a: Matrix): Matrix => a.map((r) => [...r]);

export interface ArticleParameters {
  hidden_weights: Matrix;
  hidden_bias: Matrix;
  output_weights: Matrix;
  output_bias: Matrix;
}

/** Every array the article's loop makes in one epoch, by the article's names (updated parameters as *_updated). */
export type ArticleEpoch = Record<string, Matrix>;

/**
 * Runs the article's loop from `start` for epochs 0..lastEpoch and returns each epoch's arrays. `textbook` computes
 * error_hidden with the output weights of the start of the epoch instead of the updated ones.
 */
export function articleLoop(
  start: ArticleParameters,
  lastEpoch: number,
  learningRate: number,
  order: 'seed' | 'textbook',
): ArticleEpoch[] {
  const inputs = [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ];
  const expected_output = [[0], [1], [1], [0]];
  let { hidden_weights, hidden_bias, output_weights, output_bias } = start;
  const epochs: ArticleEpoch[] = [];
  for (let epoch = 0; epoch <= lastEpoch; epoch++) {
    const at = { hidden_weights, hidden_bias, output_weights, output_bias };
    // Forward
    const hidden_input = addRow(dot(inputs, hidden_weights), hidden_bias);
    const hidden_output = map(hidden_input, sigmoid);
    const final_input = addRow(dot(hidden_output, output_weights), output_bias);
    const predicted_output = map(final_input, sigmoid);
    const loss = binaryCrossEntropy(expected_output, predicted_output);
    const d_predicted_output = zip(predicted_output, expected_output, (p, y) => p - y);
    // Backprop
    const output_weights_gradient = dot(transpose(hidden_output), d_predicted_output);
    const output_weights_before = copy(output_weights);
    output_weights = zip(output_weights, output_weights_gradient, (w, g) => w - g * learningRate);
    const output_bias_gradient = sumAxis0(d_predicted_output);
    output_bias = zip(output_bias, output_bias_gradient, (b, g) => b - g * learningRate);
    const error_hidden = dot(d_predicted_output, transpose(order === 'seed' ? output_weights : output_weights_before));
    const d_hidden = zip(error_hidden, map(hidden_output, sigmoidDerivative), (e, d) => e * d);
    const hidden_weights_gradient = dot(transpose(inputs), d_hidden);
    hidden_weights = zip(hidden_weights, hidden_weights_gradient, (w, g) => w - g * learningRate);
    const hidden_bias_gradient = sumAxis0(d_hidden);
    hidden_bias = zip(hidden_bias, hidden_bias_gradient, (b, g) => b - g * learningRate);
    epochs.push({
      inputs,
      expected_output,
      ...at,
      hidden_input,
      hidden_output,
      final_input,
      predicted_output,
      loss,
      d_predicted_output,
      output_weights_gradient,
      output_weights_updated: output_weights,
      output_bias_gradient,
      output_bias_updated: output_bias,
      error_hidden,
      d_hidden,
      hidden_weights_gradient,
      hidden_weights_updated: hidden_weights,
      hidden_bias_gradient,
      hidden_bias_updated: hidden_bias,
    });
  }
  return epochs;
}

/** The article's four arrays from a flat 2-2-1 parameter vector (hidden weights 2x2 row-major, biases, then output). */
export function articleParameters(flat: ArrayLike<number>): ArticleParameters {
  return {
    hidden_weights: [
      [flat[0], flat[1]],
      [flat[2], flat[3]],
    ],
    hidden_bias: [[flat[4], flat[5]]],
    output_weights: [[flat[6]], [flat[7]]],
    output_bias: [[flat[8]]],
  };
}

/** max |a - b| over the array divided by max |a| (relative to the array's scale; 0 for two zero arrays). */
export function relativeDifference(a: Matrix, b: Matrix): number {
  if (a.length !== b.length || a.some((row, r) => row.length !== b[r].length)) return Infinity;
  let diff = 0;
  let scale = 0;
  a.forEach((row, r) =>
    row.forEach((v, c) => {
      diff = Math.max(diff, Math.abs(v - b[r][c]));
      scale = Math.max(scale, Math.abs(v), Math.abs(b[r][c]));
    }),
  );
  return scale === 0 ? diff : diff / scale;
}
