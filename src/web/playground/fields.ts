// The playground's settings: every training setting a user can set (the configuration schema's keys, so a link's
// query reads like the CLI's flags), the seed, the study's grid, and how fast a live run goes. Each has a label for
// the page and its messages, a default, and how its text is read.
import { ACTIVATION_NAMES } from '../../core/activations.js';
import { INIT_NAMES, UPDATE_ORDERS } from '../../core/config.js';
import { GATE_NAMES, MAX_PARITY_BITS, MIN_PARITY_BITS } from '../../core/datasets.js';
import { LOSS_NAMES } from '../../core/losses.js';
import { OPTIMIZER_NAMES } from '../../core/optimizers.js';
import { SCHEDULE_NAMES } from '../../core/schedules.js';

export type FieldKind = 'number' | 'integer' | 'choice' | 'units';

export interface Field {
  key: string;
  label: string;
  kind: FieldKind;
  /** The value when the link does not give one (the CLI's defaults, except the seed: see state.ts). */
  initial: string;
  choices?: readonly { value: string; label: string }[];
  /** Shown only when another setting has one of these values. */
  when?: { key: string; values: readonly string[] };
  /** Where the page puts it: the main settings, the advanced ones, or the study panel. */
  group: 'main' | 'advanced' | 'study' | 'run';
  hint?: string;
}

/** The custom truth table's entry in the dataset list. */
export const CUSTOM_DATASET = 'custom';

const plain = (values: readonly string[]) => values.map((value) => ({ value, label: value }));

export const DATASET_CHOICES = [
  ...GATE_NAMES.map((g) => ({ value: g, label: g.toUpperCase() })),
  ...Array.from({ length: MAX_PARITY_BITS - MIN_PARITY_BITS + 1 }, (_, k) => ({ value: `parity${k + MIN_PARITY_BITS}`, label: `parity of ${k + MIN_PARITY_BITS} bits` })),
  { value: CUSTOM_DATASET, label: 'your own truth table…' },
];

export const SPEEDS = [
  { value: '10', label: '10 epochs/s' },
  { value: '100', label: '100 epochs/s' },
  { value: '1000', label: '1,000 epochs/s' },
  { value: '10000', label: '10,000 epochs/s' },
  { value: 'max', label: 'as fast as it goes' },
] as const;

export const FIELDS: readonly Field[] = [
  { key: 'dataset', label: 'Dataset', kind: 'choice', initial: 'xor', choices: DATASET_CHOICES, group: 'main' },
  { key: 'hidden', label: 'Hidden units', kind: 'units', initial: '2', group: 'main', hint: 'per hidden layer: 2, or 4,4 for two layers; empty for none' },
  { key: 'activation', label: 'Hidden activation', kind: 'choice', initial: 'sigmoid', choices: plain(ACTIVATION_NAMES), group: 'main' },
  { key: 'loss', label: 'Loss', kind: 'choice', initial: 'bce', choices: [{ value: 'bce', label: 'binary cross-entropy' }, { value: 'mse', label: 'mean squared error' }].filter((c) => (LOSS_NAMES as readonly string[]).includes(c.value)), group: 'main' },
  { key: 'lr', label: 'Learning rate', kind: 'number', initial: '0.1', group: 'main', hint: 'can be changed while it trains' },
  { key: 'optimizer', label: 'Optimiser', kind: 'choice', initial: 'gd', choices: [{ value: 'gd', label: 'gradient descent' }, { value: 'momentum', label: 'momentum' }, { value: 'adam', label: 'Adam' }].filter((c) => (OPTIMIZER_NAMES as readonly string[]).includes(c.value)), group: 'main' },
  { key: 'epochs', label: 'Epochs', kind: 'integer', initial: '10000', group: 'main' },
  { key: 'init', label: 'Initialisation', kind: 'choice', initial: 'normal', choices: INIT_NAMES.map((value) => ({ value, label: value === 'file' ? 'from a weights file' : value === 'normal' ? 'normal (std per layer)' : value })), group: 'main' },
  { key: 'hiddenStd', label: 'Hidden-layer std', kind: 'number', initial: '1', group: 'main', when: { key: 'init', values: ['normal'] } },
  { key: 'outputStd', label: 'Output-layer std', kind: 'number', initial: '1', group: 'main', when: { key: 'init', values: ['normal'] } },
  { key: 'updateOrder', label: 'Update order', kind: 'choice', initial: 'textbook', choices: UPDATE_ORDERS.map((value) => ({ value, label: value === 'seed' ? "seed (the article's code)" : 'textbook (true gradient)' })), group: 'main' },
  { key: 'seed', label: 'Seed', kind: 'integer', initial: '', group: 'main', hint: 'the same seed gives the same run, bit for bit' },

  { key: 'outputActivation', label: 'Output activation', kind: 'choice', initial: 'sigmoid', choices: plain(ACTIVATION_NAMES), group: 'advanced' },
  { key: 'bceClip', label: 'BCE clipping ε', kind: 'number', initial: '0', group: 'advanced', when: { key: 'loss', values: ['bce'] }, hint: 'the article clips predictions to [1e-15, 1 − 1e-15]' },
  { key: 'leakySlope', label: 'Leaky-ReLU slope', kind: 'number', initial: '0.01', group: 'advanced', when: { key: 'activation', values: ['leaky-relu'] } },
  { key: 'eluAlpha', label: 'ELU α', kind: 'number', initial: '1', group: 'advanced', when: { key: 'activation', values: ['elu'] } },
  { key: 'momentum', label: 'Momentum', kind: 'number', initial: '0.9', group: 'advanced', when: { key: 'optimizer', values: ['momentum'] } },
  { key: 'beta1', label: 'Adam β1', kind: 'number', initial: '0.9', group: 'advanced', when: { key: 'optimizer', values: ['adam'] } },
  { key: 'beta2', label: 'Adam β2', kind: 'number', initial: '0.999', group: 'advanced', when: { key: 'optimizer', values: ['adam'] } },
  { key: 'adamEpsilon', label: 'Adam ε', kind: 'number', initial: '1e-8', group: 'advanced', when: { key: 'optimizer', values: ['adam'] } },
  { key: 'schedule', label: 'Learning-rate schedule', kind: 'choice', initial: 'constant', choices: plain(SCHEDULE_NAMES), group: 'advanced' },
  { key: 'stepEvery', label: 'Step every (epochs)', kind: 'integer', initial: '2500', group: 'advanced', when: { key: 'schedule', values: ['step'] } },
  { key: 'stepGamma', label: 'Step factor', kind: 'number', initial: '0.5', group: 'advanced', when: { key: 'schedule', values: ['step'] } },
  { key: 'expGamma', label: 'Factor per epoch', kind: 'number', initial: '0.9997', group: 'advanced', when: { key: 'schedule', values: ['exponential'] } },
  { key: 'minLr', label: 'Final learning rate', kind: 'number', initial: '0', group: 'advanced', when: { key: 'schedule', values: ['cosine'] } },
  { key: 'threshold', label: 'Loss threshold', kind: 'number', initial: '0.05', group: 'advanced', hint: 'the first epoch below it is reported' },

  { key: 'speed', label: 'Speed', kind: 'choice', initial: '1000', choices: SPEEDS, group: 'run' },

  { key: 'studyPoints', label: 'Points', kind: 'integer', initial: '400', group: 'study', hint: 'hidden std = exp(linspace(from, to, points))' },
  { key: 'studyFrom', label: 'From (ln std)', kind: 'number', initial: '-3', group: 'study' },
  { key: 'studyTo', label: 'To (ln std)', kind: 'number', initial: '4', group: 'study' },
  { key: 'repeats', label: 'Repeats', kind: 'integer', initial: '10', group: 'study', hint: 'trainings per point, each from its own seed' },
  { key: 'studySeed', label: 'Root seed', kind: 'integer', initial: '1', group: 'study', hint: 'trial seeds derive from (root seed, point, repeat), as in xorlab sweep' },
  { key: 'workers', label: 'Workers', kind: 'integer', initial: '', group: 'study', hint: 'Web Workers training at once; empty: one per core' },
];

export const FIELD_BY_KEY: ReadonlyMap<string, Field> = new Map(FIELDS.map((f) => [f.key, f]));

/** The configuration schema's keys among the fields (the rest are the seed, the speed and the study's). */
export const CONFIG_KEYS: readonly string[] = FIELDS.filter((f) => f.group === 'main' || f.group === 'advanced')
  .map((f) => f.key)
  .filter((k) => k !== 'seed');

export function isShown(field: Field, values: Readonly<Record<string, string>>): boolean {
  return !field.when || field.when.values.includes(values[field.when.key] ?? '');
}
