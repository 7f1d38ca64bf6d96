// The training-configuration flags, shared by every command that trains (train, sweep, ...).
// Flags are parsed into the one zod schema (core/config.ts), which owns defaults and ranges.
import { Option, type Command } from 'commander';
import {
  ACTIVATION_NAMES,
  BUILTIN_DATASETS_HELP,
  INIT_NAMES,
  LOSS_NAMES,
  OPTIMIZER_NAMES,
  SCHEDULE_NAMES,
  UPDATE_ORDERS,
  describeIssues,
  flagName,
  safeParseConfig,
  type TrainingConfig,
  type TrainingConfigInput,
} from '../core/index.js';
import { UsageError } from './errors.js';
import { parseIntList, parseNumber } from './parse.js';

interface ConfigFlag {
  key: keyof TrainingConfigInput;
  flag: string;
  description: string;
  kind: 'number' | 'choice' | 'list' | 'string';
  choices?: readonly string[];
}

const CONFIG_FLAGS: ConfigFlag[] = [
  { key: 'dataset', flag: '--dataset <name|file>', description: `training set: ${BUILTIN_DATASETS_HELP}, or a .csv/.json truth table (default: xor)`, kind: 'string' },
  { key: 'hidden', flag: '--hidden <units>', description: 'units per hidden layer, comma-separated, e.g. 2 or 4,4 (default: 2)', kind: 'list' },
  { key: 'activation', flag: '--activation <name>', description: 'hidden-layer activation (default: sigmoid)', kind: 'choice', choices: ACTIVATION_NAMES },
  { key: 'outputActivation', flag: '--output-activation <name>', description: 'output-layer activation (default: sigmoid)', kind: 'choice', choices: ACTIVATION_NAMES },
  { key: 'leakySlope', flag: '--leaky-slope <x>', description: 'slope of leaky-relu below zero (default: 0.01)', kind: 'number' },
  { key: 'eluAlpha', flag: '--elu-alpha <x>', description: 'alpha of elu (default: 1)', kind: 'number' },
  { key: 'loss', flag: '--loss <name>', description: 'bce = binary cross-entropy, mse = mean squared error (default: bce)', kind: 'choice', choices: LOSS_NAMES },
  { key: 'bceClip', flag: '--bce-clip <eps>', description: "clip predictions to [eps, 1-eps] inside BCE as the article does with 1e-15 (default: 0, exact)", kind: 'number' },
  { key: 'optimizer', flag: '--optimizer <name>', description: 'gd = plain gradient descent (the article), momentum, adam (default: gd)', kind: 'choice', choices: OPTIMIZER_NAMES },
  { key: 'momentum', flag: '--momentum <mu>', description: 'momentum coefficient (default: 0.9)', kind: 'number' },
  { key: 'beta1', flag: '--beta1 <b>', description: 'Adam beta1 (default: 0.9)', kind: 'number' },
  { key: 'beta2', flag: '--beta2 <b>', description: 'Adam beta2 (default: 0.999)', kind: 'number' },
  { key: 'adamEpsilon', flag: '--adam-epsilon <e>', description: 'Adam epsilon (default: 1e-8)', kind: 'number' },
  { key: 'schedule', flag: '--schedule <name>', description: 'learning-rate schedule (default: constant)', kind: 'choice', choices: SCHEDULE_NAMES },
  { key: 'stepEvery', flag: '--step-every <epochs>', description: 'step schedule: epochs between drops (default: 2500)', kind: 'number' },
  { key: 'stepGamma', flag: '--step-gamma <g>', description: 'step schedule: factor at each drop (default: 0.5)', kind: 'number' },
  { key: 'expGamma', flag: '--exp-gamma <g>', description: 'exponential schedule: factor per epoch (default: 0.9997)', kind: 'number' },
  { key: 'minLr', flag: '--min-lr <lr>', description: 'cosine schedule: final learning rate (default: 0)', kind: 'number' },
  { key: 'lr', flag: '--lr <rate>', description: 'learning rate (default: 0.1)', kind: 'number' },
  { key: 'epochs', flag: '--epochs <n>', description: 'epochs of full-batch training (default: 10000)', kind: 'number' },
  { key: 'init', flag: '--init <scheme>', description: 'initialisation; "file" needs --init-weights (default: normal)', kind: 'choice', choices: INIT_NAMES },
  { key: 'hiddenStd', flag: '--hidden-std <std>', description: 'std of the hidden layers for --init normal (default: 1)', kind: 'number' },
  { key: 'outputStd', flag: '--output-std <std>', description: 'std of the output layer for --init normal (default: 1)', kind: 'number' },
  { key: 'updateOrder', flag: '--update-order <order>', description: 'textbook = true gradient; seed = the article\'s code (output layer updated first) (default: textbook)', kind: 'choice', choices: UPDATE_ORDERS },
  { key: 'threshold', flag: '--threshold <loss>', description: 'epochsToThreshold = first epoch with mean loss below this (default: 0.05)', kind: 'number' },
];

/** Adds every training-configuration flag to `command`. */
export function addConfigOptions(command: Command): Command {
  for (const spec of CONFIG_FLAGS) {
    const option = new Option(spec.flag, spec.description);
    if (spec.choices) option.choices(spec.choices);
    command.addOption(option);
  }
  return command;
}

/** Reads the configuration flags (only those given) into schema input; numbers are checked to be numbers here. */
export function configInputFromOptions(options: Record<string, unknown>): TrainingConfigInput {
  const input: Record<string, unknown> = {};
  for (const spec of CONFIG_FLAGS) {
    const raw = options[spec.key];
    if (raw === undefined) continue;
    const flag = flagName(spec.key);
    // commander hands every flag's value over as the string typed.
    if (spec.kind === 'number') input[spec.key] = parseNumber(flag, raw as string);
    else if (spec.kind === 'list') input[spec.key] = parseIntList(flag, raw as string, { min: 1, max: 1024 });
    else input[spec.key] = raw;
  }
  return input;
}

/** Validates schema input, turning problems into one UsageError line that names the flags. */
export function validateConfig(input: TrainingConfigInput): TrainingConfig {
  const parsed = safeParseConfig(input);
  if (!parsed.success) throw new UsageError(describeIssues(parsed.error));
  return parsed.data;
}
