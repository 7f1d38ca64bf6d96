// The playground's state is its settings as typed, and it lives in the page's URL: a link (or a reload) gives the
// same settings, hence the same run bit for bit for the same seed. Reading the state checks it with the project's
// own parts (the configuration schema, core's dataset parser and parameter layout, the study definition), so a
// bad value from the form or a link becomes a clear message naming the setting, never a crash.
import { MAX_SEED } from '../../core/rng.js';
import type { TrainingConfig } from '../../core/config.js';
import { DEFAULT_CONFIG, flagName } from '../../config/parameters.js';
import { RUN_OPTIONS } from '../../config/run-options.js';
import { describeIssues, safeParseConfig } from '../../config/schema.js';
import {
  DatasetError,
  builtinDataset,
  isBuiltinDataset,
  parseCsvDataset,
  parseJsonDataset,
  type Dataset,
} from '../../core/datasets.js';
import type { NetworkShape } from '../../core/network.js';
import { seededInitialParameters, shapeFor } from '../../core/train.js';
import { StudyError, resolveStudy, type Study } from '../../study/definition/definition.js';
import { CONFIG_KEYS, CUSTOM_DATASET, FIELDS, FIELD_BY_KEY } from './fields.js';

export interface PlaygroundState {
  /** Every field's text (fields.ts), as typed or as the link gave it. */
  values: Record<string, string>;
  /** The custom truth table's text (CSV or JSON), used when dataset is "custom". */
  data: string;
  /** Imported initial parameters in core's flat order, comma-separated; used when init is "file". */
  weights: string;
  /** Learning-rate changes made while training, "epoch:lr,epoch:lr", replayed by a link. */
  lrAt: string;
}

/** A problem with one setting (key: the field, or null for the link as a whole). */
export interface Problem {
  key: string | null;
  message: string;
}

export interface LrChange {
  epoch: number;
  lr: number;
}

/** Everything one live training needs. */
export interface TrainingSetup {
  config: TrainingConfig;
  dataset: Dataset;
  shape: NetworkShape;
  seed: number;
  initial: Float64Array;
  lrChanges: LrChange[];
}

export type Resolved<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

/** Query keys besides the fields. */
const EXTRA_KEYS = ['data', 'weights', 'lrAt'] as const;
/** Rows of a custom truth table the page accepts (parity8, the largest built-in, has 256). */
const MAX_CUSTOM_ROWS = 4096;
/** What one in-page study may hold: about a minute of trainings at the default size on a laptop's cores. */
const MAX_PAGE_TRIALS = 2_000_000;
const MAX_PAGE_POINTS = 5000;
/** Web Workers one page may start (the CLI allows more threads: RUN_OPTIONS.workers). */
const MAX_PAGE_WORKERS = 64;

export function defaultState(): PlaygroundState {
  return { values: Object.fromEntries(FIELDS.map((f) => [f.key, f.initial])), data: '', weights: '', lrAt: '' };
}

/** The state a link's query gives (missing settings take their defaults), and what in it was not understood. */
export function stateFromQuery(search: string): { state: PlaygroundState; problems: Problem[] } {
  const state = defaultState();
  const problems: Problem[] = [];
  const query = new URLSearchParams(search);
  for (const [key, value] of query) {
    if (FIELD_BY_KEY.has(key)) state.values[key] = value;
    else if ((EXTRA_KEYS as readonly string[]).includes(key)) state[key as (typeof EXTRA_KEYS)[number]] = value;
    else
      problems.push({
        key: null,
        message: `the link's setting "${key}" is not one the playground knows; it was ignored`,
      });
  }
  return { state, problems };
}

/** The query that gives this state: only the settings that differ from their defaults, in the fields' order. */
export function stateToQuery(state: PlaygroundState): string {
  const query = new URLSearchParams();
  for (const field of FIELDS) {
    const value = state.values[field.key] ?? field.initial;
    if (value !== field.initial) query.set(field.key, value);
  }
  if (state.values.dataset === CUSTOM_DATASET && state.data !== '') query.set('data', state.data);
  if (state.values.init === 'file' && state.weights !== '') query.set('weights', state.weights);
  if (state.lrAt !== '') query.set('lrAt', state.lrAt);
  return query.toString();
}

function label(key: string): string {
  return FIELD_BY_KEY.get(key)?.label ?? key;
}

/** A number field's text as a number, or a problem. */
function readNumber(key: string, text: string, problems: Problem[], integer = false): number | undefined {
  const t = text.trim();
  const value = t === '' ? NaN : Number(t);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    problems.push({ key, message: `${label(key)} must be ${integer ? 'a whole number' : 'a number'}, got "${text}"` });
    return undefined;
  }
  return value;
}

/** The dataset the state names: a built-in one, or the custom table parsed by core (CSV, or JSON when it starts with "{"). */
export function resolveDataset(state: PlaygroundState): Resolved<Dataset> {
  const name = state.values.dataset;
  const fail = (message: string): Resolved<Dataset> => ({ ok: false, problems: [{ key: 'dataset', message }] });
  if (name !== CUSTOM_DATASET) {
    if (!isBuiltinDataset(name))
      return fail(
        `Dataset must be one of the list (${FIELD_BY_KEY.get('dataset')!
          .choices!.map((c) => c.value)
          .join(', ')}), got "${name}"`,
      );
    return { ok: true, value: builtinDataset(name) };
  }
  const text = state.data.trim();
  if (text === '') {
    return fail(
      'paste or drop your truth table: CSV rows with the inputs first and the target (0 to 1) last, or JSON {"inputs": [[0, 0], ...], "targets": [0, ...]}',
    );
  }
  let dataset: Dataset;
  try {
    dataset = text.startsWith('{') ? parseJsonDataset(CUSTOM_DATASET, text) : parseCsvDataset(CUSTOM_DATASET, text);
  } catch (error) {
    if (error instanceof DatasetError)
      return fail(`your truth table: ${error.message.replace(/^dataset custom:? ?/, '')}`);
    throw error;
  }
  if (dataset.outputCount !== 1)
    return fail(
      `your truth table has ${dataset.outputCount} targets per row; the playground trains one output (give one target per row)`,
    );
  if (dataset.size > MAX_CUSTOM_ROWS)
    return fail(`your truth table has ${dataset.size} rows; the playground takes at most ${MAX_CUSTOM_ROWS}`);
  return { ok: true, value: dataset };
}

/** The training configuration the fields give, checked by the configuration schema (its messages, the fields' labels). */
export function resolveConfig(state: PlaygroundState): Resolved<TrainingConfig> {
  const problems: Problem[] = [];
  const input: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const field = FIELD_BY_KEY.get(key)!;
    const text = state.values[key] ?? field.initial;
    if (field.kind === 'number' || field.kind === 'integer')
      input[key] = readNumber(key, text, problems, field.kind === 'integer');
    else if (field.kind === 'units') {
      const parts = text.trim() === '' ? [] : text.split(',').map((p) => p.trim());
      const units = parts.map(Number);
      if (units.some((u, i) => parts[i] === '' || !Number.isInteger(u) || u < 1 || u > 64)) {
        problems.push({
          key,
          message: `${label(key)} must be whole numbers from 1 to 64 separated by commas (2, or 4,4), got "${text}"`,
        });
      } else if (units.length > 4) {
        problems.push({
          key,
          message: `${label(key)}: at most 4 hidden layers in the playground, got ${units.length}`,
        });
      } else input[key] = units;
    } else input[key] = text;
  }
  // The schema checks the rest (fields that are not numbers are left out, so their defaults stand in and every
  // other problem still shows). It sees "custom" as the dataset's name: it only checks that there is one.
  const parsed = safeParseConfig(Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push({
        key: typeof issue.path[0] === 'string' ? issue.path[0] : null,
        message: describeIssues({ issues: [issue] } as typeof parsed.error, (path) =>
          label(String(path[0] ?? 'configuration')),
        ),
      });
    }
  }
  if (problems.length || !parsed.success) return { ok: false, problems };
  if (parsed.data.epochs > 1_000_000)
    return {
      ok: false,
      problems: [
        { key: 'epochs', message: `Epochs must be <= 1,000,000 in the playground, got ${parsed.data.epochs}` },
      ],
    };
  return { ok: true, value: parsed.data };
}

function resolveSeed(state: PlaygroundState): Resolved<number> {
  const problems: Problem[] = [];
  const seed = readNumber('seed', state.values.seed, problems, true);
  if (seed === undefined) return { ok: false, problems };
  if (seed < 0 || seed > MAX_SEED)
    return {
      ok: false,
      problems: [{ key: 'seed', message: `Seed must be a whole number from 0 to ${MAX_SEED}, got ${seed}` }],
    };
  return { ok: true, value: seed };
}

/** "epoch:lr,epoch:lr": epochs increasing, inside the run; rates positive. */
function parseLrChanges(text: string, epochs: number): Resolved<LrChange[]> {
  if (text.trim() === '') return { ok: true, value: [] };
  const changes: LrChange[] = [];
  for (const part of text.split(',')) {
    const match = /^\s*(\d+)\s*:\s*([^\s:]+)\s*$/.exec(part);
    const epoch = match ? Number(match[1]) : NaN;
    const lr = match ? Number(match[2]) : NaN;
    const last = changes.length ? changes[changes.length - 1].epoch : 0;
    if (!match || !Number.isSafeInteger(epoch) || epoch <= last || epoch >= epochs || !Number.isFinite(lr) || lr <= 0) {
      return {
        ok: false,
        problems: [
          {
            key: 'lr',
            message: `the link's learning-rate changes must be epoch:rate pairs with increasing epochs between 1 and ${epochs - 1} and positive rates (e.g. 2000:0.5,4000:1), got "${part.trim()}"`,
          },
        ],
      };
    }
    changes.push({ epoch, lr });
  }
  return { ok: true, value: changes };
}

export function formatLrChanges(changes: readonly LrChange[]): string {
  return changes.map((c) => `${c.epoch}:${c.lr}`).join(',');
}

/** Everything the live training needs, or every problem found (all of them, so the page can mark each field). */
export function resolveTraining(state: PlaygroundState): Resolved<TrainingSetup> {
  const config = resolveConfig(state);
  const dataset = resolveDataset(state);
  const seed = resolveSeed(state);
  const problems = [config, dataset, seed].flatMap((r) => (r.ok ? [] : r.problems));
  if (!config.ok || !dataset.ok || !seed.ok) return { ok: false, problems };
  const shape = shapeFor(config.value, dataset.value);
  const lrChanges = parseLrChanges(state.lrAt, config.value.epochs);
  if (!lrChanges.ok) return lrChanges;
  let initial: Float64Array;
  if (config.value.init === 'file') {
    const weights = parseWeights(state.weights, shape);
    if (!weights.ok) return weights;
    initial = weights.value;
  } else {
    initial = seededInitialParameters(config.value, dataset.value, seed.value);
  }
  return {
    ok: true,
    value: {
      config: config.value,
      dataset: dataset.value,
      shape,
      seed: seed.value,
      initial,
      lrChanges: lrChanges.value,
    },
  };
}

function shapeText(shape: NetworkShape): string {
  return shape.sizes.join('-');
}

/** The imported weights (core's flat order), checked against the network's shape. */
function parseWeights(text: string, shape: NetworkShape): Resolved<Float64Array> {
  const fail = (message: string): Resolved<Float64Array> => ({ ok: false, problems: [{ key: 'init', message }] });
  if (text.trim() === '')
    return fail(
      'Initialisation "from a weights file" needs a file: use Import weights (a parameter file of xorlab train --save-weights)',
    );
  const values = text.split(',').map((v) => Number(v.trim()));
  if (values.some((v) => !Number.isFinite(v))) return fail('the imported weights must be numbers');
  if (values.length !== shape.parameterCount) {
    return fail(
      `the imported weights have ${values.length} values, but a ${shapeText(shape)} network has ${shape.parameterCount} parameters; import weights of this shape or change the network`,
    );
  }
  return { ok: true, value: Float64Array.from(values) };
}

export function formatWeights(params: ArrayLike<number>): string {
  return Array.from(params, (v) => String(v)).join(',');
}

/** The in-page study: the article's grid of the hidden std over the playground's configuration. */
export interface StudySetup {
  study: Study;
  /** Web Workers to train with (null: one per core). */
  workers: number | null;
  datasets: Record<string, Dataset>;
  /** "exp:-3:4:400" */
  grid: string;
}

export function resolveStudySetup(state: PlaygroundState): Resolved<StudySetup> {
  const config = resolveConfig(state);
  const dataset = resolveDataset(state);
  const problems = [config, dataset].flatMap((r) => (r.ok ? [] : r.problems));
  const read = (key: string, integer: boolean) => readNumber(key, state.values[key], problems, integer);
  const points = read('studyPoints', true);
  const from = read('studyFrom', false);
  const to = read('studyTo', false);
  const repeats = read('repeats', true);
  const seed = read('studySeed', true);
  const workers = state.values.workers.trim() === '' ? null : read('workers', true);
  if (workers !== null && workers !== undefined && (workers < RUN_OPTIONS.workers.min || workers > MAX_PAGE_WORKERS)) {
    problems.push({
      key: 'workers',
      message: `${label('workers')} must be from ${RUN_OPTIONS.workers.min} to ${MAX_PAGE_WORKERS} (or empty: one per core), got ${workers}`,
    });
  }
  if (
    workers === undefined ||
    problems.length ||
    !config.ok ||
    !dataset.ok ||
    points === undefined ||
    from === undefined ||
    to === undefined ||
    repeats === undefined ||
    seed === undefined
  )
    return { ok: false, problems };
  const more: Problem[] = [];
  if (config.value.init !== 'normal')
    more.push({
      key: 'init',
      message: 'the study varies the hidden-layer std of the normal initialisation: set Initialisation to normal',
    });
  if (points < 1 || points > MAX_PAGE_POINTS)
    more.push({ key: 'studyPoints', message: `Points must be from 1 to ${MAX_PAGE_POINTS}, got ${points}` });
  if (repeats < RUN_OPTIONS.repeats.min)
    more.push({
      key: 'repeats',
      message: `${label('repeats')} must be at least ${RUN_OPTIONS.repeats.min}, got ${repeats}`,
    });
  if (points * repeats > MAX_PAGE_TRIALS)
    more.push({
      key: 'repeats',
      message: `${points} points x ${repeats} repeats is ${points * repeats} trainings; the page runs at most ${MAX_PAGE_TRIALS.toLocaleString('en-US')} (use xorlab sweep for more)`,
    });
  if (!(from < to) && points > 1) more.push({ key: 'studyTo', message: `To must be larger than From (${from})` });
  const seeds = RUN_OPTIONS.seed;
  if (seed < seeds.min || seed > seeds.max)
    more.push({
      key: 'studySeed',
      message: `${label('studySeed')} must be a whole number from ${seeds.min} to ${seeds.max}, got ${seed}`,
    });
  if (more.length) return { ok: false, problems: more };
  const grid = `exp:${from}:${to}:${points}`;
  try {
    const study = resolveStudy({ name: 'playground', config: config.value, sweep: { hiddenStd: grid }, repeats, seed });
    return {
      ok: true,
      value: {
        study,
        workers,
        datasets: { [config.value.dataset]: dataset.value },
        grid: study.definition.sweep.hiddenStd as string,
      },
    };
  } catch (error) {
    if (error instanceof StudyError) return { ok: false, problems: [{ key: null, message: error.message }] };
    throw error;
  }
}

// ---- the same in the CLI ----------------------------------------------------------------------------------------

/** A word for a shell: left bare when it is safe, else single-quoted. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=,+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The CLI flags for every setting that differs from the CLI's default (a custom table is named custom.csv). */
function configFlags(config: TrainingConfig, omit: readonly string[] = []): string[] {
  const defaults = DEFAULT_CONFIG as Record<string, unknown>;
  const flags: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (omit.includes(key) || JSON.stringify(value) === JSON.stringify(defaults[key])) continue;
    if (key === 'init' && value === 'file') continue; // --init-weights says it
    const text =
      key === 'dataset' && value === CUSTOM_DATASET
        ? 'custom.csv'
        : Array.isArray(value)
          ? value.join(',')
          : String(value);
    flags.push(flagName(key), text);
  }
  return flags;
}

export function trainCommand(setup: TrainingSetup): string {
  const args = ['xorlab', 'train', ...configFlags(setup.config)];
  if (setup.config.init === 'file') args.push('--init-weights', 'weights.json');
  else args.push('--seed', String(setup.seed));
  return args.map(shellWord).join(' ');
}

export function studyCommands(setup: StudySetup): string[] {
  const d = setup.study.definition;
  const sweep = [
    'xorlab',
    'sweep',
    '--name',
    d.name,
    '--sweep',
    `hiddenStd=${setup.grid}`,
    '--repeats',
    String(d.repeats),
    '--seed',
    String(d.seed),
    ...configFlags(d.config, ['hiddenStd']),
  ];
  return [sweep.map(shellWord).join(' '), `xorlab summary ${d.name} --csv`];
}
