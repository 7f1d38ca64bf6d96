// How much a command records and prints, bounded so that a large --epochs or network ends in one line that names
// the limit instead of gigabytes of memory and a crash (`RangeError: Invalid string length`).
import { UsageError } from './errors.js';

/** Points one chart draws (weights: records x parameters; loss: records of every run): vega renders 180,000 in
 * ~25 s and 400 MB here, 900,000 in ~95 s and 1.6 GB. */
export const MAX_CHART_POINTS = 200_000;
/** Losses `train` prints and keeps (one line each). */
export const MAX_TRACE_LINES = 1_000_000;
/** Parameters `train --json` (twice: initial and final) and `--save-weights` write: JSON text of 2,000,000 numbers
 * is ~70 MB; 16 million overflow the largest string Node can build. */
export const MAX_PRINTED_PARAMETERS = 2_000_000;

/** Records a training keeps when it records every `every` epochs of `epochs`: epoch 0, every multiple, the end. */
function recordsOf(epochs: number, every: number): number {
  return Math.floor(epochs / every) + 2;
}

/**
 * Refuses a recording of `perRecord` values every `every` epochs over `epochs` when it passes `limit`, naming the
 * smallest `option` value that fits. `what` says what the values are ("points on the chart").
 */
export function checkRecording(
  option: string,
  every: number,
  epochs: number,
  perRecord: number,
  limit: number,
  what: string,
): void {
  const total = recordsOf(epochs, every) * perRecord;
  if (total <= limit) return;
  const records = Math.floor(limit / perRecord) - 2;
  const fits = records >= 1 ? Math.max(every + 1, Math.ceil(epochs / records)) : null;
  const count = (n: number): string => n.toLocaleString('en-US');
  throw new UsageError(
    `${option} ${count(every)} over ${count(epochs)} epochs gives ${count(total)} ${what}` +
      `${perRecord > 1 ? ` (${count(recordsOf(epochs, every))} records x ${count(perRecord)})` : ''}; at most ${count(limit)} are allowed` +
      (fits === null
        ? '; use fewer parameters or trainings'
        : `; use ${option} ${count(fits)} or more, or fewer --epochs`),
  );
}

/** Refuses writing `count` parameters `copies` times as JSON (`what`: the flag) beyond MAX_PRINTED_PARAMETERS. */
export function checkPrintedParameters(what: string, count: number, copies: number): void {
  if (count * copies <= MAX_PRINTED_PARAMETERS) return;
  throw new UsageError(
    `${what} writes ${copies > 1 ? `${copies} x ` : ''}${count.toLocaleString('en-US')} parameters; at most ${MAX_PRINTED_PARAMETERS.toLocaleString('en-US')} ` +
      `numbers can be written as JSON; drop ${what} or use a smaller --hidden`,
  );
}
