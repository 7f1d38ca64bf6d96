// `xorlab studies`: the studies in a database, with their point and trial counts, swept parameters and creation time.
import type { Command } from 'commander';
import { studyLine, type StudyLine } from '../../study/analysis/listing.js';
import { dbLabel, addDbOption, withStore } from '../db-option.js';
import { alignedTable, shortNumber } from '../../text/format.js';
import { QUOTE_MAX, printable } from '../../text/quote.js';

interface StudiesOptions {
  db?: string;
  json?: boolean;
}

export function registerStudies(program: Command): void {
  const command = program
    .command('studies')
    .description('list the studies in a database with their point and trial counts');
  addDbOption(command)
    .option('--json', 'print a JSON array')
    .action((options: StudiesOptions) => runStudies(options));
}

async function runStudies(options: StudiesOptions): Promise<void> {
  const lines: StudyLine[] = await withStore(options, async (store) => (await store.listStudies()).map(studyLine));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(lines, null, 2)}\n`);
    return;
  }
  if (lines.length === 0) {
    process.stdout.write(`no studies in ${dbLabel(options)} yet\n`);
    return;
  }
  // A stored name may hold any character and any length (a database made elsewhere): cut like a quote; the table
  // escapes its control characters. A damaged study is listed with what is wrong in place of its sweep: the others
  // stay readable.
  const rows = lines.map((l) => [
    printable(l.name, QUOTE_MAX),
    String(l.points),
    l.trials.toLocaleString('en-US'),
    l.error !== undefined ? `damaged: ${l.error}` : describeSwept(l.swept),
    l.createdAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
  ]);
  process.stdout.write(
    `${alignedTable(['study', 'points', 'trials', 'swept', 'created'], rows, { leftFirst: true })}\n`,
  );
}

function describeSwept(swept: StudyLine['swept']): string {
  if (swept.length === 0) return '-';
  return swept
    .map((s) =>
      typeof s.min === 'number' && typeof s.max === 'number'
        ? `${printable(s.name, QUOTE_MAX)} ${shortNumber(s.min, 4)}..${shortNumber(s.max, 4)} (${s.values})`
        : `${printable(s.name, QUOTE_MAX)} (${s.values ?? '?'} values)`,
    )
    .join(', ');
}
