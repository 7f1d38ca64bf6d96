// Where one training starts, as `xorlab train` and `xorlab explain` read it from their flags: the configuration with
// --init-weights folded in, the seed, and the initial parameters (from the file, or drawn from the seed). The two
// flags are declared here too, once for both commands.
import { randomInt } from 'node:crypto';
import type { Command } from 'commander';
import {
  MAX_SEED,
  fromParameterFile,
  seededInitialParameters,
  shapeFor,
  type Dataset,
  type TrainingConfig,
} from '../core/index.js';
import { configInputFromOptions, validateConfig } from './config-options.js';
import { UsageError, withFlag } from './errors.js';
import { readJsonFile } from './files.js';
import { parseNumber } from './parse.js';

/** The flags both commands share beside the configuration's own. */
interface StartingFlags {
  initWeights?: string;
  seed?: string;
}

/** Adds --seed and --init-weights (what train and explain share beside the configuration's flags). */
export function addStartingOptions(command: Command): Command {
  return command
    .option(
      '--seed <n>',
      `seed of the initial parameters, 0..${MAX_SEED} (default: random, printed so the run can be repeated)`,
    )
    .option('--init-weights <file>', 'start from the parameters in this JSON file (implies --init file)');
}

/** The configuration from the flags; --init-weights means `--init file`, and the two must agree. */
export function configWithInitWeights(options: StartingFlags & Record<string, unknown>): TrainingConfig {
  const input = configInputFromOptions(options);
  if (options.initWeights !== undefined) {
    if (input.init !== undefined && input.init !== 'file')
      throw new UsageError(`--init-weights cannot be combined with --init ${input.init}; drop one of them`);
    input.init = 'file';
  } else if (input.init === 'file') {
    throw new UsageError('--init file needs --init-weights <file>');
  }
  return validateConfig(input);
}

/** --seed, or a random one (printed by the command so the run can be repeated). */
export function seedFromFlag(seed: string | undefined): number {
  return seed === undefined
    ? randomInt(0, 2 ** 47)
    : parseNumber('--seed', seed, { integer: true, min: 0, max: MAX_SEED });
}

/** The initial parameters: the --init-weights file's, or those the seed draws. */
export function initialParameters(
  options: StartingFlags,
  config: TrainingConfig,
  dataset: Dataset,
  seed: number,
): Float64Array {
  if (options.initWeights === undefined) return seededInitialParameters(config, dataset, seed);
  const file = readJsonFile('--init-weights', options.initWeights);
  return withFlag(`--init-weights: ${options.initWeights}`, () => fromParameterFile(shapeFor(config, dataset), file));
}
