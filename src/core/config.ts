// One schema describes a training configuration. It serves the CLI (flags are parsed into it), the stored
// study definition and the JSON export. Defaults are the article's values where it gives them.
import { z } from 'zod';
import { ACTIVATION_NAMES } from './activations.js';
import { LOSS_NAMES } from './losses.js';
import { OPTIMIZER_NAMES } from './optimizers.js';
import { SCHEDULE_NAMES } from './schedules.js';

export const INIT_NAMES = ['normal', 'xavier-normal', 'xavier-uniform', 'he-normal', 'file'] as const;
export type InitName = (typeof INIT_NAMES)[number];
export const UPDATE_ORDERS = ['textbook', 'seed'] as const;
export type UpdateOrder = (typeof UPDATE_ORDERS)[number];

const finite = () => z.number().refine(Number.isFinite, 'must be a finite number');

export const TrainingConfigSchema = z
  .object({
    /** A built-in dataset name (xor, and, ..., parity2..8) or the path of a .csv/.json truth table. */
    dataset: z.string().min(1).default('xor'),
    /** Units per hidden layer; [] is a network without hidden layers. */
    hidden: z.array(z.number().int().min(1).max(1024)).max(16).default([2]),
    activation: z.enum(ACTIVATION_NAMES).default('sigmoid'),
    outputActivation: z.enum(ACTIVATION_NAMES).default('sigmoid'),
    leakySlope: finite().default(0.01),
    eluAlpha: finite().pipe(z.number().positive()).default(1),
    loss: z.enum(LOSS_NAMES).default('bce'),
    /** Clamp each BCE term as if the prediction were clipped to [eps, 1-eps]; the article used 1e-15. 0 = exact. */
    bceClip: z.number().min(0).max(0.5).default(0),
    optimizer: z.enum(OPTIMIZER_NAMES).default('gd'),
    momentum: z.number().min(0).lt(1).default(0.9),
    beta1: z.number().min(0).lt(1).default(0.9),
    beta2: z.number().min(0).lt(1).default(0.999),
    adamEpsilon: z.number().positive().default(1e-8),
    schedule: z.enum(SCHEDULE_NAMES).default('constant'),
    stepEvery: z.number().int().min(1).default(2500),
    stepGamma: z.number().positive().max(1).default(0.5),
    expGamma: z.number().positive().max(1).default(0.9997),
    minLr: z.number().min(0).default(0),
    lr: finite().pipe(z.number().positive()).default(0.1),
    epochs: z.number().int().min(1).max(100_000_000).default(10_000),
    init: z.enum(INIT_NAMES).default('normal'),
    /** Std of the normal initialisation of every hidden layer (weights and biases). */
    hiddenStd: finite().pipe(z.number().min(0)).default(1),
    /** Std of the normal initialisation of the output layer (weights and biases). */
    outputStd: finite().pipe(z.number().min(0)).default(1),
    updateOrder: z.enum(UPDATE_ORDERS).default('textbook'),
    /** epochsToThreshold is the first epoch whose mean loss is below this. */
    threshold: finite().pipe(z.number().positive()).default(0.05),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.loss === 'bce' && c.outputActivation !== 'sigmoid') {
      ctx.addIssue({
        code: 'custom',
        path: ['loss'],
        message: 'bce needs a sigmoid output (predictions must lie in (0, 1)); use --loss mse with other output activations',
      });
    }
  });

export type TrainingConfig = z.infer<typeof TrainingConfigSchema>;
export type TrainingConfigInput = z.input<typeof TrainingConfigSchema>;

export function defaultConfig(overrides: TrainingConfigInput = {}): TrainingConfig {
  return TrainingConfigSchema.parse(overrides);
}

/** Validates a configuration; errors carry the offending input so messages can show it. */
export function safeParseConfig(input: unknown) {
  return TrainingConfigSchema.safeParse(input, { reportInput: true });
}

/** Turns a config key into its CLI flag: hiddenStd -> --hidden-std. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * One readable line for a validation error: the option, what is allowed and what was given.
 * `name` maps a config path to what the user typed (a CLI flag or a JSON key).
 */
export function describeIssues(error: z.ZodError, name: (path: PropertyKey[]) => string = (p) => flagName(String(p[0] ?? 'config'))): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length ? name(issue.path) : 'configuration';
      const got = 'input' in issue && issue.input !== undefined ? `, got ${JSON.stringify(issue.input)}` : '';
      switch (issue.code) {
        case 'too_small':
          return `${where} must be ${issue.inclusive ? '>=' : '>'} ${issue.minimum}${got}`;
        case 'too_big':
          return `${where} must be ${issue.inclusive ? '<=' : '<'} ${issue.maximum}${got}`;
        case 'invalid_value':
          return `${where} must be one of ${issue.values.map(String).join(', ')}${got}`;
        case 'invalid_type':
          return `${where} must be ${issue.expected === 'int' ? 'an integer' : `a ${issue.expected}`}${got}`;
        case 'unrecognized_keys':
          return `unknown key(s) ${issue.keys.join(', ')}`;
        default:
          return `${where}: ${issue.message}`;
      }
    })
    .join('; ');
}
