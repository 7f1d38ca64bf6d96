import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../../../src/config/index.js';
import {
  StudyError,
  describeDifference,
  resolveStudy,
  sameDefinition,
} from '../../../src/study/definition/definition.js';
import { trialSeed } from '../../../src/study/run/browser/plan.js';
import { deriveSeed } from '../../../src/core/index.js';

const article = {
  name: 'article',
  config: { outputStd: 0.8165, updateOrder: 'seed' },
  sweep: { hiddenStd: 'exp:-3:4:400' },
  repeats: 10,
  seed: 1,
};

test("the article's study: 400 points, full config stored, swept value applied per point", () => {
  const s = resolveStudy(article);
  assert.equal(s.pointCount, 400);
  assert.deepEqual(s.definition.config, defaultConfig({ outputStd: 0.8165, updateOrder: 'seed' }));
  assert.deepEqual(s.definition.sweep, { hiddenStd: 'exp:-3:4:400' });
  assert.deepEqual(s.pointParams(0), { hiddenStd: Math.exp(-3) });
  const c = s.pointConfig(399);
  assert.equal(c.hiddenStd, Math.exp(4));
  assert.equal(c.outputStd, 0.8165);
  assert.equal(c.updateOrder, 'seed');
});

test('defaults: repeats 10, seed 1, no sweep = one point', () => {
  const s = resolveStudy({ name: 'x' });
  assert.equal(s.pointCount, 1);
  assert.equal(s.definition.repeats, 10);
  assert.equal(s.definition.seed, 1);
  assert.deepEqual(s.pointParams(0), {});
});

test('two swept parameters: every pair, point index row-major', () => {
  const s = resolveStudy({ name: 'land', sweep: { lr: [0.1, 0.2, 0.3], hidden: '2,4' } });
  assert.equal(s.pointCount, 6);
  assert.deepEqual(s.pointParams(0), { lr: 0.1, hidden: 2 });
  assert.deepEqual(s.pointParams(1), { lr: 0.1, hidden: 4 });
  assert.deepEqual(s.pointParams(5), { lr: 0.3, hidden: 4 });
  assert.deepEqual(s.pointConfig(3).hidden, [4]);
  assert.equal(s.pointConfig(3).lr, 0.2);
  assert.deepEqual(Object.keys(s.pointParams(2)), ['lr', 'hidden']);
});

test("a swept parameter's base value does not change the definition", () => {
  const a = resolveStudy({ name: 'a', sweep: { lr: '0.1,1' } }).definition;
  const b = resolveStudy({ name: 'a', config: { lr: 0.5 }, sweep: { lr: [0.1, 1] } }).definition;
  assert.ok(sameDefinition(JSON.parse(JSON.stringify(a)), b));
  const c = resolveStudy({ name: 'a', sweep: { lr: '0.1,1' }, repeats: 20 }).definition;
  assert.ok(!sameDefinition(a, c));
  assert.match(describeDifference(a, c), /repeats: stored 10, given 20/);
  // Axis order is part of the study (it decides the point indices).
  const xy = resolveStudy({ name: 'a', sweep: { lr: '0.1,1', hiddenStd: '1,2' } }).definition;
  const yx = resolveStudy({ name: 'a', sweep: { hiddenStd: '1,2', lr: '0.1,1' } }).definition;
  assert.ok(!sameDefinition(xy, yx));
});

test('bad definitions: one message naming the problem', () => {
  const bad: [unknown, RegExp][] = [
    [{ name: 'x', sweep: { nope: '1,2' } }, /cannot sweep "nope"; sweepable: hiddenStd, outputStd/],
    [{ name: 'x', sweep: { hiddenStd: 'exp:1:2' } }, /exp:a:b:n/],
    [{ name: 'x', sweep: { hiddenStd: '-1,1' } }, /hiddenStd=-1 is not allowed: hiddenStd must be >= 0/],
    [{ name: 'x', sweep: { a: '1', b: '2', c: '3', d: '4', e: '5' } }, /at most 4 parameters, got 5/],
    [
      { name: 'x', sweep: { lr: '0.1,1', loss: 'mse,bce', hiddenStd: '1,2', outputActivation: 'sigmoid,tanh' } },
      /the point lr=0.1, loss=bce, hiddenStd=1, outputActivation=tanh is not allowed/,
    ],
    [{ name: 'x', repeats: 0 }, /repeats must be >= 1/],
    [{ name: 'x', seed: -1 }, /seed must be >= 0/],
    [{ name: 'x', config: { lr: 'fast' } }, /config.lr must be a number/],
    [{ name: 'x', config: { wings: 2 } }, /unknown key "wings" in config/],
    [{ name: 'x', colour: 'red' }, /unknown key "colour"/],
    [{ name: 'bad name!' }, /name/],
    [{}, /name/],
    [{ name: 'x', config: { init: 'file' } }, /init "file" cannot be used/],
    [{ name: 'x', sweep: { outputActivation: 'sigmoid,tanh' } }, /outputActivation=tanh is not allowed/],
    [
      { name: 'x', sweep: { loss: 'bce,mse', outputActivation: 'sigmoid,tanh' } },
      /the point loss=bce, outputActivation=tanh is not allowed/,
    ],
  ];
  for (const [input, message] of bad) {
    assert.throws(
      () => resolveStudy(input),
      (e: Error) => e instanceof StudyError && message.test(e.message) && !e.message.includes('\n'),
      JSON.stringify(input),
    );
  }
});

test("a trial's seed depends only on (root, point, repeat)", () => {
  assert.equal(trialSeed(1, 5, 3), deriveSeed(1, 5, 3));
  assert.equal(trialSeed(1, 5, 3), trialSeed(1, 5, 3));
  const seeds = new Set<number>();
  for (let p = 0; p < 50; p++) for (let r = 0; r < 20; r++) seeds.add(trialSeed(1, p, r));
  assert.equal(seeds.size, 1000);
  assert.notEqual(trialSeed(1, 5, 3), trialSeed(2, 5, 3));
  assert.notEqual(trialSeed(1, 5, 3), trialSeed(1, 3, 5));
});
