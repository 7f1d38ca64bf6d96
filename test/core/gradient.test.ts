// The hand-written backward pass against central finite differences, for every activation x loss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ACTIVATION_NAMES,
  Network,
  Rng,
  builtinDataset,
  initialParameters,
  makeDataset,
  shapeFor,
  type ActivationName,
  type Dataset,
  type TrainingConfig,
} from '../../src/core/index.js';
import { defaultConfig } from '../../src/config/index.js';

const twoOutputs = makeDataset(
  'two-outputs',
  [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ],
  [
    [0, 1],
    [1, 0],
    [1, 1],
    [0, 0],
  ],
);

const shapes: { hidden: number[]; dataset: Dataset }[] = [
  { hidden: [2], dataset: builtinDataset('xor') },
  { hidden: [4], dataset: builtinDataset('parity3') },
  { hidden: [3, 3], dataset: twoOutputs },
  { hidden: [], dataset: builtinDataset('and') },
];

/** Relative error ||a - b|| / max(||a||, ||b||). */
function relativeError(a: Float64Array, b: Float64Array): number {
  let diff = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    na += a[i] ** 2;
    nb += b[i] ** 2;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(na), Math.sqrt(nb), 1e-300);
}

function finiteDifferenceGradient(net: Network, params: Float64Array, h = 1e-5): Float64Array {
  const fd = new Float64Array(params.length);
  const n = net.dataset.size;
  for (let i = 0; i < params.length; i++) {
    const p = Float64Array.from(params);
    p[i] = params[i] + h;
    const up = net.forward(p) * n;
    p[i] = params[i] - h;
    const down = net.forward(p) * n;
    fd[i] = (up - down) / (2 * h);
  }
  return fd;
}

/** Draws parameters that keep every pre-activation away from relu's kink, so finite differences are valid there. */
function smoothPoint(config: TrainingConfig, dataset: Dataset, seed: number): Float64Array {
  const shape = shapeFor(config, dataset);
  for (let attempt = 0; ; attempt++) {
    const params = initialParameters(config, shape, new Rng(seed + 1000 * attempt));
    const net = new Network(config, dataset);
    net.forward(params);
    const pre = (net as unknown as { pre: Float64Array[] }).pre.slice(1, -1);
    if (pre.every((z) => z.every((v) => Math.abs(v) > 1e-3))) return params;
  }
}

const cases: { activation: ActivationName; loss: 'bce' | 'mse'; output: ActivationName }[] = [];
for (const activation of ACTIVATION_NAMES) {
  cases.push({ activation, loss: 'bce', output: 'sigmoid' });
  for (const output of ['sigmoid', 'tanh', 'linear'] as const) cases.push({ activation, loss: 'mse', output });
}

for (const { activation, loss, output } of cases) {
  test(`gradient matches finite differences: ${activation} hidden, ${output} output, ${loss}`, () => {
    for (const [k, { hidden, dataset }] of shapes.entries()) {
      const config = defaultConfig({
        hidden,
        activation,
        outputActivation: output,
        loss,
        leakySlope: 0.1,
        eluAlpha: 0.7,
        hiddenStd: 0.8,
        outputStd: 0.8,
      });
      const params = smoothPoint(config, dataset, 17 + k);
      const net = new Network(config, dataset);
      const { grad } = net.lossAndGradient(params);
      const fd = finiteDifferenceGradient(net, params);
      const error = relativeError(grad, fd);
      assert.ok(
        error < 1e-6,
        `shape [${dataset.inputCount}, ${hidden.join(', ')}, ${dataset.outputCount}]: relative error ${error}`,
      );
      assert.ok(
        grad.some((g) => g !== 0),
        'gradient is not all zeros',
      );
    }
  });
}

test('a wrong gradient is caught by the check (the check can fail)', () => {
  const config = defaultConfig();
  const dataset = builtinDataset('xor');
  const params = smoothPoint(config, dataset, 3);
  const net = new Network(config, dataset);
  const { grad } = net.lossAndGradient(params);
  grad[0] *= 1.01;
  assert.ok(relativeError(grad, finiteDifferenceGradient(net, params)) > 1e-6);
});
