// A study's trials as text, one line per trial: CSV (with a header), JSON Lines, or the article's MongoDB documents
// as Extended JSON (for mongoimport). `xorlab export` writes it to a
// file or standard output; the dashboard's API streams it (GET /api/studies/:name/trials).
import type { TrainingConfig } from '../../core/index.js';
import { PARAMETER_NAMES } from '../../config/index.js';
import type { TrialRow } from '../../store/types.js';
import { articleStds, toArticleDocument, toExtendedJsonLine } from '../../store/article-shape.js';
import { csvField, csvLine, numberText } from '../../text/format.js';
import { StudyError, resolveStudy, type Study } from '../definition/definition.js';
import { storedSweep } from '../analysis/listing.js';

export const TRIAL_FORMATS = ['csv', 'jsonl', 'mongo'] as const;
export type TrialFormat = (typeof TRIAL_FORMATS)[number];

/** A point's full configuration. */
type ConfigOf = (point: number) => TrainingConfig;

/** Each point's full configuration, from a stored definition this version reads (null otherwise). */
function pointConfigs(definition: unknown): ConfigOf | null {
  let study: Study;
  try {
    study = resolveStudy(definition);
  } catch (error) {
    if (error instanceof StudyError) return null;
    throw error;
  }
  const cache = new Map<number, TrainingConfig>();
  return (point) => {
    let config = cache.get(point);
    if (!config) cache.set(point, (config = study.pointConfig(point)));
    return config;
  };
}

/**
 * The parameters that get CSV columns: every configuration value, fixed or swept (the columns of the database's
 * trial_rows view), when the stored definition is one this version reads; else the swept parameters in axis order,
 * or the first trial's.
 */
function parameterColumns(definition: unknown, first: TrialRow | undefined, configOf: ConfigOf | null): string[] {
  if (configOf) return [...PARAMETER_NAMES];
  const sweep = storedSweep(definition);
  return sweep ? Object.keys(sweep) : first ? Object.keys(first.params) : [];
}

function csvHeader(columns: readonly string[]): string {
  return `${csvLine(['study', 'point', 'repeat', ...columns, 'seed', 'totalLoss', 'finalLoss', 'success', 'epochsToThreshold', 'diverged', 'engine', 'precision'])}\n`;
}

/** A configuration value as a CSV field: the hidden layers as "2" or "4,4". */
function configField(config: TrainingConfig, name: string): string {
  const value: unknown = (config as unknown as Record<string, unknown>)[name];
  return csvField(Array.isArray(value) ? value.join(',') : value);
}

/** A CSV line per trial. Study, point and parameter values are the same for every trial of a point and are
 * escaped once per point; engine and precision once per distinct value; the rest are numbers and flags. */
function csvRowWriter(columns: readonly string[], configOf: ConfigOf | null = null): (t: TrialRow) => string {
  let lastPoint = -1;
  let lastStudy = '';
  let head = '';
  let params = '';
  const labels = new Map<string, string>();
  const label = (text: string): string => {
    let escaped = labels.get(text);
    if (escaped === undefined) labels.set(text, (escaped = csvField(text)));
    return escaped;
  };
  const num = (x: number | null): string => (x === null ? '' : numberText(x));
  return (t) => {
    if (t.point !== lastPoint || t.study !== lastStudy) {
      head = `${csvField(t.study)},${t.point},`;
      const config = configOf?.(t.point);
      params = columns.map((n) => `,${config ? configField(config, n) : csvField(t.params[n])}`).join('');
      lastPoint = t.point;
      lastStudy = t.study;
    }
    return `${head}${t.repeat}${params},${t.seed},${num(t.totalLoss)},${num(t.finalLoss)},${t.success ? 1 : 0},${num(t.epochsToThreshold)},${t.diverged ? 1 : 0},${label(t.engine)},${label(t.precision)}\n`;
  };
}

/** A JSON line per trial: the stored TrialRow, with the point's full configuration under "config" when known. */
function jsonlWriter(configOf: ConfigOf | null): (t: TrialRow) => string {
  return (t) => `${JSON.stringify(configOf ? { ...t, config: configOf(t.point) } : t)}\n`;
}

/** The text of every trial of `trials`, in chunks of about `chunk` characters (the header first for CSV). */
export async function* trialText(
  format: TrialFormat,
  definition: unknown,
  trials: AsyncIterable<TrialRow>,
  chunk = 1 << 16,
): AsyncGenerator<string> {
  const iterator = trials[Symbol.asyncIterator]();
  try {
    let next = await iterator.next();
    const configOf = format === 'mongo' ? null : pointConfigs(definition);
    const columns = parameterColumns(definition, next.done ? undefined : next.value, configOf);
    const stds = articleStds(definition);
    const line =
      format === 'csv'
        ? csvRowWriter(columns, configOf)
        : format === 'mongo'
          ? (t: TrialRow) => `${toExtendedJsonLine(toArticleDocument(t, stds))}\n`
          : jsonlWriter(configOf);
    let buffer = format === 'csv' ? csvHeader(columns) : '';
    for (; !next.done; next = await iterator.next()) {
      buffer += line(next.value);
      if (buffer.length >= chunk) {
        yield buffer;
        buffer = '';
      }
    }
    if (buffer.length > 0) yield buffer;
  } finally {
    await iterator.return?.();
  }
}
