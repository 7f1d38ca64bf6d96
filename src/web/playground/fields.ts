// The playground's settings: every training parameter (built from the parameter table, config/parameters.ts: its
// key, so a link's query reads like the CLI's flags, its label, default, choices and when it applies), the seed, the
// study's grid and run options, and how fast a live run goes. What is the page's own is here: where each field
// sits, its hint, and the dataset list (the built-in datasets and a truth table of your own).
import { GATE_NAMES, MAX_PARITY_BITS, MIN_PARITY_BITS } from '../../core/datasets.js';
import {
  PARAMETERS,
  PARAMETER_NAMES,
  choiceLabel,
  defaultText,
  parameterApplies,
  parameterLabel,
  type ParameterName,
  type ParameterSpec,
} from '../../config/parameters.js';
import { RUN_OPTIONS } from '../../config/run-options.js';

type FieldKind = 'number' | 'integer' | 'choice' | 'units';

export interface Field {
  key: string;
  label: string;
  kind: FieldKind;
  /** The value when the link does not give one (the CLI's defaults, except the seed: see state.ts). */
  initial: string;
  choices?: readonly { value: string; label: string }[];
  /** Shown only while this holds of the other settings (a training parameter's appliesWhen in the table). */
  applies?: (values: Readonly<Record<string, string>>) => boolean;
  /** Where the page puts it: the main settings, the advanced ones, or the study panel. */
  group: 'main' | 'advanced' | 'study' | 'run';
  hint?: string;
}

/** The custom truth table's entry in the dataset list. */
export const CUSTOM_DATASET = 'custom';

const DATASET_CHOICES = [
  ...GATE_NAMES.map((g) => ({ value: g, label: g.toUpperCase() })),
  ...Array.from({ length: MAX_PARITY_BITS - MIN_PARITY_BITS + 1 }, (_, k) => ({
    value: `parity${k + MIN_PARITY_BITS}`,
    label: `parity of ${k + MIN_PARITY_BITS} bits`,
  })),
  { value: CUSTOM_DATASET, label: 'your own truth table…' },
];

const SPEEDS = [
  { value: '10', label: '10 epochs/s' },
  { value: '100', label: '100 epochs/s' },
  { value: '1000', label: '1,000 epochs/s' },
  { value: '10000', label: '10,000 epochs/s' },
  { value: 'max', label: 'as fast as it goes' },
] as const;

/** The training parameters on the page's first panel, in its order; every other one is under "More settings". */
const MAIN_PARAMETERS: readonly ParameterName[] = [
  'dataset',
  'hidden',
  'activation',
  'loss',
  'lr',
  'optimizer',
  'epochs',
  'init',
  'hiddenStd',
  'outputStd',
  'updateOrder',
];

/** What the page says under a parameter's field. */
const HINTS: Partial<Record<ParameterName, string>> = {
  hidden: 'per hidden layer: 2, or 4,4 for two layers; empty for none',
  lr: 'can be changed while it trains',
  bceClip: 'the article clips predictions to [1e-15, 1 − 1e-15]',
  threshold: 'the first epoch below it is reported',
};

/** A training parameter's field, from its row of the parameter table. */
function parameterField(key: ParameterName, group: 'main' | 'advanced'): Field {
  const spec: ParameterSpec = PARAMETERS[key];
  const kind: FieldKind =
    spec.type === 'number' ? (spec.integer ? 'integer' : 'number') : spec.type === 'layers' ? 'units' : 'choice';
  const choices =
    spec.type === 'choice'
      ? spec.choices.map((value) => ({ value, label: choiceLabel(key, value) }))
      : spec.type === 'string'
        ? DATASET_CHOICES
        : undefined;
  const hint = HINTS[key];
  return {
    key,
    label: parameterLabel(key),
    kind,
    initial: defaultText(key),
    ...(choices ? { choices } : {}),
    ...(spec.appliesWhen
      ? { applies: (values: Readonly<Record<string, string>>) => parameterApplies(key, values) }
      : {}),
    group,
    ...(hint ? { hint } : {}),
  };
}

export const FIELDS: readonly Field[] = [
  ...MAIN_PARAMETERS.map((key) => parameterField(key, 'main')),
  {
    key: 'seed',
    label: 'Seed',
    kind: 'integer',
    initial: '',
    group: 'main',
    hint: 'the same seed gives the same run, bit for bit',
  },

  ...PARAMETER_NAMES.filter((key) => !MAIN_PARAMETERS.includes(key)).map((key) => parameterField(key, 'advanced')),

  { key: 'speed', label: 'Speed', kind: 'choice', initial: '1000', choices: SPEEDS, group: 'run' },

  {
    key: 'studyPoints',
    label: 'Points',
    kind: 'integer',
    initial: '400',
    group: 'study',
    hint: 'hidden std = exp(linspace(from, to, points))',
  },
  { key: 'studyFrom', label: 'From (ln std)', kind: 'number', initial: '-3', group: 'study' },
  { key: 'studyTo', label: 'To (ln std)', kind: 'number', initial: '4', group: 'study' },
  {
    key: 'repeats',
    label: RUN_OPTIONS.repeats.label,
    kind: 'integer',
    initial: String(RUN_OPTIONS.repeats.default),
    group: 'study',
    hint: 'trainings per point, each from its own seed',
  },
  {
    key: 'studySeed',
    label: RUN_OPTIONS.seed.label,
    kind: 'integer',
    initial: String(RUN_OPTIONS.seed.default),
    group: 'study',
    hint: 'trial seeds derive from (root seed, point, repeat), as in xorlab sweep',
  },
  {
    key: 'workers',
    label: RUN_OPTIONS.workers.label,
    kind: 'integer',
    initial: '',
    group: 'study',
    hint: 'Web Workers training at once; empty: one per core',
  },
];

export const FIELD_BY_KEY: ReadonlyMap<string, Field> = new Map(FIELDS.map((f) => [f.key, f]));

/** The configuration schema's keys among the fields, in the page's order (the rest are the seed, the speed and the study's). */
export const CONFIG_KEYS: readonly ParameterName[] = FIELDS.map((f) => f.key).filter((key): key is ParameterName =>
  (PARAMETER_NAMES as readonly string[]).includes(key),
);

export function isShown(field: Field, values: Readonly<Record<string, string>>): boolean {
  return !field.applies || field.applies(values);
}
