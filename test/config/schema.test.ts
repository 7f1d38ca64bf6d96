// What a bad configuration is told: one readable line per wrong value, naming the bound that applies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PARAMETERS, PARAMETER_NAMES, describeIssues, flagName, safeParseConfig } from '../../src/config/index.js';

const told = (input: object): string => {
  const parsed = safeParseConfig(input);
  if (parsed.success) assert.fail(`${JSON.stringify(input)} was accepted`);
  return describeIssues(parsed.error);
};

test("a value far out of range is told the parameter's own bound, not also zod's safe-integer one", () => {
  assert.equal(told({ epochs: 1e99 }), '--epochs must be <= 100000000, got 1e+99');
  assert.equal(told({ epochs: -1e99 }), '--epochs must be >= 1, got -1e+99');
  assert.equal(told({ lr: 0, epochs: 1e99 }), '--lr must be > 0, got 0; --epochs must be <= 100000000, got 1e+99');
  // Every integer parameter: one clause each way, whatever the size of the value.
  for (const name of PARAMETER_NAMES) {
    const spec = PARAMETERS[name];
    if (spec.type !== 'number' || !spec.integer) continue;
    for (const value of [1e99, -1e99]) {
      const line = told({ [name]: value });
      assert.equal(line.split('; ').length, 1, `${name} = ${value}: ${line}`);
      assert.ok(line.startsWith(`${flagName(name)} must be `), line);
    }
  }
});
