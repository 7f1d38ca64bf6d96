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

/** One line per problem: "option: message". */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'config'}: ${issue.message}`)
    .join('; ');
}
