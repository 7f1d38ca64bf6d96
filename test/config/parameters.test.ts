// The parameter table is the one declaration of every training parameter: the schema, the defaults, the flags,
// the sweepable parameters and the chart titles all come from it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';
import {
  DEFAULT_CONFIG,
  PARAMETERS,
  PARAMETER_NAMES,
  choiceLabel,
  defaultConfig,
  flagName,
  parameterApplies,
  parameterFromFlag,
  parameterLabel,
  withDefaults,
  type ParameterName,
  type ParameterSpec,
} from '../../src/config/index.js';
import type { TrainingConfig } from '../../src/core/config.js';
import { builtinDataset } from '../../src/core/datasets.js';
import { trainFromSeed } from '../../src/core/train.js';
import { addConfigOptions } from '../../src/cli/config-options.js';
import { SWEEPABLE } from '../../src/study/definition/params.js';
import { parameterTitle } from '../../src/plot/names.js';

test("the schema fills in exactly the table's defaults, in the table's key order (stored definitions keep that text)", () => {
  assert.deepEqual(defaultConfig(), DEFAULT_CONFIG);
  assert.deepEqual(withDefaults(), DEFAULT_CONFIG);
  // A stored study's definition is compared as text: reordering the table would make every stored study "another".
  assert.deepEqual(Object.keys(defaultConfig()), [
    'dataset',
    'hidden',
    'activation',
    'outputActivation',
    'leakySlope',
    'eluAlpha',
    'loss',
    'bceClip',
    'optimizer',
    'momentum',
    'beta1',
    'beta2',
    'adamEpsilon',
    'schedule',
    'stepEvery',
    'stepGamma',
    'expGamma',
    'minLr',
    'lr',
    'epochs',
    'init',
    'hiddenStd',
    'outputStd',
    'updateOrder',
    'threshold',
  ]);
  assert.equal(DEFAULT_CONFIG.lr, 0.1);
  assert.equal(DEFAULT_CONFIG.epochs, 10_000);
});

test('every parameter gets a flag whose help names its default, and every one of its ranges is enforced', () => {
  const command = addConfigOptions(new Command('x'));
  const help = command.helpInformation();
  for (const name of PARAMETER_NAMES) {
    assert.ok(
      command.options.some((o) => o.long === flagName(name)),
      `${flagName(name)} is a flag`,
    );
    assert.equal(parameterFromFlag(flagName(name)), name);
  }
  assert.match(help, /--lr <rate> +learning rate \(default: 0\.1\)/);
  assert.match(help, /--hidden <units>[\s\S]*\(default: 2\)/);
  for (const name of PARAMETER_NAMES) {
    const spec = PARAMETERS[name];
    if (spec.type !== 'number') continue;
    if (spec.min !== undefined) {
      const below = spec.minExclusive ? spec.min : spec.min - 1;
      assert.throws(() => defaultConfig({ [name]: below }), `${name} = ${below} is refused`);
    }
    const max = spec.max;
    if (max !== undefined)
      assert.throws(
        () => defaultConfig({ [name]: spec.maxExclusive ? max : max + 1 }),
        `${name} above its max is refused`,
      );
    if (spec.integer) assert.throws(() => defaultConfig({ [name]: spec.default + 0.5 }), `${name} must be an integer`);
    assert.throws(() => defaultConfig({ [name]: Infinity }), `${name} must be finite`);
  }
});

test('sweep kinds and chart titles come from the table', () => {
  assert.deepEqual(SWEEPABLE.hiddenStd, { kind: 'numeric', integer: false });
  assert.deepEqual(SWEEPABLE.epochs, { kind: 'numeric', integer: true });
  assert.deepEqual(SWEEPABLE.init, {
    kind: 'categorical',
    choices: ['normal', 'xavier-normal', 'xavier-uniform', 'he-normal'],
  });
  assert.deepEqual(SWEEPABLE.dataset, { kind: 'categorical', choices: null });
  assert.equal(parameterTitle('lr'), 'Learning rate (lr)');
  assert.equal(parameterTitle('notAParameter'), 'notAParameter');
  assert.equal(parameterFromFlag('--hidden-std'), 'hiddenStd');
  assert.equal(parameterFromFlag('hidden-std'), 'hiddenStd');
  assert.equal(parameterFromFlag('--wingspan'), null);
});

test('labels, choice labels and appliesWhen name real parameters and choices', () => {
  for (const name of PARAMETER_NAMES) {
    const spec: ParameterSpec = PARAMETERS[name];
    assert.ok(parameterLabel(name).length > 0, `${name} has a label`);
    if (spec.type === 'choice')
      for (const choice of Object.keys(spec.choiceLabels ?? {}))
        assert.ok(spec.choices.includes(choice), `${name}: ${choice} is a choice`);
    for (const [other, values] of Object.entries(spec.appliesWhen ?? {})) {
      const otherSpec: ParameterSpec = PARAMETERS[other as ParameterName];
      assert.equal(otherSpec.type, 'choice', `${name} applies by ${other}, a choice`);
      for (const value of values as string[])
        assert.ok(
          otherSpec.type === 'choice' && otherSpec.choices.includes(value),
          `${name}: ${other}=${value} is a choice`,
        );
    }
  }
  assert.equal(parameterLabel('lr'), 'Learning rate');
  assert.equal(parameterLabel('eluAlpha'), 'ELU α');
  assert.equal(choiceLabel('loss', 'bce'), 'binary cross-entropy');
  assert.equal(choiceLabel('activation', 'tanh'), 'tanh');
  assert.equal(parameterApplies('leakySlope', {}), false);
  assert.equal(parameterApplies('leakySlope', { outputActivation: 'leaky-relu' }), true);
  assert.equal(parameterApplies('hiddenStd', {}), true);
  assert.equal(parameterApplies('lr', { optimizer: 'adam' }), true);
});

/** Another allowed value of each parameter that has an appliesWhen, to see whether it changes a training. */
const OTHER_VALUE: Partial<Record<ParameterName, number>> = {
  leakySlope: 0.3,
  eluAlpha: 0.5,
  bceClip: 0.4,
  momentum: 0.5,
  beta1: 0.5,
  beta2: 0.5,
  adamEpsilon: 0.1,
  stepEvery: 10,
  stepGamma: 0.1,
  expGamma: 0.9,
  minLr: 0.05,
  hiddenStd: 3,
  outputStd: 3,
};

test('appliesWhen is true of the training: where it holds the value changes a run, where it does not the run is the same bit for bit', () => {
  const dataset = builtinDataset('xor');
  // What a run gives: its final parameters and its losses (bceClip changes the loss, not BCE's gradient).
  const finalParameters = (config: TrainingConfig): (number | null)[] => {
    const run = trainFromSeed(config, dataset, 3);
    return [...run.finalParameters, run.metrics.finalLoss, run.metrics.totalLoss];
  };
  const conditional = PARAMETER_NAMES.filter((name) => (PARAMETERS[name] as ParameterSpec).appliesWhen);
  assert.deepEqual(
    conditional.filter((name) => OTHER_VALUE[name] === undefined),
    [],
    'every conditional parameter has a value to try',
  );
  for (const name of conditional) {
    const when = (PARAMETERS[name] as ParameterSpec).appliesWhen!;
    // Off: every condition's parameter takes a choice outside its list ('file' needs weights; bce needs a sigmoid output).
    const off: Record<string, unknown> = { epochs: 60, loss: 'mse', stepEvery: 20 };
    for (const [other, values] of Object.entries(when)) {
      const spec = PARAMETERS[other as ParameterName] as ParameterSpec;
      if (spec.type === 'choice')
        off[other] = spec.choices.find((c) => !(values as string[]).includes(c) && c !== 'file');
    }
    if (off.loss === 'bce') off.outputActivation = 'sigmoid';
    // On: the first condition holds.
    const [firstKey, firstValues] = Object.entries(when)[0];
    const on: Record<string, unknown> = { ...off, [firstKey]: (firstValues as string[])[0] };
    if (on.loss === 'bce') on.outputActivation = 'sigmoid';
    assert.equal(parameterApplies(name, off), false, `${name} off: ${JSON.stringify(off)}`);
    assert.equal(parameterApplies(name, on), true, `${name} on: ${JSON.stringify(on)}`);
    const other = { [name]: OTHER_VALUE[name] };
    assert.deepEqual(
      finalParameters(defaultConfig({ ...off, ...other })),
      finalParameters(defaultConfig(off)),
      `${name} does nothing with ${JSON.stringify(off)}`,
    );
    assert.notDeepEqual(
      finalParameters(defaultConfig({ ...on, ...other })),
      finalParameters(defaultConfig(on)),
      `${name} matters with ${JSON.stringify(on)}`,
    );
  }
});
