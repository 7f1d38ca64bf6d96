// The one table of training parameters. Each parameter is declared here once: its default, its type and range,
// its CLI flag and help, whether and how a study can sweep it, its title on a chart, its label on a form and when
// it does anything. Everything else is derived: the zod schema (./schema.ts), the CLI flags and their help
// (cli/config-options.ts), the sweepable parameters (study/definition/params.ts), the axis titles (plot/names.ts), the
// playground's fields (web/playground/fields.ts) and the defaults. Adding a hyperparameter means adding a row here
// (and teaching core's training what it means). Pure data: no zod, no Node APIs.
import { ACTIVATION_NAMES } from '../core/activations.js';
import { INIT_NAMES, UPDATE_ORDERS, type TrainingConfig } from '../core/config.js';
import { BUILTIN_DATASETS_HELP } from '../core/datasets.js';
import { LOSS_NAMES } from '../core/losses.js';
import { OPTIMIZER_NAMES } from '../core/optimizers.js';
import { SCHEDULE_NAMES } from '../core/schedules.js';

export { ENGINE_NAMES, PRECISIONS, type EngineName, type Precision } from '../core/config.js';

/** The value of a swept parameter at a point of a study. */
export type ParamValue = number | string;

/** How a study sweeps a parameter: numeric grids (rounded to integers for 'integer'), or a list of choices. */
export type SweepKind = 'real' | 'integer' | 'choice' | false;

/**
 * When a parameter does anything: while any of these parameters has one of its listed values (leakySlope: while the
 * hidden or the output activation is leaky-relu). A parameter without one always matters.
 */
type AppliesWhen = { readonly [K in keyof TrainingConfig]?: readonly TrainingConfig[K][] };

interface Common<T> {
  default: T;
  /** The flag's value placeholder, e.g. '<rate>' for --lr <rate>. */
  placeholder: string;
  /** One line of help; the default is appended by the CLI. */
  description: string;
  /** The reader-facing name on a chart axis or legend (none: the key is shown). */
  title?: string;
  /** The name on a form and in its messages, where it is shorter than the title (parameterLabel). */
  label?: string;
  /** Where the value is used only with some other settings (the playground hides it otherwise). */
  appliesWhen?: AppliesWhen;
  sweep: SweepKind;
}

/** A numeric parameter of the table: its range (and whether it is an integer). */
export interface NumberParameter extends Common<number> {
  type: 'number';
  integer?: boolean;
  min?: number;
  /** min is excluded: the value must be > min. */
  minExclusive?: boolean;
  max?: number;
  maxExclusive?: boolean;
}

/** A parameter that takes one of a list of names (activation, loss, optimizer, ...). */
export interface ChoiceParameter extends Common<string> {
  type: 'choice';
  choices: readonly string[];
  /** The choices a study may sweep, when fewer than `choices` (init: 'file' needs a file per run). */
  sweepChoices?: readonly string[];
  /** A choice's words for people, where its name alone says too little (bce: binary cross-entropy). */
  choiceLabels?: Readonly<Record<string, string>>;
}

/** A free string: the dataset (a built-in name or a file). */
export interface StringParameter extends Common<string> {
  type: 'string';
}

/** Units per hidden layer: a list of integers; swept as one hidden layer of n units. */
export interface LayersParameter extends Common<readonly number[]> {
  type: 'layers';
  minUnits: number;
  maxUnits: number;
  maxLayers: number;
}

/** One row of the parameter table: default, type and range, CLI flag and help, sweep kind, chart title. */
export type ParameterSpec = NumberParameter | ChoiceParameter | StringParameter | LayersParameter;

const real = (
  defaultValue: number,
  placeholder: string,
  description: string,
  range: Pick<NumberParameter, 'min' | 'minExclusive' | 'max' | 'maxExclusive'>,
  title?: string,
): NumberParameter => ({
  type: 'number',
  default: defaultValue,
  placeholder,
  description,
  sweep: 'real',
  ...range,
  ...(title ? { title } : {}),
});

const integer = (
  defaultValue: number,
  placeholder: string,
  description: string,
  min: number,
  max: number | undefined,
  title: string,
): NumberParameter => ({
  type: 'number',
  integer: true,
  default: defaultValue,
  placeholder,
  description,
  sweep: 'integer',
  min,
  ...(max === undefined ? {} : { max }),
  title,
});

const choice = (
  defaultValue: string,
  choices: readonly string[],
  placeholder: string,
  description: string,
  title: string,
): ChoiceParameter => ({
  type: 'choice',
  default: defaultValue,
  choices,
  placeholder,
  description,
  sweep: 'choice',
  title,
});

/** Every training parameter, in the order of `--help`. The defaults are the article's where it gives them. */
export const PARAMETERS = {
  dataset: {
    type: 'string',
    default: 'xor',
    placeholder: '<name|file>',
    description: `training set: ${BUILTIN_DATASETS_HELP}, or a .csv/.json truth table`,
    sweep: 'choice',
    title: 'Dataset',
  },
  hidden: {
    type: 'layers',
    default: [2],
    placeholder: '<units>',
    description: 'units per hidden layer, comma-separated, e.g. 2 or 4,4',
    sweep: 'integer',
    title: 'Hidden units',
    minUnits: 1,
    maxUnits: 1024,
    maxLayers: 16,
  },
  activation: choice('sigmoid', ACTIVATION_NAMES, '<name>', 'hidden-layer activation', 'Hidden activation'),
  outputActivation: choice('sigmoid', ACTIVATION_NAMES, '<name>', 'output-layer activation', 'Output activation'),
  leakySlope: {
    ...real(0.01, '<x>', 'slope of leaky-relu below zero', {}, 'Leaky-ReLU slope'),
    appliesWhen: { activation: ['leaky-relu'], outputActivation: ['leaky-relu'] },
  },
  eluAlpha: {
    ...real(1, '<x>', 'alpha of elu', { min: 0, minExclusive: true }, 'ELU alpha'),
    label: 'ELU α',
    appliesWhen: { activation: ['elu'], outputActivation: ['elu'] },
  },
  loss: {
    ...choice('bce', LOSS_NAMES, '<name>', 'bce = binary cross-entropy, mse = mean squared error', 'Loss function'),
    label: 'Loss',
    choiceLabels: { bce: 'binary cross-entropy', mse: 'mean squared error' },
  },
  bceClip: {
    ...real(
      0,
      '<eps>',
      'clip predictions to [eps, 1-eps] inside BCE as the article does with 1e-15 (0 = exact)',
      { min: 0, max: 0.5 },
      'BCE clipping epsilon',
    ),
    label: 'BCE clipping ε',
    appliesWhen: { loss: ['bce'] },
  },
  optimizer: {
    ...choice(
      'gd',
      OPTIMIZER_NAMES,
      '<name>',
      'gd = plain gradient descent (the article), momentum, adam',
      'Optimiser',
    ),
    choiceLabels: { gd: 'gradient descent', adam: 'Adam' },
  },
  momentum: {
    ...real(0.9, '<mu>', 'momentum coefficient', { min: 0, max: 1, maxExclusive: true }, 'Momentum'),
    appliesWhen: { optimizer: ['momentum'] },
  },
  beta1: {
    ...real(0.9, '<b>', 'Adam beta1', { min: 0, max: 1, maxExclusive: true }, 'Adam beta1'),
    label: 'Adam β1',
    appliesWhen: { optimizer: ['adam'] },
  },
  beta2: {
    ...real(0.999, '<b>', 'Adam beta2', { min: 0, max: 1, maxExclusive: true }, 'Adam beta2'),
    label: 'Adam β2',
    appliesWhen: { optimizer: ['adam'] },
  },
  adamEpsilon: {
    ...real(1e-8, '<e>', 'Adam epsilon', { min: 0, minExclusive: true }, 'Adam epsilon'),
    label: 'Adam ε',
    appliesWhen: { optimizer: ['adam'] },
  },
  schedule: choice('constant', SCHEDULE_NAMES, '<name>', 'learning-rate schedule', 'Learning-rate schedule'),
  stepEvery: {
    ...integer(
      2500,
      '<epochs>',
      'step schedule: epochs between drops',
      1,
      undefined,
      'Epochs between learning-rate drops',
    ),
    label: 'Step every (epochs)',
    appliesWhen: { schedule: ['step'] },
  },
  stepGamma: {
    ...real(
      0.5,
      '<g>',
      'step schedule: factor at each drop',
      { min: 0, minExclusive: true, max: 1 },
      'Learning-rate factor per drop',
    ),
    label: 'Step factor',
    appliesWhen: { schedule: ['step'] },
  },
  expGamma: {
    ...real(
      0.9997,
      '<g>',
      'exponential schedule: factor per epoch',
      { min: 0, minExclusive: true, max: 1 },
      'Learning-rate factor per epoch',
    ),
    label: 'Factor per epoch',
    appliesWhen: { schedule: ['exponential'] },
  },
  minLr: {
    ...real(0, '<lr>', 'cosine schedule: final learning rate', { min: 0 }, 'Final learning rate'),
    appliesWhen: { schedule: ['cosine'] },
  },
  lr: real(0.1, '<rate>', 'learning rate', { min: 0, minExclusive: true }, 'Learning rate'),
  epochs: integer(10_000, '<n>', 'epochs of full-batch training', 1, 100_000_000, 'Epochs'),
  init: {
    ...choice('normal', INIT_NAMES, '<scheme>', 'initialisation; "file" needs --init-weights', 'Initialisation'),
    sweepChoices: INIT_NAMES.filter((name) => name !== 'file'),
    choiceLabels: { normal: 'normal (std per layer)', file: 'from a weights file' },
  },
  hiddenStd: {
    ...real(
      1,
      '<std>',
      'std of the hidden layers for --init normal',
      { min: 0 },
      'Initial std of the hidden-layer weights',
    ),
    label: 'Hidden-layer std',
    appliesWhen: { init: ['normal'] },
  },
  outputStd: {
    ...real(
      1,
      '<std>',
      'std of the output layer for --init normal',
      { min: 0 },
      'Initial std of the output-layer weights',
    ),
    label: 'Output-layer std',
    appliesWhen: { init: ['normal'] },
  },
  updateOrder: {
    ...choice(
      'textbook',
      UPDATE_ORDERS,
      '<order>',
      "textbook = true gradient; seed = the article's code (output layer updated first)",
      'Update order',
    ),
    choiceLabels: { textbook: 'textbook (true gradient)', seed: "seed (the article's code)" },
  },
  threshold: real(
    0.05,
    '<loss>',
    'epochsToThreshold = first epoch with mean loss below this',
    { min: 0, minExclusive: true },
    'Loss threshold',
  ),
} as const satisfies { [K in keyof TrainingConfig]: ParameterSpec };

/** The name of a training parameter (a key of TrainingConfig). */
export type ParameterName = keyof typeof PARAMETERS;

/** Every training parameter's name, in the order of the table (and of `--help`). */
export const PARAMETER_NAMES = Object.keys(PARAMETERS) as ParameterName[];

export function isParameterName(name: string): name is ParameterName {
  return Object.prototype.hasOwnProperty.call(PARAMETERS, name);
}

/** What a caller may give as a configuration: any subset of the parameters (the rest take their defaults). */
export type TrainingConfigInput = Partial<TrainingConfig>;

/** The configuration of every default: the article's network, loss and training. */
export const DEFAULT_CONFIG: Readonly<TrainingConfig> = Object.freeze(
  Object.fromEntries(PARAMETER_NAMES.map((name) => [name, PARAMETERS[name].default])) as unknown as TrainingConfig,
);

/**
 * `overrides` on top of the defaults, without validation (no zod: usable in a browser bundle). Values are
 * trusted: check input from people or files with validateConfig (./schema.ts) first.
 */
export function withDefaults(overrides: Partial<TrainingConfig> = {}): TrainingConfig {
  // A key given as undefined takes its default, as in the schema.
  const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  const config = { ...DEFAULT_CONFIG, ...given };
  config.hidden = [...config.hidden];
  return config;
}

/** Turns a config key into its CLI flag: hiddenStd -> --hidden-std. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The config key of a flag spelling: --hidden-std or hidden-std -> hiddenStd (null when it names none). */
export function parameterFromFlag(spelling: string): ParameterName | null {
  const key = spelling.replace(/^--/, '').replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return isParameterName(key) ? key : null;
}

/** A parameter's name on a form and in its messages: its label, else its title (Learning rate), else its key. */
export function parameterLabel(name: ParameterName): string {
  const spec: ParameterSpec = PARAMETERS[name];
  return spec.label ?? spec.title ?? name;
}

/** Whether a parameter does anything with these other settings (see AppliesWhen); a value missing counts as its default. */
export function parameterApplies(
  name: ParameterName,
  config: Readonly<Partial<Record<ParameterName, unknown>>>,
): boolean {
  const when: AppliesWhen | undefined = (PARAMETERS[name] as ParameterSpec).appliesWhen;
  if (!when) return true;
  return Object.entries(when).some(([other, values]) =>
    (values as readonly unknown[]).includes(
      config[other as ParameterName] ?? PARAMETERS[other as ParameterName].default,
    ),
  );
}

/** A choice's words for people: its label in the table, else its name. */
export function choiceLabel(name: ParameterName, choice: string): string {
  const spec: ParameterSpec = PARAMETERS[name];
  return (spec.type === 'choice' && spec.choiceLabels?.[choice]) || choice;
}

/** A default as the CLI shows it: numbers as typed, lists comma-separated. */
export function defaultText(name: ParameterName): string {
  const value: unknown = PARAMETERS[name].default;
  return Array.isArray(value) ? value.join(',') : String(value);
}
