// The fast engine against the reference engine (src/core/train.ts) from identical initial parameters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { builtinDataset, makeDataset, type Dataset } from '../../src/core/index.js';
import { defaultConfig, type TrainingConfigInput } from '../../src/config/index.js';
import { lockstepKernel } from '../../src/engine/instance.js';
import { trainMany, type EngineRun, type Precision } from '../../src/engine/index.js';

const STUDY: TrainingConfigInput = { hiddenStd: Math.SQRT1_2, outputStd: 0.8165, updateOrder: 'seed' };
const seeds = (count: number, first = 0) => Array.from({ length: count }, (_, k) => first + k);

/** Tolerances on the relative difference of totalLoss: mean over the networks and worst single network. */
const TOLERANCE: Record<Precision, { mean: number; worst: number }> = {
  f64: { mean: 1e-12, worst: 1e-9 },
  f32: { mean: 2e-5, worst: 2e-3 },
};

function compare(label: string, precision: Precision, fast: EngineRun, reference: EngineRun): void {
  assert.equal(fast.engine, 'fast', `${label}: ${fast.fallbackReason}`);
  assert.equal(fast.precision, precision);
  let sumFast = 0,
    sumRef = 0,
    worst = 0,
    outcomes = 0;
  fast.metrics.forEach((f, n) => {
    const r = reference.metrics[n];
    assert.equal(f.diverged, r.diverged, `${label}: network ${n} diverged`);
    if (r.totalLoss === null) return;
    assert.ok(f.totalLoss !== null && Number.isFinite(f.totalLoss), `${label}: network ${n} totalLoss ${f.totalLoss}`);
    sumFast += f.totalLoss;
    sumRef += r.totalLoss;
    worst = Math.max(worst, Math.abs(f.totalLoss - r.totalLoss) / r.totalLoss);
    if (f.success !== r.success) outcomes++;
    if (precision === 'f64') {
      assert.equal(f.success, r.success, `${label}: network ${n} success`);
      assert.equal(f.epochsToThreshold, r.epochsToThreshold, `${label}: network ${n} epochsToThreshold`);
      assert.ok(
        Math.abs(f.finalLoss! - r.finalLoss!) <= 1e-9 * r.finalLoss! + 1e-15,
        `${label}: network ${n} finalLoss ${f.finalLoss} vs ${r.finalLoss}`,
      );
    }
  });
  const mean = Math.abs(sumFast - sumRef) / sumRef;
  assert.ok(mean <= TOLERANCE[precision].mean, `${label} ${precision}: mean totalLoss relative error ${mean}`);
  assert.ok(worst <= TOLERANCE[precision].worst, `${label} ${precision}: worst network relative error ${worst}`);
  assert.ok(
    outcomes <= Math.ceil(fast.metrics.length / 32),
    `${label} ${precision}: ${outcomes} success outcomes differ`,
  );
}

function check(label: string, input: TrainingConfigInput, dataset: Dataset, count: number): void {
  const config = defaultConfig(input);
  const list = seeds(count, 1000);
  const reference = trainMany(config, dataset, list, {
    engine: 'reference',
    precision: 'f64',
    predictions: true,
    parameters: true,
  });
  for (const precision of ['f64', 'f32'] as const) {
    const fast = trainMany(config, dataset, list, { engine: 'fast', precision, predictions: true, parameters: true });
    compare(label, precision, fast, reference);
    const P = reference.finalParameters!.length / count;
    if (precision === 'f64') {
      for (let k = 0; k < reference.finalParameters!.length; k++) {
        if (reference.metrics[Math.floor(k / P)].diverged) continue;
        assert.ok(
          Math.abs(fast.finalParameters![k] - reference.finalParameters![k]) <=
            1e-8 * (1 + Math.abs(reference.finalParameters![k])),
          `${label}: parameter ${k}`,
        );
      }
      for (let k = 0; k < reference.predictions!.length; k++) {
        if (Number.isNaN(reference.predictions![k])) continue;
        assert.ok(Math.abs(fast.predictions![k] - reference.predictions![k]) <= 1e-9, `${label}: prediction ${k}`);
      }
    }
  }
}

const xor = builtinDataset('xor');

test('the study configuration (2-2-1, sigmoid, BCE, seed order): 64 networks agree in f64 and f32', () => {
  check('study', { ...STUDY, epochs: 1000 }, xor, 64);
});

test('textbook order, MSE loss and the bceClip clamp', () => {
  check('textbook', { ...STUDY, updateOrder: 'textbook', epochs: 1000 }, xor, 32);
  check('mse', { ...STUDY, loss: 'mse', lr: 0.5, epochs: 1000 }, xor, 32);
  // A clip of 0.01 caps each sample's loss at -ln(0.01) = 4.6, which saturated networks reach.
  check('bceClip', { hiddenStd: 3, outputStd: 3, bceClip: 0.01, epochs: 500 }, xor, 32);
});

test('every hidden activation on gates and parity datasets, several hidden sizes', () => {
  check('tanh', { ...STUDY, activation: 'tanh', epochs: 800 }, builtinDataset('and'), 32);
  check('relu', { activation: 'relu', hidden: [3], lr: 0.05, epochs: 800 }, builtinDataset('parity3'), 16);
  check(
    'leaky-relu',
    { activation: 'leaky-relu', leakySlope: 0.1, hidden: [5], lr: 0.05, epochs: 500 },
    builtinDataset('parity4'),
    16,
  );
  check('elu', { activation: 'elu', eluAlpha: 0.5, hidden: [4], epochs: 500 }, builtinDataset('parity3'), 16);
  check('linear', { activation: 'linear', hidden: [1], lr: 0.02, epochs: 500 }, builtinDataset('or'), 16);
  check('sigmoid 16 hidden', { hidden: [16], epochs: 200 }, builtinDataset('parity5'), 8);
});

test('every learning-rate schedule', () => {
  check('step', { ...STUDY, schedule: 'step', stepEvery: 100, stepGamma: 0.7, lr: 0.5, epochs: 600 }, xor, 16);
  check('exponential', { ...STUDY, schedule: 'exponential', expGamma: 0.999, lr: 0.5, epochs: 600 }, xor, 16);
  check('cosine', { ...STUDY, schedule: 'cosine', minLr: 0.01, lr: 0.5, epochs: 600 }, xor, 16);
});

test('the general kernel agrees on the 2-2 shape too, and handles an odd number of samples', () => {
  const kernel = lockstepKernel();
  kernel.setForceGeneral(true);
  try {
    check('general 2-2', { ...STUDY, epochs: 500 }, xor, 16);
  } finally {
    kernel.setForceGeneral(false);
  }
  const three = makeDataset(
    'three',
    [
      [0, 0],
      [0, 1],
      [1, 1],
    ],
    [[0], [1], [0]],
  );
  check('odd samples', { ...STUDY, epochs: 500 }, three, 16);
});

/** Two inputs, six samples: the 2-2 shape with a sample count that is even but not a multiple of 4. */
const six = makeDataset(
  'six',
  [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
    [0.5, 0],
    [0, 0.5],
  ],
  [[0], [1], [1], [0], [1], [1]],
);

test('the fused 2-2 kernel two samples at a time (sample counts 2 mod 4) agrees, with BCE and MSE', () => {
  check('six samples', { ...STUDY, epochs: 800 }, six, 32);
  check(
    'six samples, mse, textbook',
    { ...STUDY, loss: 'mse', lr: 0.5, updateOrder: 'textbook', epochs: 800 },
    six,
    16,
  );
  check('six samples, tanh, clip', { ...STUDY, activation: 'tanh', bceClip: 0.01, hiddenStd: 3, epochs: 500 }, six, 16);
});

test('many networks are processed in batches and padded lanes do not leak into the results', () => {
  const config = defaultConfig({ ...STUDY, epochs: 50 });
  for (const count of [1, 3, 5, 9000]) {
    const list = seeds(count);
    const fast = trainMany(config, xor, list, { engine: 'fast', precision: 'f64' });
    assert.equal(fast.metrics.length, count);
    const check = [0, count - 1];
    const reference = trainMany(
      config,
      xor,
      check.map((k) => list[k]),
      { engine: 'reference', precision: 'f64' },
    );
    check.forEach((k, i) =>
      assert.ok(
        Math.abs(fast.metrics[k].totalLoss! - reference.metrics[i].totalLoss!) < 1e-10,
        `count ${count}, network ${k}`,
      ),
    );
  }
});

test('the XOR routine at large init stds: the clamped hidden path agrees too, and is taken only where weights are large', () => {
  const kernel = lockstepKernel();
  const clamped = (input: TrainingConfigInput, precision: Precision) => {
    trainMany(defaultConfig({ ...input, epochs: 200 }), xor, seeds(64), { engine: 'fast', precision });
    assert.equal(kernel.routine(), 3);
    return kernel.clampedSteps();
  };
  for (const precision of ['f32', 'f64'] as const) {
    assert.equal(clamped(STUDY, precision), 0, `${precision}: the study's weights never need the clamped path`);
    // At std 20 (f32) and 200 (f64) some vectors have |b| + |w0| + |w1| above the limit (86 in f32, 700 in f64), some not.
    const steps = clamped({ ...STUDY, hiddenStd: precision === 'f32' ? 20 : 200 }, precision);
    assert.ok(steps > 0 && steps < (200 * 64) / (precision === 'f32' ? 4 : 2), `${precision}: ${steps} clamped steps`);
  }
  check('std 20', { ...STUDY, hiddenStd: 20, outputStd: 2, epochs: 300 }, xor, 32);
  check('std 54.6', { ...STUDY, hiddenStd: 54.6, outputStd: 54.6, epochs: 300 }, xor, 32);
  check('std 200', { ...STUDY, hiddenStd: 200, outputStd: 1, epochs: 200 }, xor, 16);
  // The article's clip (1e-15: a sample's loss capped at 34.5), which saturated networks at std 54.6 reach.
  check('article clip, std 0.707', { ...STUDY, bceClip: 1e-15, epochs: 500 }, xor, 32);
  check('article clip, std 54.6', { ...STUDY, bceClip: 1e-15, hiddenStd: 54.6, outputStd: 54.6, epochs: 300 }, xor, 32);
});

test('each configuration takes the kernel routine meant for it (the study config: the XOR kernel, in both precisions)', () => {
  const kernel = lockstepKernel();
  const ran = (input: TrainingConfigInput, dataset: Dataset, precision: Precision) => {
    trainMany(defaultConfig({ ...input, epochs: 20 }), dataset, seeds(4), { engine: 'fast', precision });
    return kernel.routine();
  };
  assert.equal(ran(STUDY, xor, 'f32'), 3);
  assert.equal(ran(STUDY, xor, 'f64'), 3);
  assert.equal(ran({ ...STUDY, updateOrder: 'textbook' }, xor, 'f32'), 3);
  assert.equal(ran({ ...STUDY, bceClip: 1e-15 }, xor, 'f32'), 3, "the article's clipped BCE takes the XOR kernel too");
  assert.equal(ran({ ...STUDY, bceClip: 1e-15 }, xor, 'f64'), 3);
  assert.equal(ran({ ...STUDY, activation: 'tanh' }, xor, 'f32'), 2);
  assert.equal(ran(STUDY, builtinDataset('and'), 'f32'), 2);
  assert.equal(ran(STUDY, six, 'f32'), 1);
  assert.equal(ran(STUDY, six, 'f64'), 1);
  assert.equal(ran({ ...STUDY, hidden: [3] }, xor, 'f32'), 0);
});
