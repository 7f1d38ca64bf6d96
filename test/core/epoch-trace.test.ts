// One epoch's trace (what `xorlab explain` prints and the playground's step panel shows) against a line-by-line
// transcription of the article's NumPy loop, and against the training it is recorded from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Network,
  Trainer,
  builtinDataset,
  epochQuantities,
  hasArticleNames,
  seededInitialParameters,
  traceEpoch,
  train,
  type EpochQuantity,
} from '../../src/core/index.js';
import { defaultConfig, type TrainingConfigInput } from '../../src/config/index.js';
import { articleLoop, articleParameters, relativeDifference } from '../helpers/article-numpy.js';

const ARTICLE = { hiddenStd: 1, outputStd: 1, bceClip: 1e-15, lr: 0.1, epochs: 10000 } as const;

/** The quantities of epoch `epoch` of a training from `seed`, by key. */
function quantitiesAt(input: TrainingConfigInput, seed: number, epoch: number): Map<string, EpochQuantity> {
  const config = defaultConfig(input);
  const dataset = builtinDataset(config.dataset);
  const trainer = new Trainer(config, dataset, seededInitialParameters(config, dataset, seed));
  while (trainer.epoch < epoch) trainer.step();
  return new Map(epochQuantities(traceEpoch(trainer), config).map((q) => [q.key, q]));
}

for (const updateOrder of ['seed', 'textbook'] as const) {
  test(`the engine's epoch equals the article's NumPy loop, every array to 1e-12 relative (${updateOrder} order)`, () => {
    const epochs = [0, 1, 37, 900];
    for (const seed of [1, 2, 7, 123456]) {
      const config = defaultConfig({ ...ARTICLE, updateOrder });
      const start = seededInitialParameters(config, builtinDataset('xor'), seed);
      const expected = articleLoop(articleParameters(start), Math.max(...epochs), config.lr, updateOrder);
      for (const epoch of epochs) {
        const got = quantitiesAt({ ...ARTICLE, updateOrder }, seed, epoch);
        const want = expected[epoch];
        assert.deepEqual([...got.keys()].sort(), Object.keys(want).sort(), "the same arrays, by the article's names");
        for (const [key, array] of Object.entries(want)) {
          const quantity = got.get(key)!;
          assert.deepEqual(quantity.shape, [array.length, array[0].length], `${key}: shape`);
          const difference = relativeDifference(quantity.rows, array);
          assert.ok(difference <= 1e-12, `seed ${seed}, epoch ${epoch}, ${key}: relative difference ${difference}`);
        }
      }
    }
  });
}

test('the update order shows in error_hidden: seed uses the updated output weights, textbook those before', () => {
  for (const updateOrder of ['seed', 'textbook'] as const) {
    const q = quantitiesAt({ ...ARTICLE, updateOrder }, 3, 5);
    const weights = updateOrder === 'seed' ? q.get('output_weights_updated')!.rows : q.get('output_weights')!.rows;
    const delta = q.get('d_predicted_output')!.rows;
    const expected = delta.map((row) => weights.map((w) => row[0] * w[0]));
    assert.ok(relativeDifference(q.get('error_hidden')!.rows, expected) < 1e-15, updateOrder);
    assert.match(q.get('error_hidden')!.note!, updateOrder === 'seed' ? /already updated/ : /start of the epoch/);
  }
  // The two orders give different error_hidden from the same start: the comparison above can tell them apart.
  const seed = quantitiesAt({ ...ARTICLE, updateOrder: 'seed' }, 3, 0).get('error_hidden')!.rows;
  const textbook = quantitiesAt({ ...ARTICLE, updateOrder: 'textbook' }, 3, 0).get('error_hidden')!.rows;
  assert.ok(relativeDifference(seed, textbook) > 1e-6);
});

test("tracing an epoch is the training: the traced run ends with train()'s bits, each epoch starting where the last ended", () => {
  const cases: { config: TrainingConfigInput; dataset: string }[] = [
    { config: { ...ARTICLE, updateOrder: 'seed', epochs: 300 }, dataset: 'xor' },
    {
      config: {
        hidden: [3, 2],
        activation: 'tanh',
        loss: 'mse',
        optimizer: 'adam',
        lr: 0.01,
        epochs: 200,
        dataset: 'parity3',
      },
      dataset: 'parity3',
    },
  ];
  for (const c of cases) {
    const config = defaultConfig(c.config);
    const dataset = builtinDataset(c.dataset);
    const initial = seededInitialParameters(config, dataset, 9);
    const whole = train(config, dataset, initial, { traceEvery: 1 });
    const trainer = new Trainer(config, dataset, initial);
    let previous: ReturnType<typeof traceEpoch> | null = null;
    while (!trainer.done) {
      const trace = traceEpoch(trainer);
      assert.equal(trace.meanLoss, whole.trace[trace.epoch].loss);
      if (previous)
        trace.layers.forEach((layer, l) => assert.deepEqual(layer.weights, previous!.layers[l].backward!.weights));
      previous = trace;
    }
    assert.deepEqual(trainer.params, whole.finalParameters);
    assert.throws(() => traceEpoch(trainer), /no epoch left/);
  }
});

test('in textbook order the traced gradients are the full gradient of the summed loss (any depth, activation, loss)', () => {
  const config = defaultConfig({
    hidden: [3, 2],
    activation: 'tanh',
    outputActivation: 'linear',
    loss: 'mse',
    optimizer: 'momentum',
    dataset: 'parity3',
  });
  const dataset = builtinDataset('parity3');
  const initial = seededInitialParameters(config, dataset, 4);
  const { grad } = new Network(config, dataset).lossAndGradient(initial);
  const trace = traceEpoch(new Trainer(config, dataset, initial));
  const traced = trace.layers.flatMap((layer) => [
    ...layer.backward!.weightGradient.rows.flat(),
    ...layer.backward!.biasGradient.rows.flat(),
  ]);
  assert.deepEqual(traced, Array.from(grad));
  // The mean loss is the mean of the traced per-sample losses.
  const losses = trace.loss.rows.flat();
  assert.ok(Math.abs(losses.reduce((a, b) => a + b, 0) / losses.length - trace.meanLoss) < 1e-15);
});

test('other networks get general per-layer names, each with its shape, in the order the code makes them', () => {
  const input: TrainingConfigInput = { hidden: [4, 4], activation: 'relu', dataset: 'xor', updateOrder: 'seed' };
  assert.equal(hasArticleNames(defaultConfig(input)), false);
  assert.equal(hasArticleNames(defaultConfig(ARTICLE)), true);
  const q = quantitiesAt(input, 1, 2);
  assert.deepEqual(
    [...q.keys()],
    [
      'inputs',
      'targets',
      'W1',
      'b1',
      'W2',
      'b2',
      'W3',
      'b3',
      'z1',
      'a1',
      'z2',
      'a2',
      'z3',
      'a3',
      'loss',
      'delta3',
      'dW3',
      'W3_updated',
      'db3',
      'b3_updated',
      'error2',
      'delta2',
      'dW2',
      'W2_updated',
      'db2',
      'b2_updated',
      'error1',
      'delta1',
      'dW1',
      'W1_updated',
      'db1',
      'b1_updated',
    ],
  );
  assert.deepEqual(q.get('W2')!.shape, [4, 4]);
  assert.deepEqual(q.get('z1')!.shape, [4, 4]);
  assert.deepEqual(q.get('W3')!.shape, [4, 1]);
  assert.deepEqual(q.get('b3')!.shape, [1, 1]);
  assert.equal(q.get('a1')!.code, 'a1 = relu(z1)');
  assert.equal(q.get('delta1')!.code, 'delta1 = error1 * (z1 > 0)');
  // relu's derivative is what the engine applied: delta1 = error1 where z1 > 0, else 0.
  const z1 = q.get('z1')!.rows;
  q.get('delta1')!.rows.forEach((row, s) =>
    row.forEach((d, j) => assert.ok(d === (z1[s][j] > 0 ? q.get('error1')!.rows[s][j] : 0), `delta1[${s}][${j}]`)),
  );
});

test('an epoch whose loss is not finite is traced forward only, and marked diverged', () => {
  const config = defaultConfig({ lr: 1e6, loss: 'mse', outputActivation: 'linear', activation: 'relu', epochs: 200 });
  const dataset = builtinDataset('xor');
  const trainer = new Trainer(config, dataset, seededInitialParameters(config, dataset, 2));
  let trace = traceEpoch(trainer);
  while (!trace.diverged && !trainer.done) trace = traceEpoch(trainer);
  assert.equal(trace.diverged, true);
  assert.ok(trace.layers.every((layer) => layer.backward === null));
  assert.equal(epochQuantities(trace, config).at(-1)!.key, 'loss');
});
