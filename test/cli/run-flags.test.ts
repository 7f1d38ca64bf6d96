// The run-option flags come from the run-options table (config/run-options.ts): each command's help says the
// table's range and default, and the CLI's parsing, the library's check and the study definition's schema take
// the same values and refuse the same ones. In process: nothing here is about the terminal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';
import {
  RUN_OPTIONS,
  RUN_OPTION_NAMES,
  flagName,
  runOptionProblem,
  type IntegerRunOptionName,
  type RunOptionSpec,
} from '../../src/config/index.js';
import { registerRefine } from '../../src/cli/commands/refine.js';
import { registerSweep } from '../../src/cli/commands/sweep.js';
import { registerWorker } from '../../src/cli/commands/worker.js';
import { UsageError, type Outcome } from '../../src/cli/errors.js';
import { parseRunOption } from '../../src/cli/run-flags.js';
import { StudyError, resolveStudy } from '../../src/study/definition/definition.js';
import { XorlabError } from '../../src/text/errors.js';

function help(register: (program: Command, end: (outcome: Outcome) => void) => void, name: string): string {
  const program = new Command('xorlab');
  register(program, () => {});
  return program.commands
    .find((c) => c.name() === name)!
    .helpInformation()
    .replace(/\s+/g, ' ');
}

test("sweep, refine and worker say each run option's range and default from the table, in the same words", () => {
  const sweep = help(registerSweep, 'sweep');
  const refine = help(registerRefine, 'refine');
  const worker = help(registerWorker, 'worker');
  for (const name of RUN_OPTION_NAMES) {
    const spec: RunOptionSpec = RUN_OPTIONS[name];
    const flag = `${flagName(name)} ${spec.placeholder}`;
    const range = spec.type === 'integer' ? `, ${spec.min}..${spec.max}` : '';
    const said = `${flag} ${spec.description}${range} (default: ${spec.defaultText ?? String(spec.default)}`;
    assert.ok(sweep.includes(said), `sweep --help: ${said}`);
    if (name !== 'repeats' && name !== 'seed') assert.ok(refine.includes(said), `refine --help: ${said}`);
  }
  assert.match(
    sweep,
    /--repeats <n> trainings per grid point, 1\.\.1000000 \(default: 10; points x repeats at most 100,000,000\)/,
  );
  assert.match(sweep, /--engine <name> .*\(choices: "fast", "reference"\)/);
  // --workers is declared once: the worker command's is the sweep's.
  const workers = /--workers <n> [^)]*\)/.exec(sweep)![0];
  assert.ok(worker.includes(workers), worker);
});

test('the CLI, the library and a study definition take and refuse the same values of each integer run option', () => {
  const integers = RUN_OPTION_NAMES.filter(
    (name): name is IntegerRunOptionName => RUN_OPTIONS[name].type === 'integer',
  );
  assert.deepEqual(integers, ['repeats', 'seed', 'workers', 'chunkSize']);
  for (const name of integers) {
    const { min, max } = RUN_OPTIONS[name];
    for (const value of [min, max]) {
      assert.equal(parseRunOption(name, String(value)), value);
      assert.equal(runOptionProblem(name, value), null);
    }
    for (const value of [min - 1, max + 1]) {
      assert.throws(
        () => parseRunOption(name, String(value)),
        (e: Error) =>
          e instanceof UsageError &&
          e.message === `${flagName(name)} must be an integer >= ${min} and <= ${max}, got "${value}"`,
      );
      assert.equal(runOptionProblem(name, value), `${name} must be an integer from ${min} to ${max}, got ${value}`);
    }
    assert.throws(() => parseRunOption(name, '1.5'), UsageError);
    assert.match(runOptionProblem(name, '2') ?? '', /must be an integer from .*, got "2"/);
  }
  // A study's repeats and seed: the schema's bounds are the table's.
  const study = (extra: object) => resolveStudy({ name: 'x', sweep: { hiddenStd: '1' }, ...extra });
  for (const name of ['repeats', 'seed'] as const) {
    const { min, max } = RUN_OPTIONS[name];
    assert.equal(study({ [name]: max }).definition[name], max);
    assert.equal(study({ [name]: min }).definition[name], min);
    assert.throws(() => study({ [name]: max + 1 }), StudyError);
    assert.throws(() => study({ [name]: min - 1 }), StudyError);
  }
  assert.equal(study({}).definition.repeats, RUN_OPTIONS.repeats.default);
  assert.equal(study({}).definition.seed, RUN_OPTIONS.seed.default);
  assert.equal(runOptionProblem('engine', 'gpu'), 'engine must be one of fast, reference, got "gpu"');
  assert.equal(runOptionProblem('precision', undefined), null);
});

test('a UsageError is a XorlabError, named as before', () => {
  const error = new UsageError('--workers must be an integer');
  assert.ok(error instanceof XorlabError);
  assert.equal(error.name, 'UsageError');
});
