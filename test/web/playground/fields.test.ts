// The playground's fields are built from the parameter table and the run-options table (config/): every training
// parameter has its field, with the table's label, default, choices and condition; the page adds only where each
// field sits and its hint. In process: what the page shows of them is tested in Chromium (../playground.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_CONFIG,
  PARAMETERS,
  PARAMETER_NAMES,
  RUN_OPTIONS,
  defaultText,
  parameterApplies,
  parameterLabel,
  type ParameterSpec,
} from '../../../src/config/index.js';
import { CONFIG_KEYS, FIELDS, FIELD_BY_KEY, isShown } from '../../../src/web/playground/fields.js';
import { defaultState, resolveConfig, stateFromQuery } from '../../../src/web/playground/state.js';

test("every training parameter has exactly one field, with the table's label, default and choices", () => {
  const keys = FIELDS.map((f) => f.key);
  assert.equal(new Set(keys).size, keys.length, 'no key twice');
  assert.deepEqual(
    [...CONFIG_KEYS].sort(),
    [...PARAMETER_NAMES].sort(),
    'a field per parameter, and no other config key',
  );
  for (const name of PARAMETER_NAMES) {
    const field = FIELD_BY_KEY.get(name);
    assert.ok(field, `${name} has a field`);
    assert.equal(field.initial, defaultText(name), `${name}'s default`);
    assert.equal(field.label, parameterLabel(name), `${name}'s label`);
    assert.ok(field.group === 'main' || field.group === 'advanced', `${name} is among the settings`);
    const spec: ParameterSpec = PARAMETERS[name];
    if (spec.type === 'choice')
      assert.deepEqual(
        field.choices?.map((c) => c.value),
        [...spec.choices],
        `${name}'s choices`,
      );
    assert.equal(
      field.kind,
      spec.type === 'number' ? (spec.integer ? 'integer' : 'number') : spec.type === 'layers' ? 'units' : 'choice',
      `${name}'s kind`,
    );
  }
  assert.equal(FIELD_BY_KEY.get('loss')?.choices?.find((c) => c.value === 'bce')?.label, 'binary cross-entropy');
  assert.equal(FIELD_BY_KEY.get('repeats')?.initial, String(RUN_OPTIONS.repeats.default));
  assert.equal(FIELD_BY_KEY.get('studySeed')?.initial, String(RUN_OPTIONS.seed.default));
});

test("the page's default settings are the table's defaults", () => {
  const config = resolveConfig(defaultState());
  assert.ok(config.ok);
  assert.deepEqual(config.value, DEFAULT_CONFIG);
});

test("a field shows exactly where its parameter applies, by either activation for the activations' own settings", () => {
  const shown = (query: string, key: string): boolean =>
    isShown(FIELD_BY_KEY.get(key)!, stateFromQuery(query).state.values);
  for (const query of [
    '',
    'activation=leaky-relu',
    'outputActivation=elu&loss=mse',
    'optimizer=momentum',
    'optimizer=adam&schedule=step',
    'loss=mse&init=he-normal',
    'schedule=cosine',
  ]) {
    const { values } = stateFromQuery(query).state;
    for (const name of PARAMETER_NAMES)
      assert.equal(
        isShown(FIELD_BY_KEY.get(name)!, values),
        parameterApplies(name, values),
        `${name} with ${query || 'the defaults'}`,
      );
  }
  assert.equal(shown('', 'leakySlope'), false);
  assert.equal(shown('activation=leaky-relu', 'leakySlope'), true);
  // The slope shapes a leaky-relu output layer too (core applies it to both layers).
  assert.equal(shown('outputActivation=leaky-relu&loss=mse', 'leakySlope'), true);
  assert.equal(shown('outputActivation=elu&loss=mse', 'eluAlpha'), true);
  assert.equal(shown('', 'bceClip'), true);
  assert.equal(shown('loss=mse', 'bceClip'), false);
  assert.equal(shown('optimizer=momentum', 'momentum'), true);
  assert.equal(shown('optimizer=adam', 'momentum'), false);
  assert.equal(shown('init=xavier-normal', 'hiddenStd'), false);
  assert.equal(shown('', 'seed'), true);
});
