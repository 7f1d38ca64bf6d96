// The parameter table is the one declaration of every training parameter: the schema, the defaults, the flags,
// the sweepable parameters and the chart titles all come from it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';
import { DEFAULT_CONFIG, PARAMETERS, PARAMETER_NAMES, defaultConfig, flagName, parameterFromFlag, withDefaults } from '../../src/config/index.js';
import { addConfigOptions } from '../../src/cli/config-options.js';
import { SWEEPABLE } from '../../src/study/params.js';
import { parameterTitle } from '../../src/plot/names.js';

test('the schema fills in exactly the table\'s defaults, in the table\'s key order (stored definitions keep that text)', () => {
  assert.deepEqual(defaultConfig(), DEFAULT_CONFIG);
  assert.deepEqual(withDefaults(), DEFAULT_CONFIG);
  // A stored study's definition is compared as text: reordering the table would make every stored study "another".
  assert.deepEqual(Object.keys(defaultConfig()), [
    'dataset', 'hidden', 'activation', 'outputActivation', 'leakySlope', 'eluAlpha', 'loss', 'bceClip', 'optimizer',
    'momentum', 'beta1', 'beta2', 'adamEpsilon', 'schedule', 'stepEvery', 'stepGamma', 'expGamma', 'minLr', 'lr',
    'epochs', 'init', 'hiddenStd', 'outputStd', 'updateOrder', 'threshold',
  ]);
  assert.equal(DEFAULT_CONFIG.lr, 0.1);
  assert.equal(DEFAULT_CONFIG.epochs, 10_000);
});

test('every parameter gets a flag whose help names its default, and every one of its ranges is enforced', () => {
  const command = addConfigOptions(new Command('x'));
  const help = command.helpInformation();
  for (const name of PARAMETER_NAMES) {
    assert.ok(command.options.some((o) => o.long === flagName(name)), `${flagName(name)} is a flag`);
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
    if (max !== undefined) assert.throws(() => defaultConfig({ [name]: spec.maxExclusive ? max : max + 1 }), `${name} above its max is refused`);
    if (spec.integer) assert.throws(() => defaultConfig({ [name]: spec.default + 0.5 }), `${name} must be an integer`);
    assert.throws(() => defaultConfig({ [name]: Infinity }), `${name} must be finite`);
  }
});

test('sweep kinds and chart titles come from the table', () => {
  assert.deepEqual(SWEEPABLE.hiddenStd, { kind: 'numeric', integer: false });
  assert.deepEqual(SWEEPABLE.epochs, { kind: 'numeric', integer: true });
  assert.deepEqual(SWEEPABLE.init, { kind: 'categorical', choices: ['normal', 'xavier-normal', 'xavier-uniform', 'he-normal'] });
  assert.deepEqual(SWEEPABLE.dataset, { kind: 'categorical', choices: null });
  assert.equal(parameterTitle('lr'), 'Learning rate (lr)');
  assert.equal(parameterTitle('notAParameter'), 'notAParameter');
  assert.equal(parameterFromFlag('--hidden-std'), 'hiddenStd');
  assert.equal(parameterFromFlag('hidden-std'), 'hiddenStd');
  assert.equal(parameterFromFlag('--wingspan'), null);
});
