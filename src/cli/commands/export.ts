// `xorlab export <study>`: every stored trial of a study as CSV or JSON Lines, ordered by (point, repeat).
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import type { TrainingConfig } from '../../core/index.js';
import { PARAMETER_NAMES } from '../../config/index.js';
import type { TrialRow } from '../../store/types.js';
import { StudyError, resolveStudy, type Study } from '../../study/definition.js';
import { storedSweep } from '../../study/charts.js';
import { addDbOption, withStore } from '../db-option.js';
import { UsageError } from '../errors.js';
import { parseChoice } from '../parse.js';
import { exitOnWriteFailure } from '../output.js';
import { csvField, csvLine, numberText } from '../../text/format.js';

const FORMATS = ['csv', 'jsonl'] as const;
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
    .description("write a study's trials (one row per training) as CSV or JSON Lines, ordered by point and repeat");
  addDbOption(command)
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, 'csv')
    .option('--out <file>', 'write to this file instead of standard output')
    .addHelpText(
      'after',
      `
CSV columns: study, point, repeat, every configuration value (dataset, hidden, activation, ..., hiddenStd,
outputStd, ...: the swept ones at the trial's point, the others the study's), seed, totalLoss, finalLoss,
success (1/0), epochsToThreshold, diverged (1/0), engine, precision; empty fields are null (a diverged trial has
no totalLoss). hidden is "2" or "4,4" (units per layer). The same columns as the database's trial_rows view.
JSON Lines: one object per trial: the swept parameters under "params", the full configuration under "config".`,
    )
    .action((study: string, options: ExportOptions) => runExport(study, options));
}

async function runExport(study: string, options: ExportOptions): Promise<void> {
  const format = parseChoice('--format', options.format, FORMATS);
  await withStore(options, async (store) => {
    const trials = store.iterateTrials(study)[Symbol.asyncIterator]();
    let next = await trials.next(); // an unknown study fails here, before --out is created
    const definition = (await store.getStudy(study))?.definition;
    // The columns: every configuration value, fixed or swept (the same as the trial_rows view), when the stored
    // definition is one this version reads; else the swept parameters in axis order (for a definition without a
    // sweep, the first trial's parameters).
    const configOf = pointConfigs(definition);
    const sweep = storedSweep(definition);
    const columns = configOf ? [...PARAMETER_NAMES] : sweep ? Object.keys(sweep) : next.done ? [] : Object.keys(next.value.params);
    const fd = openOutput(options.out);
    try {
      const write = chunkedWriter(fd, options.out);
      if (format === 'csv') write(`${csvLine(['study', 'point', 'repeat', ...columns, 'seed', 'totalLoss', 'finalLoss', 'success', 'epochsToThreshold', 'diverged', 'engine', 'precision'])}\n`);
      const line = format === 'csv' ? csvRowWriter(columns, configOf) : jsonLineWriter(configOf);
      for (; !next.done; next = await trials.next()) write(line(next.value));
      write(null);
    } finally {
      if (options.out !== undefined) closeSync(fd);
    }
  });
}

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

/** A configuration value as a CSV field: the hidden layers as "2" or "4,4". */
function configField(config: TrainingConfig, name: string): string {
  const value: unknown = (config as unknown as Record<string, unknown>)[name];
  return csvField(Array.isArray(value) ? value.join(',') : value);
}

/** A JSON line per trial: the stored TrialRow, with the point's full configuration under "config" when known. */
function jsonLineWriter(configOf: ConfigOf | null): (t: TrialRow) => string {
  return (t) => `${JSON.stringify(configOf ? { ...t, config: configOf(t.point) } : t)}\n`;
}

/** A CSV line per trial. Study, point and parameter values are the same for every trial of a point and are
 * escaped once per point; engine and precision once per distinct value; the rest are numbers and flags. */
function csvRowWriter(columns: readonly string[], configOf: ConfigOf | null): (t: TrialRow) => string {
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
        exitOnWriteFailure(error, path ?? 'standard output');
      }
    }
  };
  return (text) => {
    if (text === null) return flush();
    buffer += text;
    if (buffer.length >= CHUNK) flush();
  };
}
