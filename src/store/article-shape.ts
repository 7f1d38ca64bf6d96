// A trial as the article keeps it in MongoDB: a document in `results` with `hidden_std_dev`, `output_std_dev` and
// `loss` (the total loss), plus xorlab's fields. Used by the MongoDB store and by `xorlab export --format mongo`
// (MongoDB Extended JSON lines that mongoimport loads).
import { DEFAULT_CONFIG } from '../config/parameters.js';
import type { EngineName, Precision } from '../config/parameters.js';
import type { ParamValue, TrialRow } from './types.js';

export interface ArticleDocument {
  /** The article's fields. The stds are null when the trial's initialisation does not use them (--init other than
   * normal). */
  hidden_std_dev: number | null;
  output_std_dev: number | null;
  loss: number | null;
  study: string;
  point: number;
  repeat: number;
  seed: number;
  params: Record<string, ParamValue>;
  finalLoss: number | null;
  success: boolean;
  epochsToThreshold: number | null;
  diverged: boolean;
  engine: EngineName;
  precision: Precision;
}

type Stds = (params: Record<string, ParamValue>) => { hidden: number | null; output: number | null };

/** The hidden and output stds of a study's trials, from the swept parameters at a point and the study's stored
 * definition (its `config`), else the defaults. */
export function articleStds(definition: unknown): Stds {
  const config =
    (typeof definition === 'object' && definition !== null ? (definition as { config?: unknown }).config : undefined) ??
    {};
  const fixed = typeof config === 'object' && config !== null ? (config as Record<string, unknown>) : {};
  const pick = (params: Record<string, ParamValue>, key: 'hiddenStd' | 'outputStd' | 'init'): unknown =>
    params[key] ?? fixed[key] ?? DEFAULT_CONFIG[key];
  return (params) => {
    if (pick(params, 'init') !== 'normal') return { hidden: null, output: null };
    const hidden = pick(params, 'hiddenStd');
    const output = pick(params, 'outputStd');
    return { hidden: typeof hidden === 'number' ? hidden : null, output: typeof output === 'number' ? output : null };
  };
}

export function toArticleDocument(row: TrialRow, stds: Stds): ArticleDocument {
  const { hidden, output } = stds(row.params);
  return {
    hidden_std_dev: hidden,
    output_std_dev: output,
    loss: row.totalLoss,
    study: row.study,
    point: row.point,
    repeat: row.repeat,
    seed: row.seed,
    params: row.params,
    finalLoss: row.finalLoss,
    success: row.success,
    epochsToThreshold: row.epochsToThreshold,
    diverged: row.diverged,
    engine: row.engine,
    precision: row.precision,
  };
}

export function fromArticleDocument(doc: ArticleDocument): TrialRow {
  return {
    study: doc.study,
    point: doc.point,
    repeat: doc.repeat,
    params: doc.params,
    seed: doc.seed,
    totalLoss: doc.loss,
    finalLoss: doc.finalLoss,
    success: doc.success,
    epochsToThreshold: doc.epochsToThreshold,
    diverged: doc.diverged,
    engine: doc.engine,
    precision: doc.precision,
  };
}

/** A double in relaxed Extended JSON, typed where a plain JSON number would not stay a double: integral values
 * (6931 would load as an int32) and non-finite ones get {"$numberDouble": "..."}. */
function double(x: number | null): string {
  if (x === null) return 'null';
  if (!Number.isFinite(x)) return `{"$numberDouble":"${Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity'}"}`;
  if (Number.isInteger(x))
    return `{"$numberDouble":"${Object.is(x, -0) ? '-0.0' : Math.abs(x) < 1e21 ? `${x}.0` : String(x)}"}`;
  return JSON.stringify(x);
}

/** A parameter value: numbers as the MongoDB driver stores a JS number (an int32 when integral and in range, else
 * a double), strings as strings. */
function paramValue(v: ParamValue): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Number.isInteger(v) && Math.abs(v) <= 0x7fffffff) return String(v);
  return double(v);
}

/** One document as a line of MongoDB Extended JSON (v2, relaxed, with type wrappers where needed): the seed an
 * int64 ({"$numberLong"}), the losses and stds doubles, point/repeat/epochs int32. mongoimport loads it. */
export function toExtendedJsonLine(doc: ArticleDocument): string {
  const params = Object.entries(doc.params)
    .map(([k, v]) => `${JSON.stringify(k)}:${paramValue(v)}`)
    .join(',');
  return (
    `{"hidden_std_dev":${double(doc.hidden_std_dev)},"output_std_dev":${double(doc.output_std_dev)},"loss":${double(doc.loss)},` +
    `"study":${JSON.stringify(doc.study)},"point":${doc.point},"repeat":${doc.repeat},"seed":{"$numberLong":"${doc.seed}"},` +
    `"params":{${params}},"finalLoss":${double(doc.finalLoss)},"success":${doc.success},` +
    `"epochsToThreshold":${doc.epochsToThreshold === null ? 'null' : doc.epochsToThreshold},"diverged":${doc.diverged},` +
    `"engine":${JSON.stringify(doc.engine)},"precision":${JSON.stringify(doc.precision)}}`
  );
}
