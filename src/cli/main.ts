#!/usr/bin/env node
// xorlab's command line. Each command lives in ./commands/<name>.ts and registers itself here; commands parse
// and validate their input, then call the layers below (study, store, plot, kernel, core).
import { Command, CommanderError } from 'commander';
import { EXIT_USAGE, UsageError, exitWith } from './errors.js';
import { redact } from '../text/redact.js';
import { printable } from '../text/quote.js';
import { StoreError } from '../store/types.js';
import { ChartDataError } from '../plot/errors.js';
import { StudyError } from '../study/definition/definition.js';
import { ReproduceError } from '../article/reproduce.js';
import { guardStandardStreams } from './output.js';
import { MissingPackageError } from '../text/packages.js';

/** Errors that mean "the input is wrong" wherever they are raised: one line, exit 2, no stack trace. */
const INPUT_ERRORS = [UsageError, StoreError, ChartDataError, StudyError, ReproduceError, MissingPackageError];

type Register = (program: Command) => void;

/**
 * Every command and where it lives. Only the command that is asked for is loaded (all of them for the top-level
 * help), so that `xorlab summary` does not pay for loading the plotting libraries.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  train: async () => (await import('./commands/train.js')).registerTrain,
  predict: async () => (await import('./commands/predict.js')).registerPredict,
  sweep: async () => (await import('./commands/sweep.js')).registerSweep,
  refine: async () => (await import('./commands/refine.js')).registerRefine,
  recheck: async () => (await import('./commands/recheck.js')).registerRecheck,
  summary: async () => (await import('./commands/summary.js')).registerSummary,
  studies: async () => (await import('./commands/studies.js')).registerStudies,
  export: async () => (await import('./commands/export.js')).registerExport,
  delete: async () => (await import('./commands/delete.js')).registerDelete,
  rename: async () => (await import('./commands/rename.js')).registerRename,
  plot: async () => (await import('./commands/plot.js')).registerPlot,
  explain: async () => (await import('./commands/explain.js')).registerExplain,
  reproduce: async () => (await import('./commands/reproduce.js')).registerReproduce,
  worker: async () => (await import('./commands/worker.js')).registerWorker,
  serve: async () => (await import('./commands/serve.js')).registerServe,
};

export async function buildProgram(argv: string[]): Promise<Command> {
  const program = new Command('xorlab')
    .description('A lab for learning and studying tiny neural networks from scratch')
    .version('0.1.0')
    .configureOutput({
      // Commander's own errors (unknown option, bad choice) become one `xorlab: ...` line like ours.
      // What was typed is quoted in it: made printable, so that an escape sequence in an argument stays text.
      outputError: (message, write) => write(`xorlab: ${printable(message.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' '))} (see --help)\n`),
    })
    .exitOverride();
  const asked = argv[2];
  const names = asked !== undefined && Object.hasOwn(COMMANDS, asked) ? [asked] : Object.keys(COMMANDS);
  for (const register of await Promise.all(names.map((name) => COMMANDS[name]()))) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  guardStandardStreams();
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; commander has already printed its message.
      process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE);
    }
    if (INPUT_ERRORS.some((kind) => error instanceof kind)) exitWith((error as Error).message, EXIT_USAGE);
    // A bug: the stack helps, but it may quote a URL with its password, or text with control characters (each of
    // its lines is made printable; the lines stay lines).
    const text = redact(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.stderr.write(`${text.split('\n').map((line) => printable(line)).join('\n')}\n`);
    process.exit(1);
  }
}

await main(process.argv);
