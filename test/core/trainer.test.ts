// The Trainer (one epoch at a time, what a live page steps through) against train(), which runs it to the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Trainer, builtinDataset, seededInitialParameters, train } from '../../src/core/index.js';
import { defaultConfig, type TrainingConfigInput } from '../../src/config/index.js';

const cases: { name: string; config: TrainingConfigInput; dataset: string }[] = [
  {
    name: 'the article (seed order, clipped BCE)',
    config: { updateOrder: 'seed', hiddenStd: 0.7071, outputStd: 0.8165, bceClip: 1e-15, epochs: 3000 },
    dataset: 'xor',
  },
  {
    name: 'adam on parity3, 3-2 tanh, MSE',
    config: { hidden: [3, 2], activation: 'tanh', loss: 'mse', optimizer: 'adam', lr: 0.01, epochs: 1500 },
    dataset: 'parity3',
  },
  {
    name: 'momentum with a cosine schedule',
    config: { optimizer: 'momentum', schedule: 'cosine', lr: 0.5, minLr: 0.01, epochs: 1200 },
    dataset: 'xor',
  },
];

for (const c of cases) {
  test(`stepping a Trainer epoch by epoch, evaluating between steps, gives train()'s bits: ${c.name}`, () => {
    const config = defaultConfig(c.config);
    const dataset = builtinDataset(c.dataset);
    const initial = seededInitialParameters(config, dataset, 11);
    const whole = train(config, dataset, initial, { traceEvery: 1 });
    const trainer = new Trainer(config, dataset, initial);
    const losses: number[] = [];
    while (!trainer.done) {
      // A page evaluates the current parameters between steps (the loss it shows): that must change nothing, and
      // it is the loss the next step computes.
      const shown = trainer.evaluate().loss;
      const loss = trainer.step();
      assert.equal(loss, shown);
      losses.push(loss);
    }
    assert.equal(trainer.epoch, config.epochs);
    assert.deepEqual(
      losses,
      whole.trace.map((t) => t.loss),
    );
    assert.deepEqual(trainer.metrics(), whole.metrics);
    assert.deepEqual(trainer.params, whole.finalParameters);
  });
}

test('setLearningRate applies from the next epoch: the same parameters as two trainings with the two rates', () => {
  const config = defaultConfig({ epochs: 800 });
  const dataset = builtinDataset('xor');
  const initial = seededInitialParameters(config, dataset, 5);
  const trainer = new Trainer(config, dataset, initial);
  for (let k = 0; k < 300; k++) trainer.step();
  trainer.setLearningRate(0.7);
  assert.equal(trainer.learningRate, 0.7);
  while (!trainer.done) trainer.step();
  const first = train(defaultConfig({ epochs: 300 }), dataset, initial);
  const second = train(defaultConfig({ epochs: 500, lr: 0.7 }), dataset, first.finalParameters);
  assert.deepEqual(trainer.params, second.finalParameters);
  // (one running sum against two: equal up to rounding)
  const parts = first.metrics.totalLoss! + second.metrics.totalLoss!;
  assert.ok(Math.abs(trainer.totalLoss - parts) < 1e-12 * parts, `${trainer.totalLoss} vs ${parts}`);
  // Without the change the run is another one.
  assert.notDeepEqual(trainer.params, train(config, dataset, initial).finalParameters);
});

test('a diverging Trainer stops, updates nothing more and reports null losses like train()', () => {
  const config = defaultConfig({ lr: 1e6, loss: 'mse', outputActivation: 'linear', activation: 'relu', epochs: 200 });
  const dataset = builtinDataset('xor');
  const initial = seededInitialParameters(config, dataset, 2);
  const trainer = new Trainer(config, dataset, initial);
  while (!trainer.done) trainer.step();
  assert.ok(trainer.diverged);
  assert.ok(trainer.epoch < config.epochs);
  const before = Float64Array.from(trainer.params);
  assert.deepEqual(trainer.metrics(), train(config, dataset, initial).metrics);
  assert.deepEqual(trainer.params, before);
});
