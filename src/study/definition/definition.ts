// A study: a name, a base training configuration, the swept parameters (up to four axes, numeric and categorical
// mixed: one numeric axis is a curve, a categorical one beside it a curve per category, two numeric ones a
// landscape), repeats per point and a root seed. One zod schema validates both the CLI flags and a JSON study file; the
// store keeps the canonical definition so a rerun can tell whether it is the same study.
import * as z from 'zod';
import type { TrainingConfig } from '../../core/index.js';
import {
  MAX_STUDY_TRIALS,
  PARAMETER_NAMES,
  RUN_OPTIONS,
  TrainingConfigSchema,
  defaultConfig,
  describeIssues,
  suggestParameter,
} from '../../config/index.js';
import { jsonDifferences } from '../../text/differences.js';
import { GridError, MAX_GRID_POINTS, parseGrid, type Grid } from './grid.js';
import { StudyError, type Axis, type Study, type StudyDefinition, type StudyDefinitionInput } from './types.js';
import { SWEEPABLE, SWEEPABLE_NAMES, isSweepable, withValue, type ParamValue } from './params.js';
import { quote } from '../../text/quote.js';

const MAX_AXES = 4;
// The limit on a study's trials is the run-options table's (config/run-options.ts), as are repeats' and seed's.
export { MAX_STUDY_TRIALS };
export const STUDY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export { StudyError };
export type { Study, StudyDefinitionInput };

const StudyDefinitionSchema = z
  .object({
    name: z
      .string()
      .regex(STUDY_NAME_PATTERN, 'must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit'),
    /** The base configuration; swept parameters take their grid values on top of it. */
    config: TrainingConfigSchema.default(() => defaultConfig()),
    /** Parameter -> grid (a string such as "exp:-3:4:400" or "0.5,1,2", or a JSON array). Order = axis order. */
    sweep: z.record(z.string(), z.union([z.string(), z.array(z.union([z.number(), z.string()]))])).default({}),
    repeats: z
      .number()
      .int()
      .min(RUN_OPTIONS.repeats.min)
      .max(RUN_OPTIONS.repeats.max)
      .default(RUN_OPTIONS.repeats.default),
    seed: z.number().int().min(RUN_OPTIONS.seed.min).max(RUN_OPTIONS.seed.max).default(RUN_OPTIONS.seed.default),
    /** Dataset file -> digest of its truth table ("sha256:..."), pinned when the study was first stored, so that
     * a file edited later is refused instead of mixing two tables in one study (../run/pins.ts). Absent in studies
     * without dataset files and in studies stored before it existed. */
    datasets: z
      .record(z.string(), z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be "sha256:" and 64 hex digits'))
      .optional(),
  })
  .strict();

// StudyDefinitionInput (./types.ts) is exactly what the schema accepts (the compiler checks both directions).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const inputMatchesSchema: Same<StudyDefinitionInput, z.input<typeof StudyDefinitionSchema>> = true;
void inputMatchesSchema;

function where(path: PropertyKey[]): string {
  return path.map(String).join('.') || 'study';
}

/** The keys of a study definition, and of its config: what an unknown key is compared with for "did you mean". */
function knownKeys(path: PropertyKey[]): readonly string[] {
  return path.length === 0 ? Object.keys(StudyDefinitionSchema.shape) : PARAMETER_NAMES;
}

/** Validates a definition (from flags or a JSON file) and expands its grid. Throws StudyError (one line). */
export function resolveStudy(input: unknown): Study {
  const parsed = StudyDefinitionSchema.safeParse(input);
  if (!parsed.success) throw new StudyError(describeIssues(parsed.error, where, knownKeys));
  const { name, config, sweep, repeats, seed, datasets } = parsed.data;

  const params = Object.keys(sweep);
  if (params.length > MAX_AXES)
    throw new StudyError(`a study sweeps at most ${MAX_AXES} parameters, got ${params.length} (${params.join(', ')})`);
  const axes: Axis[] = [];
  const canonicalSweep: Record<string, string | ParamValue[]> = {};
  for (const param of params) {
    if (!isSweepable(param))
      throw new StudyError(
        `cannot sweep ${quote(param)}${suggestParameter(param, SWEEPABLE_NAMES)}; sweepable: ${SWEEPABLE_NAMES.join(', ')}`,
      );
    let grid: Grid;
    try {
      grid = parseGrid(param, sweep[param]);
    } catch (error) {
      if (error instanceof GridError) throw new StudyError(error.message);
      throw error;
    }
    axes.push({ param, values: grid.values });
    canonicalSweep[param] = grid.spec;
  }
  const pointCount = axes.reduce((n, a) => n * a.values.length, 1);
  if (pointCount > MAX_GRID_POINTS)
    throw new StudyError(`the grid has ${pointCount} points; at most ${MAX_GRID_POINTS} are allowed`);
  if (pointCount * repeats > MAX_STUDY_TRIALS) {
    throw new StudyError(
      `${pointCount.toLocaleString('en-US')} points x ${repeats.toLocaleString('en-US')} repeats is ${(pointCount * repeats).toLocaleString('en-US')} trials; ` +
        `a study holds at most ${MAX_STUDY_TRIALS.toLocaleString('en-US')}`,
    );
  }
  if (config.init === 'file')
    throw new StudyError('config.init "file" cannot be used in a study; every trial draws its own initial parameters');

  // A swept parameter's base value plays no role: reset it, so the canonical definition does not depend on it.
  const defaults = defaultConfig();
  const base: Record<string, unknown> = { ...config };
  for (const { param } of axes) base[param] = (defaults as Record<string, unknown>)[param];
  const baseConfig = TrainingConfigSchema.parse(base);

  const pointParams = (point: number): Record<string, ParamValue> => {
    const out: Record<string, ParamValue> = {};
    let rest = point;
    for (let a = axes.length - 1; a >= 0; a--) {
      const n = axes[a].values.length;
      out[axes[a].param] = axes[a].values[rest % n];
      rest = Math.floor(rest / n);
    }
    // Keep the axis order in the object.
    return Object.fromEntries(axes.map((a) => [a.param, out[a.param]]));
  };
  const configFor = (values: Record<string, ParamValue>): z.ZodSafeParseResult<TrainingConfig> => {
    let input: Record<string, unknown> = { ...baseConfig };
    for (const [param, value] of Object.entries(values)) input = withValue(input, param, value);
    return TrainingConfigSchema.safeParse(input);
  };

  // Every point's configuration must be valid. Numeric values are checked one by one (field checks are
  // independent); names can clash (loss bce with a tanh output), so every combination of the categorical axes'
  // values is checked, with the numeric axes at their first values.
  const check = (values: Record<string, ParamValue>): void => {
    const result = configFor(values);
    if (result.success) return;
    const at = Object.entries(values)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    throw new StudyError(
      `${Object.keys(values).length > 1 ? 'the point ' : ''}${at} is not allowed: ${describeIssues(result.error, where)}`,
    );
  };
  const numeric = axes.filter((a) => SWEEPABLE[a.param].kind === 'numeric');
  const categorical = axes.filter((a) => SWEEPABLE[a.param].kind !== 'numeric');
  for (const axis of numeric) for (const value of axis.values) check({ [axis.param]: value });
  if (categorical.length > 0) {
    const first = Object.fromEntries(numeric.map((a) => [a.param, a.values[0]]));
    const combinations = categorical.reduce((n, a) => n * a.values.length, 1);
    for (let c = 0; c < combinations; c++) {
      const values: Record<string, ParamValue> = { ...first };
      let rest = c;
      for (let a = categorical.length - 1; a >= 0; a--) {
        values[categorical[a].param] = categorical[a].values[rest % categorical[a].values.length];
        rest = Math.floor(rest / categorical[a].values.length);
      }
      check(Object.fromEntries(axes.map((a) => [a.param, values[a.param]])));
    }
  }

  return {
    definition: { name, config: baseConfig, sweep: canonicalSweep, repeats, seed, ...(datasets ? { datasets } : {}) },
    axes,
    pointCount,
    pointParams,
    pointConfig: (point) => {
      const result = configFor(pointParams(point));
      if (!result.success) throw new StudyError(`point ${point}: ${describeIssues(result.error, where)}`);
      return result.data;
    },
  };
}

/** The names of every dataset the study trains on (built-in names or file paths), as its configurations say. */
export function datasetNames(study: Study): string[] {
  const axis = study.axes.find((a) => a.param === 'dataset');
  return axis ? (axis.values as string[]) : [study.definition.config.dataset];
}

/** What differs between two definitions, for the "different definition" message. */
export function describeDifference(stored: unknown, given: StudyDefinition): string {
  const show = (v: unknown) => (v === undefined ? 'nothing' : quote(v));
  const diffs = jsonDifferences(stored, given, {
    keys: ['sweep', 'repeats', 'seed', 'config', 'datasets'],
    expand: ['config'],
  });
  return diffs.length
    ? diffs.map((d) => `${d.path}: stored ${show(d.stored)}, given ${show(d.given)}`).join('; ')
    : 'the stored definition is not in a form this version understands';
}

/** Whether two definitions are the same study (key order aside). */
export function sameDefinition(stored: unknown, given: StudyDefinition): boolean {
  return canonicalJson(stored) === canonicalJson(given);
}

function canonicalJson(value: unknown): string {
  // Key order is irrelevant except in `sweep`, whose order is the axis order.
  return JSON.stringify(value, (key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) && key !== 'sweep'
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}
