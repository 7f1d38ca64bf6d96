#!/usr/bin/env node
// xorlab's command line. Each command lives in ./commands/<name>.ts and registers itself here; commands parse
// and validate their input, then call the layers below (study, store, plot, kernel, core).
import { Command, CommanderError } from 'commander';
import { EXIT_USAGE, UsageError, exitWith } from './errors.js';
import { StoreError } from '../store/types.js';
import { registerTrain } from './commands/train.js';
import { registerPlot } from './commands/plot.js';
import { registerReproduce } from './commands/reproduce.js';
import { registerSweep } from './commands/sweep.js';
import { registerRefine } from './commands/refine.js';
import { registerSummary } from './commands/summary.js';
import { registerStudies } from './commands/studies.js';
import { registerExport } from './commands/export.js';

export function buildProgram(): Command {
  const program = new Command('xorlab')
    .description('A lab for learning and studying tiny neural networks from scratch')
    .version('0.1.0')
    .configureOutput({
      // Commander's own errors (unknown option, bad choice) become one `xorlab: ...` line like ours.
      outputError: (message, write) => write(`xorlab: ${message.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')} (see --help)\n`),
    })
    .exitOverride();
  registerTrain(program);
  registerPlot(program);
  registerReproduce(program);
  registerSweep(program);
  registerRefine(program);
  registerSummary(program);
  registerStudies(program);
  registerExport(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; commander has already printed its message.
      process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE);
    }
    if (error instanceof UsageError || error instanceof StoreError) exitWith(error.message, EXIT_USAGE);
    throw error;
  }
}

await main(process.argv);
