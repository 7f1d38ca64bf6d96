import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Network,
  builtinDataset,
  fromParameterFile,
  makeShape,
  seededInitialParameters,
  sigmoid,
  toParameterFile,
  train,
  trainFromSeed,
} from '../../src/core/index.js';
import { defaultConfig } from '../../src/config/index.js';

const xor = builtinDataset('xor');
// Fixed 2-2-1 parameters in the flat layout: hidden W (2x2, row-major), hidden b (2), output W (2x1), output b (1).
const fixed = Float64Array.from([0.5, -0.3, 0.8, 0.2, 0.1, -0.4, 0.7, -0.6, 0.05]);

/**
 * One epoch of the article's code, line by line, with plain arrays:
 * forward, then output weights/bias updated, then the hidden error computed with the UPDATED output weights.
 */
function articleEpoch(p: number[], lr: number): number[] {
  const X = [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ];
  const Y = [0, 1, 1, 0];
  let hw = [
    [p[0], p[1]],
    [p[2], p[3]],
  ];
  let hb = [p[4], p[5]];
  let ow = [p[6], p[7]];
  let ob = p[8];
  const ho = X.map(([a, b]) => [
    sigmoid(a * hw[0][0] + b * hw[1][0] + hb[0]),
    sigmoid(a * hw[0][1] + b * hw[1][1] + hb[1]),
  ]);
  const out = ho.map((h) => sigmoid(h[0] * ow[0] + h[1] * ow[1] + ob));
  const d = out.map((o, n) => o - Y[n]); // d_predicted_output
  // output_weights -= hidden_output.T.dot(d) * lr ; output_bias -= sum(d) * lr
  ow = [
    ow[0] - lr * ho.reduce((s, h, n) => s + h[0] * d[n], 0),
    ow[1] - lr * ho.reduce((s, h, n) => s + h[1] * d[n], 0),
  ];
  ob = ob - lr * d.reduce((s, v) => s + v, 0);
  // error_hidden = d.dot(output_weights.T) with the updated weights; d_hidden = error * h (1 - h)
  const dh = ho.map((h, n) => [d[n] * ow[0] * h[0] * (1 - h[0]), d[n] * ow[1] * h[1] * (1 - h[1])]);
  hw = [0, 1].map((i) => [0, 1].map((j) => hw[i][j] - lr * X.reduce((s, x, n) => s + x[i] * dh[n][j], 0)));
  hb = [0, 1].map((j) => hb[j] - lr * dh.reduce((s, v) => s + v[j], 0));
  return [hw[0][0], hw[0][1], hw[1][0], hw[1][1], hb[0], hb[1], ow[0], ow[1], ob];
}

test("`seed` update order reproduces one epoch of the article's code computed by hand", () => {
  const config = defaultConfig({ updateOrder: 'seed', epochs: 1 });
  const result = train(config, xor, fixed);
  const expected = articleEpoch(Array.from(fixed), 0.1);
  expected.forEach((v, i) =>
    assert.ok(Math.abs(result.finalParameters[i] - v) < 1e-15, `parameter ${i}: ${result.finalParameters[i]} vs ${v}`),
  );
});

test('`textbook` order is the plain gradient step and differs from `seed` in the hidden layer', () => {
  const config = defaultConfig({ updateOrder: 'textbook', epochs: 1 });
  const result = train(config, xor, fixed);
  const { grad } = new Network(config, xor).lossAndGradient(fixed);
  fixed.forEach((p, i) => assert.ok(Math.abs(result.finalParameters[i] - (p - 0.1 * grad[i])) < 1e-15));
  const seeded = train(defaultConfig({ updateOrder: 'seed', epochs: 1 }), xor, fixed).finalParameters;
  assert.notEqual(seeded[0], result.finalParameters[0], 'hidden weights differ between the orders');
  assert.equal(seeded[6], result.finalParameters[6], 'output weights are the same in both orders');
});

test('the same seed gives identical bits; another seed does not', () => {
  const config = defaultConfig({ epochs: 500 });
  const a = trainFromSeed(config, xor, 42);
  const b = trainFromSeed(config, xor, 42);
  assert.deepEqual(new Uint8Array(a.finalParameters.buffer), new Uint8Array(b.finalParameters.buffer));
  assert.equal(Object.is(a.metrics.totalLoss, b.metrics.totalLoss), true);
  const c = trainFromSeed(config, xor, 43);
  assert.notEqual(c.metrics.totalLoss, a.metrics.totalLoss);
});

test("XOR is learned from a fixed seed at std 1 with the article's settings", () => {
  const result = trainFromSeed(defaultConfig({ updateOrder: 'seed' }), xor, 1, { traceEvery: 500 });
  const m = result.metrics;
  assert.equal(m.success, true);
  assert.equal(m.diverged, false);
  assert.ok(m.finalLoss! < 0.01, `final loss ${m.finalLoss}`);
  assert.deepEqual(
    m.predictions!.map(([p]) => Math.round(p)),
    [0, 1, 1, 0],
  );
  assert.equal(result.trace.length, 20);
  assert.equal(result.trace[1].epoch, 500);
  // totalLoss is the sum of the per-epoch mean losses: at least epochs x final loss, at most epochs x first loss.
  assert.ok(m.totalLoss! > 10_000 * m.finalLoss! && m.totalLoss! < 10_000 * result.trace[0].loss);
  assert.ok(m.epochsToThreshold! > 0 && m.epochsToThreshold! < 10_000);
});

test('totalLoss equals the sum of the mean losses of every epoch', () => {
  const config = defaultConfig({ epochs: 50 });
  const full = trainFromSeed(config, xor, 5, { traceEvery: 1 });
  const sum = full.trace.reduce((s, t) => s + t.loss, 0);
  assert.ok(Math.abs(sum - full.metrics.totalLoss!) < 1e-12);
});

test('a network that explodes is marked diverged and carries no NaN', () => {
  const config = defaultConfig({
    activation: 'linear',
    outputActivation: 'linear',
    loss: 'mse',
    lr: 5,
    hiddenStd: 3,
    outputStd: 3,
    epochs: 2000,
  });
  const m = trainFromSeed(config, xor, 1).metrics;
  assert.equal(m.diverged, true);
  assert.equal(m.totalLoss, null);
  assert.equal(m.finalLoss, null);
  assert.equal(m.predictions, null);
  assert.equal(m.success, false);
});

test('huge initial std (54.6) ends with finite metrics or diverged, never NaN', () => {
  const config = defaultConfig({ hiddenStd: 54.6, outputStd: 0.8165, updateOrder: 'seed', epochs: 300 });
  for (let seed = 0; seed < 20; seed++) {
    const m = trainFromSeed(config, xor, seed).metrics;
    assert.ok(m.diverged || Number.isFinite(m.totalLoss), `seed ${seed}: ${m.totalLoss}`);
  }
});

test("BCE clipping caps one sample's loss at -ln(eps), as the article's 1e-15 clip does", () => {
  // A saturated wrong network: output bias -100 makes every prediction ~0, two targets are 1.
  const params = Float64Array.from([0, 0, 0, 0, 0, 0, 0, 0, -100]);
  const exact = new Network(defaultConfig(), xor).forward(params);
  const clipped = new Network(defaultConfig({ bceClip: 1e-15 }), xor).forward(params);
  assert.ok(Math.abs(exact - (2 * 100 + 2 * Math.log1p(Math.exp(-100))) / 4) < 1e-9);
  assert.ok(Math.abs(clipped - (2 * -Math.log(1e-15) + 2 * -Math.log1p(-1e-15)) / 4) < 1e-12);
});

test('every optimiser and schedule trains XOR without diverging', () => {
  for (const optimizer of ['gd', 'momentum', 'adam'] as const) {
    for (const schedule of ['constant', 'step', 'exponential', 'cosine'] as const) {
      const lr = optimizer === 'adam' ? 0.05 : optimizer === 'momentum' ? 0.05 : 0.5;
      const m = trainFromSeed(
        defaultConfig({ optimizer, schedule, lr, epochs: 3000, stepEvery: 1000, hiddenStd: 1 }),
        xor,
        1,
      ).metrics;
      assert.equal(m.diverged, false, `${optimizer}/${schedule}`);
      assert.ok(m.finalLoss! < 0.69, `${optimizer}/${schedule} final loss ${m.finalLoss}`);
    }
  }
});

test('initial parameters follow the seed and scale with the std', () => {
  const a = seededInitialParameters(defaultConfig({ hiddenStd: 1, outputStd: 1 }), xor, 9);
  const b = seededInitialParameters(defaultConfig({ hiddenStd: 2, outputStd: 0.5 }), xor, 9);
  for (let i = 0; i < 6; i++) assert.ok(Math.abs(b[i] - 2 * a[i]) < 1e-15);
  for (let i = 6; i < 9; i++) assert.ok(Math.abs(b[i] - 0.5 * a[i]) < 1e-15);
  const xavier = seededInitialParameters(defaultConfig({ init: 'xavier-normal' }), xor, 9);
  for (let i = 0; i < 6; i++) assert.ok(Math.abs(xavier[i] - a[i] / Math.SQRT2) < 1e-15);
});

test('parameter files round-trip and use the inputs x units shape', () => {
  const shape = makeShape([2, 2, 1]);
  const file = toParameterFile(shape, fixed);
  assert.deepEqual(file.layers[0].weights, [
    [0.5, -0.3],
    [0.8, 0.2],
  ]);
  assert.deepEqual(file.layers[1].weights, [[0.7], [-0.6]]);
  assert.deepEqual(file.layers[1].biases, [0.05]);
  assert.deepEqual(Array.from(fromParameterFile(shape, JSON.parse(JSON.stringify(file)))), Array.from(fixed));
  assert.throws(() => fromParameterFile(shape, { layers: [file.layers[0]] }), /expected 2 layer/);
  assert.throws(
    () => fromParameterFile(shape, { layers: [file.layers[1], file.layers[0]] }),
    /layer 1 has the wrong shape/,
  );
});

test('a training that diverges at once still records its starting parameters', () => {
  const config = defaultConfig({ hiddenStd: 1e308, outputStd: 1e308, epochs: 100 });
  const result = trainFromSeed(config, xor, 1, { snapshotEvery: 10 });
  assert.equal(result.metrics.diverged, true);
  assert.equal(result.snapshots.length, 1);
  assert.equal(result.snapshots[0].epoch, 0);
  assert.deepEqual(result.snapshots[0].parameters, Array.from(result.initialParameters));
});

test('a total loss that overflows is reported as diverged, not as Infinity', () => {
  // Finite per-epoch losses near 1e308 overflow the sum within a few epochs.
  const params = Float64Array.from([0, 0, 0, 0, 0, 0, 0, 0, -1e308]);
  const m = train(defaultConfig({ epochs: 10 }), xor, params).metrics;
  assert.equal(m.diverged, true);
  assert.equal(m.totalLoss, null);
});
