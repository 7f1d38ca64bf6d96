// The run-option flags (--repeats, --seed, --workers, --engine, --precision, --chunk-size): one per row of the
// run-options table (config/run-options.ts), with the help, the choices and the range checks derived from it, as
// config-options.ts does for the training parameters.
import { Option } from 'commander';
import {
  RUN_OPTIONS,
  flagName,
  type IntegerRunOptionName,
  type RunOptionName,
  type RunOptionSpec,
} from '../config/index.js';
import { defaultWorkers } from '../study/run/run-plan.js';
import { parseNumber } from './parse.js';

/** The flag of a run option; `defaultNow` says what the default comes to on this machine (the core count: '2 here'). */
export function runOptionFlag(name: RunOptionName, defaultNow?: string): Option {
  const spec: RunOptionSpec = RUN_OPTIONS[name];
  const range = spec.type === 'integer' ? `, ${spec.min}..${spec.max}` : '';
  const defaultText = `${spec.defaultText ?? String(spec.default)}${defaultNow ? `, ${defaultNow}` : ''}`;
  const option = new Option(
    `${flagName(name)} ${spec.placeholder}`,
    `${spec.description}${range} (default: ${defaultText})`,
  );
  if (spec.type === 'choice') option.choices(spec.choices);
  return option;
}

/** An integer run option's flag value, checked against its range (UsageError naming the flag). */
export function parseRunOption(name: IntegerRunOptionName, raw: string): number {
  const spec: RunOptionSpec = RUN_OPTIONS[name];
  if (spec.type !== 'integer') throw new TypeError(`${name} is not an integer option`);
  return parseNumber(flagName(name), raw, { integer: true, min: spec.min, max: spec.max });
}

/** --workers, whose help says the core count here (sweep, refine, reproduce and worker). */
export function workersFlag(): Option {
  return runOptionFlag('workers', `${defaultWorkers()} here`);
}

/** The worker threads --workers asks for, checked; without it one per core. */
export function parseWorkers(raw: string | undefined): number {
  return raw === undefined ? defaultWorkers() : parseRunOption('workers', raw);
}
