// The training-configuration flags, shared by every command that trains (train, sweep, ...): one per row of the
// parameter table (config/parameters.ts), parsed into the schema derived from it, which owns defaults and ranges.
import { Option, type Command } from 'commander';
import type { TrainingConfig } from '../core/index.js';
import {
  PARAMETERS,
  PARAMETER_NAMES,
  defaultText,
  describeIssues,
  flagName,
  safeParseConfig,
  type ParameterName,
  type ParameterSpec,
  type TrainingConfigInput,
} from '../config/index.js';
import { UsageError } from './errors.js';
import { parseIntList, parseNumber } from './parse.js';

/** A flag per parameter of the table, with its help and default derived from it. */
const CONFIG_FLAGS = PARAMETER_NAMES.map((key) => {
  const spec: ParameterSpec = PARAMETERS[key];
  return {
    key,
    spec,
    flag: `${flagName(key)} ${spec.placeholder}`,
    description: `${spec.description} (default: ${defaultText(key)})`,
  };
});

/** Adds every training-configuration flag to `command` (or those of `only`). */
export function addConfigOptions(command: Command, only?: readonly ParameterName[]): Command {
  for (const spec of CONFIG_FLAGS) {
    if (only && !only.includes(spec.key)) continue;
    const option = new Option(spec.flag, spec.description);
    if (spec.spec.type === 'choice') option.choices(spec.spec.choices);
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
    if (spec.spec.type === 'number') input[spec.key] = parseNumber(flag, raw as string);
    else if (spec.spec.type === 'layers')
      input[spec.key] = parseIntList(flag, raw as string, { min: spec.spec.minUnits, max: spec.spec.maxUnits });
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
