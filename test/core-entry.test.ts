// The browser-safe entry `xorlab/core` (src/core-entry.ts): the same trainings as `xorlab`'s reference engine, datasets
// given as tables instead of files, and typed errors. (test/package/browser-bundle.test.ts bundles it for a browser.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as core from '../src/core-entry.js';
import * as node from '../src/index.js';

test('xorlab/core trains exactly as xorlab does with the reference engine, without validating (trusted input)', () => {
  const config = { epochs: 1500, hiddenStd: 0.7071, outputStd: 0.8165, updateOrder: 'seed' } as const;
  const a = core.train(config, { seed: 11, logEvery: 250 });
  assert.deepEqual(a, node.train(config, { seed: 11, logEvery: 250 }));
  assert.equal(a.trace.length, 6);
  assert.equal(a.engine, undefined);
  // Keys given as undefined take their defaults, as in the schema.
  assert.deepEqual(core.train({ ...config, lr: undefined }, { seed: 11, logEvery: 250 }), a);
  assert.deepEqual(core.withDefaults({ lr: undefined }), core.DEFAULT_CONFIG);
  assert.deepEqual(
    core.predict(
      a.finalParameters,
      [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ],
      a.config,
    ),
    a.metrics.predictions,
  );
});

test('xorlab/core reads no files: a table is parsed from text and given as options.dataset', () => {
  const table = core.parseJsonDataset(
    'and.json',
    JSON.stringify({
      inputs: [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ],
      targets: [0, 0, 0, 1],
    }),
  );
  const run = core.train({ epochs: 2000 }, { seed: 4, dataset: table });
  assert.equal(run.config.dataset, 'and.json');
  assert.deepEqual(
    { ...run, config: { ...run.config, dataset: 'and' } },
    core.train({ dataset: 'and', epochs: 2000 }, { seed: 4 }),
  );
  assert.throws(
    () => core.train({ dataset: 'table.csv' }),
    (error: unknown) =>
      error instanceof core.DatasetError &&
      /dataset "table\.csv" is not built in, and xorlab\/core reads no files/.test(error.message),
  );
  assert.throws(() => core.train({}, { seed: -1 }), core.ConfigError);
  assert.throws(() => core.predict({ layers: [{ weights: [[1]], biases: [0] }] }, [[1, 2]]), core.ParameterFileError);
});

test('the parameter table is there for forms and help: every parameter with its default, kind and description', () => {
  assert.deepEqual(core.PARAMETER_NAMES, Object.keys(core.DEFAULT_CONFIG));
  for (const name of core.PARAMETER_NAMES) {
    const spec = core.PARAMETERS[name];
    assert.deepEqual(core.DEFAULT_CONFIG[name], spec.default, name);
    assert.ok(spec.description.length > 5, name);
  }
  assert.deepEqual(core.PARAMETERS.activation.choices, ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'elu', 'linear']);
});
