// The one table of run options: how many trainings a study runs per point and from which root seed, and how its
// trials are run (worker threads, chunk size, engine, precision). Each option is declared here once: its type and
// range, its default, its flag's placeholder and help, and its label on a form. Derived from it: the CLI's flags,
// their help and their parsing (cli/run-flags.ts, used by sweep, refine, reproduce, worker and train), the study
// definition's schema (study/definition/definition.ts), the checks of the library's run options (study/run/run-study.ts, index.ts)
// and the playground's study fields (web/playground/fields.ts). Pure data: no zod, no Node APIs.
import { ENGINE_NAMES, PRECISIONS, type EngineName, type Precision } from '../core/config.js';
import { MAX_SEED } from '../core/rng.js';

/** Trainings per grid point a study may ask for. */
export const MAX_REPEATS = 1_000_000;
/** Trials one study may hold (points x repeats, and what refine adds): 100 million rows is ~10 GB of SQLite and
 * hours on all cores. (Planning is not the limit: a plan is kept as runs of repeats per point.) */
export const MAX_STUDY_TRIALS = 100_000_000;

interface RunOptionCommon {
  /** The flag's value placeholder, e.g. '<n>' for --workers <n>. */
  placeholder: string;
  /** One line of help; the CLI appends the default (and an integer's range). */
  description: string;
  /** The default as the help says it, where it is not a plain value (the core count) or has a caveat. */
  defaultText?: string;
  /** The name on a form and in its messages. */
  label: string;
}

/** An integer option in [min, max]; without a default the caller decides (the core count, a measured size). */
interface IntegerRunOption extends RunOptionCommon {
  type: 'integer';
  min: number;
  max: number;
  default?: number;
}

/** An option that takes one of a list of names. */
interface ChoiceRunOption extends RunOptionCommon {
  type: 'choice';
  choices: readonly string[];
  default: string;
}

export type RunOptionSpec = IntegerRunOption | ChoiceRunOption;

/** Every run option, in the order of `--help`. */
export const RUN_OPTIONS = {
  repeats: {
    type: 'integer',
    min: 1,
    max: MAX_REPEATS,
    default: 10,
    placeholder: '<n>',
    description: 'trainings per grid point',
    defaultText: `10; points x repeats at most ${MAX_STUDY_TRIALS.toLocaleString('en-US')}`,
    label: 'Repeats',
  },
  seed: {
    type: 'integer',
    min: 0,
    max: MAX_SEED,
    default: 1,
    placeholder: '<n>',
    description: 'root seed; trial seeds derive from (seed, point, repeat)',
    label: 'Root seed',
  },
  workers: {
    type: 'integer',
    min: 1,
    max: 1024,
    placeholder: '<n>',
    description: 'worker threads',
    defaultText: 'the core count',
    label: 'Workers',
  },
  engine: {
    type: 'choice',
    choices: ENGINE_NAMES,
    default: 'fast',
    placeholder: '<name>',
    description: 'fast = the lockstep kernel, reference = the readable core engine',
    defaultText: 'fast; a stored study goes on with the engine of its trials, and another one is refused',
    label: 'Engine',
  },
  precision: {
    type: 'choice',
    choices: PRECISIONS,
    default: 'f32',
    placeholder: '<p>',
    description: 'arithmetic of the fast engine',
    defaultText: "f32, or a stored study's",
    label: 'Precision',
  },
  chunkSize: {
    type: 'integer',
    min: 1,
    max: 1_000_000,
    placeholder: '<n>',
    description: 'trials per task sent to a worker',
    defaultText: 'about half a second of work for the engine that runs',
    label: 'Chunk size',
  },
} as const satisfies Record<string, RunOptionSpec>;

export type RunOptionName = keyof typeof RUN_OPTIONS;

export const RUN_OPTION_NAMES = Object.keys(RUN_OPTIONS) as RunOptionName[];

/** The run options that take an integer (repeats, seed, workers, chunkSize). */
export type IntegerRunOptionName = {
  [K in RunOptionName]: (typeof RUN_OPTIONS)[K]['type'] extends 'integer' ? K : never;
}[RunOptionName];

/**
 * What is wrong with a run option given from code (`workers must be an integer from 1 to 1024, got 0`), or null
 * when it is allowed. Undefined is allowed: the default stands in. The caller throws its own kind of error.
 */
export function runOptionProblem(name: RunOptionName, value: unknown): string | null {
  if (value === undefined) return null;
  const spec: RunOptionSpec = RUN_OPTIONS[name];
  const got = JSON.stringify(value) ?? typeof value;
  if (spec.type === 'choice')
    return (spec.choices as readonly unknown[]).includes(value)
      ? null
      : `${name} must be one of ${spec.choices.join(', ')}, got ${got}`;
  const fits = typeof value === 'number' && Number.isInteger(value) && value >= spec.min && value <= spec.max;
  return fits ? null : `${name} must be an integer from ${spec.min} to ${spec.max}, got ${got}`;
}

/** Which engine trains, and in which arithmetic: one value from the flags (or the library's options) down to the
 * engine's trainMany. The reference engine is always f64 whatever `precision` says. */
export interface EngineChoice {
  engine: EngineName;
  precision: Precision;
}

/** The choice with the run-options table's defaults where `asked` leaves it open (fast, f32). */
export function engineChoice(asked: Partial<EngineChoice> = {}): EngineChoice {
  return {
    engine: asked.engine ?? RUN_OPTIONS.engine.default,
    precision: asked.precision ?? RUN_OPTIONS.precision.default,
  };
}
