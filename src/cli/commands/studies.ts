// `xorlab studies`: the studies in a database, with their point and trial counts, swept parameters and creation time.
import type { Command } from 'commander';
import type { ParamValue } from '../../store/types.js';
import { GridError, parseGrid } from '../../study/grid.js';
import { storedSweep } from '../../study/charts.js';
import { dbLabel, addDbOption, withStore } from '../db-option.js';
import { alignedTable, shortNumber } from '../../text/format.js';

interface StudiesOptions {
  db?: string;
  json?: boolean;
}

interface StudyLine {
  name: string;
  points: number;
  trials: number;
  /** values: distinct grid values (null: a grid this version cannot read). */
  swept: { name: string; values: number | null; min?: ParamValue; max?: ParamValue }[];
  createdAt: string;
}

export function registerStudies(program: Command): void {
  const command = program.command('studies').description('list the studies in a database with their point and trial counts');
  addDbOption(command)
    .option('--json', 'print a JSON array')
    .action((options: StudiesOptions) => runStudies(options));
}

async function runStudies(options: StudiesOptions): Promise<void> {
  const lines: StudyLine[] = await withStore(options, async (store) =>
    (await store.listStudies()).map((s) => ({ name: s.name, points: s.pointCount, trials: s.trialCount, swept: sweptOf(s.definition), createdAt: s.createdAt })),
  );
  if (options.json) {
    process.stdout.write(`${JSON.stringify(lines, null, 2)}\n`);
    return;
  }
  if (lines.length === 0) {
    process.stdout.write(`no studies in ${dbLabel(options)} yet\n`);
    return;
  }
  const rows = lines.map((l) => [l.name, String(l.points), l.trials.toLocaleString('en-US'), describeSwept(l.swept), l.createdAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')]);
  process.stdout.write(`${alignedTable(['study', 'points', 'trials', 'swept', 'created'], rows, { leftFirst: true })}\n`);
}

/** Swept parameters with their number of distinct grid values and range, from the stored definition's grids. */
function sweptOf(definition: unknown): StudyLine['swept'] {
  return Object.entries(storedSweep(definition) ?? {}).map(([name, spec]) => {
    let values: ParamValue[];
    try {
      values = [...new Set(parseGrid(name, spec).values)];
    } catch (error) {
      if (error instanceof GridError) return { name, values: null };
      throw error;
    }
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
    .map((s) => (typeof s.min === 'number' && typeof s.max === 'number' ? `${s.name} ${shortNumber(s.min, 4)}..${shortNumber(s.max, 4)} (${s.values})` : `${s.name} (${s.values ?? '?'} values)`))
    .join(', ');
}
