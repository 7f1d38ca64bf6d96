// The zod schema of a training configuration, derived from the parameter table (./parameters.ts): it checks what
// people and files give (CLI flags, study files, stored definitions, the library's validateConfig) and fills in
// the defaults. One readable line per problem, naming the flag or key.
import * as z from 'zod';
import type { TrainingConfig } from '../core/config.js';
import { didYouMean } from '../text/suggest.js';
import { PARAMETERS, PARAMETER_NAMES, flagName, type ParameterSpec, type TrainingConfigInput } from './parameters.js';
import { QUOTE_MAX, printable, quote } from '../text/quote.js';

function schemaOf(spec: ParameterSpec): z.ZodType {
  switch (spec.type) {
    case 'number': {
      // zod 4's number() refuses NaN and +-Infinity.
      let s = spec.integer ? z.number().int() : z.number();
      if (spec.min !== undefined) s = spec.minExclusive ? s.gt(spec.min) : s.min(spec.min);
      if (spec.max !== undefined) s = spec.maxExclusive ? s.lt(spec.max) : s.max(spec.max);
      return s.default(spec.default);
    }
    case 'choice':
      return z.enum(spec.choices as [string, ...string[]]).default(spec.default);
    case 'string':
      return z.string().min(1).default(spec.default);
    case 'layers':
      return z
        .array(z.number().int().min(spec.minUnits).max(spec.maxUnits))
        .max(spec.maxLayers)
        .default(() => [...spec.default]);
  }
}

export const TrainingConfigSchema = z
  .object(Object.fromEntries(PARAMETER_NAMES.map((name) => [name, schemaOf(PARAMETERS[name])])))
  .strict()
  .superRefine((c, ctx) => {
    if (c.loss === 'bce' && c.outputActivation !== 'sigmoid') {
      ctx.addIssue({
        code: 'custom',
        path: ['loss'],
        message:
          'bce needs a sigmoid output (predictions must lie in (0, 1)); use --loss mse with other output activations',
      });
    }
  }) as unknown as z.ZodType<TrainingConfig, TrainingConfigInput>;

export type { TrainingConfigInput } from './parameters.js';

/** The defaults with `overrides`, validated (throws a ZodError on bad values). */
export function defaultConfig(overrides: TrainingConfigInput = {}): TrainingConfig {
  return TrainingConfigSchema.parse(overrides);
}

/** Validates a configuration; errors carry the offending input so messages can show it. */
export function safeParseConfig(input: unknown) {
  return TrainingConfigSchema.safeParse(input, { reportInput: true });
}

/**
 * One readable line for a validation error: the option, what is allowed and what was given.
 * `name` maps a config path to what the user typed (a CLI flag or a JSON key).
 */
export function describeIssues(
  error: z.ZodError,
  name: (path: PropertyKey[]) => string = (p) => flagName(String(p[0] ?? 'config')),
  /** The keys an object at `path` may have, for "did you mean" on an unknown key (default: the parameters). */
  knownKeys: (path: PropertyKey[]) => readonly string[] = () => PARAMETER_NAMES,
): string {
  // zod's int() adds its own safe-integer bound beside ours: of two bounds on one value, only the tighter one is said.
  const key = (issue: z.core.$ZodIssue): string => `${issue.code} ${issue.path.map(String).join('.')}`;
  const tightest = new Map<string, number>();
  for (const issue of error.issues) {
    if (issue.code !== 'too_big' && issue.code !== 'too_small') continue;
    const bound = Number(issue.code === 'too_big' ? issue.maximum : issue.minimum);
    const seen = tightest.get(key(issue));
    if (seen === undefined || (issue.code === 'too_big' ? bound < seen : bound > seen)) tightest.set(key(issue), bound);
  }
  const looser = (issue: z.core.$ZodIssue): boolean =>
    (issue.code === 'too_big' && Number(issue.maximum) !== tightest.get(key(issue))) ||
    (issue.code === 'too_small' && Number(issue.minimum) !== tightest.get(key(issue)));
  return error.issues
    .filter((issue) => !looser(issue))
    .map((issue) => {
      const where = issue.path.length ? name(issue.path) : 'configuration';
      const got = 'input' in issue && issue.input !== undefined ? `, got ${quote(issue.input)}` : '';
      switch (issue.code) {
        case 'too_small':
          return `${where} must be ${issue.inclusive ? '>=' : '>'} ${issue.minimum}${got}`;
        case 'too_big':
          return `${where} must be ${issue.inclusive ? '<=' : '<'} ${issue.maximum}${got}`;
        case 'invalid_value':
          return `${where} must be one of ${issue.values.map(String).join(', ')}${got}`;
        case 'invalid_type':
          return `${where} must be ${issue.expected === 'int' ? 'an integer' : `a ${issue.expected}`}${got}`;
        case 'unrecognized_keys': {
          const inside = issue.path.length ? ` in ${printable(issue.path.map(String).join('.'), QUOTE_MAX)}` : '';
          return issue.keys
            .map((key) => `unknown key ${quote(key)}${inside}${didYouMean(key, knownKeys(issue.path))}`)
            .join('; ');
        }
        default:
          return `${where}: ${issue.message}`;
      }
    })
    .join('; ');
}
