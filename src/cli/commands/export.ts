// `xorlab export <study>`: every stored trial of a study as CSV, JSON Lines, or the article's MongoDB documents
// (Extended JSON lines for mongoimport), ordered by (point, repeat).
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import type { TrialRow } from '../../store/types.js';
import { TRIAL_FORMATS, trialText } from '../../study/views/trial-text.js';
import { addDbOption, withStore } from '../db-option.js';
import { UsageError } from '../errors.js';
import { parseChoice } from '../parse.js';
import { writeFailure } from '../output.js';

/** Output is written in chunks of about this many characters. */
const CHUNK = 1 << 16;

interface ExportOptions {
  db?: string;
  format: string;
  out?: string;
}

export function registerExport(program: Command): void {
  const command = program
    .command('export')
    .argument('<study>', 'study name (see xorlab studies)')
    .description(
      "write a study's trials (one row per training) as CSV, JSON Lines or MongoDB documents, ordered by point and repeat",
    );
  addDbOption(command)
    .option('--format <format>', `output format: ${TRIAL_FORMATS.join(', ')}`, 'csv')
    .option('--out <file>', 'write to this file instead of standard output')
    .addHelpText(
      'after',
      `
CSV columns: study, point, repeat, every configuration value (dataset, hidden, activation, ..., hiddenStd,
outputStd, ...: the swept ones at the trial's point, the others the study's), seed, totalLoss, finalLoss,
success (1/0), epochsToThreshold, diverged (1/0), engine, precision; empty fields are null (a diverged trial has
no totalLoss). hidden is "2" or "4,4" (units per layer). The same columns as the database's trial_rows view (SQLite, PostgreSQL).
JSON Lines: one object per trial: the swept parameters under "params", the full configuration under "config".
mongo: one document per line in the article's shape (hidden_std_dev, output_std_dev, loss = totalLoss, then
study, point, repeat, seed, params, finalLoss, success, epochsToThreshold, diverged, engine, precision) as
MongoDB Extended JSON, types kept (doubles, an int64 seed), for
  mongoimport --uri mongodb://host/experiment_db --collection results --file trials.json`,
    )
    .action((study: string, options: ExportOptions) => runExport(study, options));
}

async function runExport(study: string, options: ExportOptions): Promise<void> {
  const format = parseChoice('--format', options.format, TRIAL_FORMATS);
  await withStore(options, async (store) => {
    const trials = store.iterateTrials(study)[Symbol.asyncIterator]();
    const first = await trials.next(); // an unknown study fails here, before --out is created
    const definition = (await store.getStudy(study))?.definition;
    const fd = openOutput(options.out);
    try {
      const write = chunkedWriter(fd, options.out);
      const rest: AsyncIterable<TrialRow> = { [Symbol.asyncIterator]: () => trials };
      for await (const text of trialText(format, definition, prepend(first, rest), CHUNK)) write(text);
      write(null);
    } finally {
      if (options.out !== undefined) closeSync(fd);
    }
  });
}

/** `first` (already read) followed by the rest of the iteration. */
async function* prepend(first: IteratorResult<TrialRow>, rest: AsyncIterable<TrialRow>): AsyncGenerator<TrialRow> {
  if (first.done) return;
  yield first.value;
  yield* rest;
}

function openOutput(path: string | undefined): number {
  if (path === undefined) return 1;
  try {
    return openSync(path, 'w');
  } catch (error) {
    throw new UsageError(`--out: cannot write ${path} (${(error as Error).message.replace(/^[A-Z]+: /, '')})`);
  }
}

/** Buffers text and writes it synchronously in large chunks; null flushes. A closed pipe (| head) ends quietly. */
function chunkedWriter(fd: number, path: string | undefined): (text: string | null) => void {
  let buffer = '';
  const flush = (): void => {
    let data = Buffer.from(buffer);
    buffer = '';
    while (data.length > 0) {
      try {
        const written = writeSync(fd, data);
        data = data.subarray(written);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') continue; // a non-blocking pipe that is full: try again
        throw writeFailure(error, path ?? 'standard output');
      }
    }
  };
  return (text) => {
    if (text === null) return flush();
    buffer += text;
    if (buffer.length >= CHUNK) flush();
  };
}
