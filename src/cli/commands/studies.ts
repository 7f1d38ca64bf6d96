// `xorlab studies`: the studies in a database, with their point and trial counts, swept parameters and creation time.
import type { Command } from 'commander';
import type { ParamValue, Store } from '../../store/types.js';
import { addDbOption, openStoreFromOptions } from '../db-option.js';
import { sweptParameters } from '../point-selector.js';
import { alignedTable, shortNumber } from '../table.js';

interface StudiesOptions {
  db?: string;
  json?: boolean;
}

interface StudyLine {
  name: string;
  points: number;
  trials: number;
  swept: { name: string; values: number; min?: ParamValue; max?: ParamValue }[];
  createdAt: string;
}

export function registerStudies(program: Command): void {
  const command = program.command('studies').description('list the studies in a database with their point and trial counts');
  addDbOption(command)
    .option('--json', 'print a JSON array')
    .action((options: StudiesOptions) => runStudies(options));
}

function runStudies(options: StudiesOptions): void {
  const store = openStoreFromOptions(options, { readonly: true });
  let lines: StudyLine[];
  try {
    lines = store.listStudies().map((s) => ({ name: s.name, points: s.pointCount, trials: s.trialCount, swept: sweptOf(store, s.name), createdAt: s.createdAt }));
  } finally {
    store.close();
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(lines, null, 2)}\n`);
    return;
  }
  if (lines.length === 0) {
    process.stdout.write(`no studies in ${options.db ?? 'xorlab.db'} yet\n`);
    return;
  }
  const rows = lines.map((l) => [l.name, String(l.points), l.trials.toLocaleString('en-US'), describeSwept(l.swept), l.createdAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')]);
  process.stdout.write(`${alignedTable(['study', 'points', 'trials', 'swept', 'created'], rows, { leftFirst: true })}\n`);
}

/** Swept parameters with their number of distinct values and range, from the stored points. */
function sweptOf(store: Store, study: string): StudyLine['swept'] {
  const points = store.summarize(study);
  return sweptParameters(points).map((name) => {
    const values = [...new Set(points.map((p) => p.params[name]).filter((v) => v !== undefined))];
    const numbers = values.filter((v): v is number => typeof v === 'number');
    if (numbers.length === values.length && numbers.length > 0) {
      return { name, values: values.length, min: Math.min(...numbers), max: Math.max(...numbers) };
    }
    return { name, values: values.length };
  });
}

function describeSwept(swept: StudyLine['swept']): string {
  if (swept.length === 0) return '-';
  return swept
    .map((s) => (typeof s.min === 'number' && typeof s.max === 'number' ? `${s.name} ${shortNumber(s.min, 4)}..${shortNumber(s.max, 4)} (${s.values})` : `${s.name} (${s.values} values)`))
    .join(', ');
}
