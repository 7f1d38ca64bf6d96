// Extreme inputs, the fallback for configurations the fast engine does not cover, and exp/log accuracy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { builtinDataset } from '../../src/core/index.js';
import { defaultConfig } from '../../src/config/index.js';
import { measureAccuracy } from '../../src/engine/accuracy.js';
import { ensureMemory, lockstepKernel } from '../../src/engine/instance.js';
import { fastEngineSupport, trainMany } from '../../src/engine/index.js';

const xor = builtinDataset('xor');
const seeds = Array.from({ length: 128 }, (_, k) => k);

test('at init std 54.6 every training ends finite or diverged, never with a NaN totalLoss', () => {
  for (const input of [
    { hiddenStd: 54.6, outputStd: 54.6, epochs: 500, updateOrder: 'seed' as const },
    { hiddenStd: 54.6, outputStd: 54.6, epochs: 300, lr: 50 },
    { hiddenStd: 54.6, outputStd: 54.6, epochs: 300, activation: 'relu' as const, lr: 10 },
  ]) {
    const config = defaultConfig(input);
    for (const precision of ['f32', 'f64'] as const) {
      const run = trainMany(config, xor, seeds, { engine: 'fast', precision, predictions: true });
      assert.equal(run.engine, 'fast');
      run.metrics.forEach((m, n) => {
        const where = `${JSON.stringify(input)} ${precision} network ${n}`;
        if (m.diverged) {
          assert.equal(m.totalLoss, null, where);
          assert.equal(m.finalLoss, null, where);
          assert.equal(m.success, false, where);
        } else {
          assert.ok(m.totalLoss !== null && Number.isFinite(m.totalLoss), `${where}: totalLoss ${m.totalLoss}`);
          assert.ok(m.finalLoss !== null && Number.isFinite(m.finalLoss), `${where}: finalLoss ${m.finalLoss}`);
          for (let s = 0; s < 4; s++) assert.ok(Number.isFinite(run.predictions![n * 4 + s]), where);
        }
      });
      // The reference engine agrees on which networks diverge (f64) for the first few.
      if (precision === 'f64') {
        const reference = trainMany(config, xor, seeds.slice(0, 16), { engine: 'reference', precision: 'f64' });
        reference.metrics.forEach((r, n) =>
          assert.equal(run.metrics[n].diverged, r.diverged, `${JSON.stringify(input)} network ${n}`),
        );
      }
    }
  }
});

test('a huge learning rate makes networks diverge, reported as in the reference engine', () => {
  const config = defaultConfig({ lr: 1e308, epochs: 20 });
  const fast = trainMany(config, xor, seeds.slice(0, 16), { engine: 'fast', precision: 'f64' });
  const reference = trainMany(config, xor, seeds.slice(0, 16), { engine: 'reference', precision: 'f64' });
  assert.ok(
    reference.metrics.some((m) => m.diverged),
    'the reference diverges here',
  );
  fast.metrics.forEach((m, n) => {
    assert.equal(m.diverged, reference.metrics[n].diverged, `network ${n}`);
    assert.equal(m.epochsToThreshold, reference.metrics[n].epochsToThreshold, `network ${n}`);
  });
});

test('an uncovered configuration falls back to the reference engine and says why', () => {
  const cases = [
    defaultConfig({ optimizer: 'momentum', epochs: 100 }),
    defaultConfig({ hidden: [2, 2], epochs: 100 }),
    defaultConfig({ hidden: [17], epochs: 100 }),
    defaultConfig({ outputActivation: 'tanh', loss: 'mse', epochs: 100 }),
  ];
  for (const config of cases) {
    const support = fastEngineSupport(config, xor);
    assert.equal(support.ok, false);
    const fast = trainMany(config, xor, [1, 2, 3], { engine: 'fast', precision: 'f32', parameters: true });
    const reference = trainMany(config, xor, [1, 2, 3], { engine: 'reference', precision: 'f64', parameters: true });
    assert.equal(fast.engine, 'reference');
    assert.equal(fast.precision, 'f64');
    assert.match(fast.fallbackReason ?? '', /fast engine does not cover/);
    assert.deepEqual(fast.metrics, reference.metrics);
    assert.deepEqual(fast.finalParameters, reference.finalParameters);
  }
  assert.deepEqual(fastEngineSupport(defaultConfig({ dataset: 'parity8', hidden: [16] }), builtinDataset('parity8')), {
    ok: true,
  });
  assert.equal(
    trainMany(defaultConfig({ epochs: 10 }), xor, [1], { engine: 'reference', precision: 'f32' }).fallbackReason,
    undefined,
  );
});

test('vectorised exp and log1p: measured maximum relative error', () => {
  const f32 = measureAccuracy('f32', 1 << 14);
  const f64 = measureAccuracy('f64', 1 << 14);
  assert.ok(f32.expMaxRelativeError < 2e-7, `f32 exp ${f32.expMaxRelativeError}`);
  assert.ok(f32.log1pMaxRelativeError < 3e-7, `f32 log1p ${f32.log1pMaxRelativeError}`);
  assert.ok(f64.expMaxRelativeError < 1e-15, `f64 exp ${f64.expMaxRelativeError}`);
  assert.ok(f64.log1pMaxRelativeError < 1e-15, `f64 log1p ${f64.log1pMaxRelativeError}`);
  // The XOR kernel's f32 versions (degree-6 exp polynomial; log1p as s Q(s^2) without range reduction), and its
  // f64 ones (the same exp with the negation folded in; log1p of the four samples' product, up to 15).
  assert.ok(f32.xor.expMaxRelativeError < 1e-7, `f32 XOR exp ${f32.xor.expMaxRelativeError}`);
  assert.ok(f32.xor.log1pMaxRelativeError < 3e-7, `f32 XOR log1p ${f32.xor.log1pMaxRelativeError}`);
  assert.ok(f32.xor.expMaxRelativeError > 1e-9);
  assert.deepEqual(f64.xor.log1pRange, [0, 15]);
  assert.ok(f64.xor.expMaxRelativeError < 1e-15, `f64 XOR exp ${f64.xor.expMaxRelativeError}`);
  assert.ok(f64.xor.log1pMaxRelativeError < 1e-15, `f64 XOR log1p ${f64.xor.log1pMaxRelativeError}`);
  // And not vacuously: f32 is measurably less exact than f64.
  assert.ok(f32.expMaxRelativeError > 1e-9);
});

test("the f64 XOR kernel's exp (negation folded in) gives exactly vexp's bits, clamps included", () => {
  const kernel = lockstepKernel();
  const n = 1 << 14;
  const base = kernel.heapBase();
  ensureMemory(kernel, base + 2 * n * 8);
  const a = new Float64Array(kernel.memory.buffer, base, n),
    b = new Float64Array(kernel.memory.buffer, base + n * 8, n);
  for (let k = 0; k < n; k++) a[k] = b[k] = -760 + (1520 * k) / (n - 1);
  kernel.mapExpF64(base, n);
  kernel.mapExpXorF64(base + n * 8, n);
  for (let k = 0; k < n; k++) assert.equal(Object.is(a[k], b[k]), true, `exp at point ${k}: ${a[k]} vs ${b[k]}`);
});
