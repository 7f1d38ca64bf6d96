import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Rng,
  builtinDataset,
  deriveSeed,
  learningRateAt,
  makeActivation,
  makeOptimizer,
  parseCsvDataset,
  parseJsonDataset,
} from '../../src/core/index.js';
import { defaultConfig } from '../../src/config/index.js';

test('gates and parity datasets are the right truth tables', () => {
  assert.deepEqual(Array.from(builtinDataset('xor').targets), [0, 1, 1, 0]);
  assert.deepEqual(Array.from(builtinDataset('nand').targets), [1, 1, 1, 0]);
  assert.deepEqual(Array.from(builtinDataset('xnor').targets), [1, 0, 0, 1]);
  const p3 = builtinDataset('parity3');
  assert.equal(p3.size, 8);
  assert.equal(p3.inputCount, 3);
  assert.deepEqual(Array.from(p3.targets), [0, 1, 1, 0, 1, 0, 0, 1]);
  assert.equal(builtinDataset('parity8').size, 256);
  assert.throws(() => builtinDataset('parity9'), /unknown dataset/);
  assert.throws(() => builtinDataset('parity1'), /unknown dataset/);
});

test('user truth tables parse from CSV and JSON, and nonsense is rejected', () => {
  const csv = parseCsvDataset('t.csv', 'a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,1\n');
  assert.equal(csv.size, 4);
  assert.deepEqual(Array.from(csv.targets), [0, 1, 1, 1]);
  const json = parseJsonDataset('t.json', '{"inputs": [[0,0],[1,1]], "targets": [[1],[0]]}');
  assert.deepEqual(Array.from(json.inputs), [0, 0, 1, 1]);
  assert.throws(() => parseCsvDataset('t.csv', '0,0,0\n0,x,1\n'), /line 2, column 2: "x" is not a number/);
  assert.throws(() => parseCsvDataset('t.csv', '0,0,2\n'), /line 1, column 3: the target 2 is outside \[0, 1\]/);
  assert.throws(() => parseJsonDataset('t.json', '{"inputs": [[0]], "targets": []}'), /1 input rows but 0 targets/);
  assert.throws(() => parseJsonDataset('t.json', 'nope'), /not valid JSON/);
});

test('activations and their derivatives at known points', () => {
  const o = { leakySlope: 0.1, eluAlpha: 2 };
  assert.equal(makeActivation('sigmoid').f(0), 0.5);
  assert.equal(makeActivation('sigmoid').f(-800), 0); // no overflow warning, no NaN
  assert.equal(makeActivation('relu').f(-3), 0);
  assert.equal(makeActivation('leaky-relu', o).f(-3), -0.30000000000000004);
  assert.equal(makeActivation('leaky-relu', o).df(-3, -0.3), 0.1);
  const elu = makeActivation('elu', o);
  assert.ok(Math.abs(elu.df(-1, elu.f(-1)) - 2 * Math.exp(-1)) < 1e-15);
  assert.equal(makeActivation('tanh').df(0, 0), 1);
});

test('schedules give the documented learning rates', () => {
  const base = { ...defaultConfig({ lr: 0.1, epochs: 101 }) };
  assert.equal(learningRateAt({ ...base, schedule: 'constant' }, 77), 0.1);
  assert.ok(Math.abs(learningRateAt({ ...base, schedule: 'step', stepEvery: 10, stepGamma: 0.5 }, 25) - 0.025) < 1e-15);
  assert.ok(Math.abs(learningRateAt({ ...base, schedule: 'exponential', expGamma: 0.9 }, 2) - 0.081) < 1e-15);
  assert.ok(Math.abs(learningRateAt({ ...base, schedule: 'cosine', minLr: 0.01 }, 50) - 0.055) < 1e-15);
  assert.ok(Math.abs(learningRateAt({ ...base, schedule: 'cosine', minLr: 0.01 }, 100) - 0.01) < 1e-15);
});

test("adam's first step moves each parameter by lr against the gradient sign", () => {
  const adam = makeOptimizer({ ...defaultConfig(), optimizer: 'adam' }, 2);
  const p = Float64Array.from([1, 1]);
  adam.update(p, Float64Array.from([3, -0.5]), 0.01, 1, 0, 2);
  assert.ok(Math.abs(p[0] - 0.99) < 1e-9 && Math.abs(p[1] - 1.01) < 1e-9);
});

test('the RNG is seeded, uniform in [0,1) and its normals have mean 0 and std 1', () => {
  const a = new Rng(7);
  const b = new Rng(7);
  for (let i = 0; i < 10; i++) assert.equal(a.nextDouble(), b.nextDouble());
  const rng = new Rng(123);
  let sum = 0;
  let sq = 0;
  const n = 100_000;
  for (let i = 0; i < n; i++) {
    const x = rng.nextNormal();
    sum += x;
    sq += x * x;
  }
  assert.ok(Math.abs(sum / n) < 0.02, `mean ${sum / n}`);
  assert.ok(Math.abs(Math.sqrt(sq / n) - 1) < 0.02, `std ${Math.sqrt(sq / n)}`);
  assert.throws(() => new Rng(-1), /seed must be an integer/);
});

test('derived seeds depend only on (root, path) and do not collide on a study grid', () => {
  assert.equal(deriveSeed(1, 2, 3), deriveSeed(1, 2, 3));
  assert.notEqual(deriveSeed(1, 2, 3), deriveSeed(1, 3, 2));
  const seen = new Set<number>();
  for (let point = 0; point < 400; point++)
    for (let repeat = 0; repeat < 100; repeat++) seen.add(deriveSeed(2024, point, repeat));
  assert.equal(seen.size, 40_000);
  assert.ok([...seen].every((s) => Number.isSafeInteger(s) && s >= 0));
});
