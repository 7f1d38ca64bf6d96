// Which training-configuration parameters a study can sweep, and how a swept value enters a configuration.
import {
  ACTIVATION_NAMES,
  LOSS_NAMES,
  OPTIMIZER_NAMES,
  SCHEDULE_NAMES,
  UPDATE_ORDERS,
  type TrainingConfig,
} from '../core/index.js';

export type ParamValue = number | string;

export interface NumericParam {
  kind: 'numeric';
  /** Generated grids (lin/log/exp) are rounded to integers for these. */
  integer: boolean;
}
export interface CategoricalParam {
  kind: 'categorical';
  /** null: any string (dataset names and files). */
  choices: readonly string[] | null;
}
export type ParamSpec = NumericParam | CategoricalParam;

const real: NumericParam = { kind: 'numeric', integer: false };
const integer: NumericParam = { kind: 'numeric', integer: true };

/** Every sweepable parameter. `hidden` is the unit count of a single hidden layer. */
export const SWEEPABLE: Readonly<Record<string, ParamSpec>> = {
  hiddenStd: real,
  outputStd: real,
  lr: real,
  epochs: integer,
  hidden: integer,
  threshold: real,
  leakySlope: real,
  eluAlpha: real,
  bceClip: real,
  momentum: real,
  beta1: real,
  beta2: real,
  adamEpsilon: real,
  stepEvery: integer,
  stepGamma: real,
  expGamma: real,
  minLr: real,
  activation: { kind: 'categorical', choices: ACTIVATION_NAMES },
  outputActivation: { kind: 'categorical', choices: ACTIVATION_NAMES },
  loss: { kind: 'categorical', choices: LOSS_NAMES },
  optimizer: { kind: 'categorical', choices: OPTIMIZER_NAMES },
  schedule: { kind: 'categorical', choices: SCHEDULE_NAMES },
  updateOrder: { kind: 'categorical', choices: UPDATE_ORDERS },
  init: { kind: 'categorical', choices: ['normal', 'xavier-normal', 'xavier-uniform', 'he-normal'] },
  dataset: { kind: 'categorical', choices: null },
} satisfies Partial<Record<keyof TrainingConfig, ParamSpec>>;

export const SWEEPABLE_NAMES = Object.keys(SWEEPABLE);

export function isSweepable(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(SWEEPABLE, name);
}

/** The schema input of `base` with one swept value put in (hidden=n means one hidden layer of n units). */
export function withValue(base: Record<string, unknown>, param: string, value: ParamValue): Record<string, unknown> {
  return { ...base, [param]: param === 'hidden' ? [value] : value };
}
