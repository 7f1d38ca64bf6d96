// A study's trials as text, one line per trial: CSV (with a header), JSON Lines, or the article's MongoDB documents
// as Extended JSON (for mongoimport). `xorlab export` writes it to a
// file or standard output; the dashboard's API streams it (GET /api/studies/:name/trials).
import type { TrialRow } from '../store/types.js';
import { articleStds, toArticleDocument, toExtendedJsonLine } from '../store/article-shape.js';
import { csvField, csvLine, numberText } from '../text/format.js';
import { storedSweep } from './listing.js';

export const TRIAL_FORMATS = ['csv', 'jsonl', 'mongo'] as const;
export type TrialFormat = (typeof TRIAL_FORMATS)[number];

/** The swept parameters that get CSV columns: the stored definition's in axis order, else the first trial's. */
export function sweptColumns(definition: unknown, first: TrialRow | undefined): string[] {
  const sweep = storedSweep(definition);
  return sweep ? Object.keys(sweep) : first ? Object.keys(first.params) : [];
}

export function csvHeader(swept: readonly string[]): string {
  return `${csvLine(['study', 'point', 'repeat', ...swept, 'seed', 'totalLoss', 'finalLoss', 'success', 'epochsToThreshold', 'diverged', 'engine', 'precision'])}\n`;
}

/** A CSV line per trial. Study, point and parameter values are the same for every trial of a point and are
 * escaped once per point; engine and precision once per distinct value; the rest are numbers and flags. */
export function csvRowWriter(swept: readonly string[]): (t: TrialRow) => string {
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
      params = swept.map((n) => `,${csvField(t.params[n])}`).join('');
      lastPoint = t.point;
      lastStudy = t.study;
    }
    return `${head}${t.repeat}${params},${t.seed},${num(t.totalLoss)},${num(t.finalLoss)},${t.success ? 1 : 0},${num(t.epochsToThreshold)},${t.diverged ? 1 : 0},${label(t.engine)},${label(t.precision)}\n`;
  };
}

export function jsonlLine(t: TrialRow): string {
  return `${JSON.stringify(t)}\n`;
}

/** The text of every trial of `trials`, in chunks of about `chunk` characters (the header first for CSV). */
export async function* trialText(format: TrialFormat, definition: unknown, trials: AsyncIterable<TrialRow>, chunk = 1 << 16): AsyncGenerator<string> {
  const iterator = trials[Symbol.asyncIterator]();
  try {
    let next = await iterator.next();
    const swept = sweptColumns(definition, next.done ? undefined : next.value);
    const stds = articleStds(definition);
    const line = format === 'csv' ? csvRowWriter(swept) : format === 'mongo' ? (t: TrialRow) => `${toExtendedJsonLine(toArticleDocument(t, stds))}\n` : jsonlLine;
    let buffer = format === 'csv' ? csvHeader(swept) : '';
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
