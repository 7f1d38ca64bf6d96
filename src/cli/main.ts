#!/usr/bin/env node
// xorlab's command line. Each command lives in ./commands/<name>.ts and registers itself here; commands parse
// and validate their input, then call the layers below (study, store, plot, kernel, core).
import { Command, CommanderError } from 'commander';
import { EXIT_OK, EXIT_USAGE, reportError, type Outcome } from './errors.js';
import { printable } from '../text/quote.js';
import { guardStandardStreams } from './output.js';
import { showNumberDefaultsBare } from './help.js';

/** Adds a command to the program; an action that can end otherwise than by returning hands its Outcome to `end`. */
type Register = (program: Command, end: (outcome: Outcome) => void) => void;

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

export async function buildProgram(argv: string[], end: (outcome: Outcome) => void = () => {}): Promise<Command> {
  const program = new Command('xorlab')
    .description('A lab for learning and studying tiny neural networks from scratch')
    .version('0.1.0')
    .configureOutput({
      // Commander's own errors (unknown option, bad choice) become one `xorlab: ...` line like ours.
      // What was typed is quoted in it: made printable, so that an escape sequence in an argument stays text.
      outputError: (message, write) =>
        write(
          `xorlab: ${printable(
            message
              .replace(/^error: /, '')
              .trim()
              .replace(/\s*\n\s*/g, ' '),
          )} (see --help)\n`,
        ),
    })
    .exitOverride();
  const asked = argv[2];
  const names = asked !== undefined && Object.hasOwn(COMMANDS, asked) ? [asked] : Object.keys(COMMANDS);
  for (const register of await Promise.all(names.map((name) => COMMANDS[name]()))) register(program, end);
  showNumberDefaultsBare(program);
  return program;
}

/**
 * Runs the command line and ends the process: the only place in xorlab that calls process.exit. A command throws
 * for bad input (any XorlabError: one line, exit 2) or returns how it ended (Ctrl-C: 130, its resume hint already
 * printed); anything else thrown is a bug (the stack, exit 1).
 */
export async function main(argv: string[]): Promise<void> {
  const fail = (error: unknown): never => {
    const { text, code } = reportError(error);
    try {
      process.stderr.write(text);
    } catch {
      // stderr is gone too: the exit code is all that is left to say it.
    }
    process.exit(code);
  };
  guardStandardStreams(fail);
  const ended: { code?: number } = {};
  const program = await buildProgram(argv, (outcome) => (ended.code = outcome ?? undefined));
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; commander has already printed its message.
      process.exit(error.exitCode === 0 ? EXIT_OK : EXIT_USAGE);
    }
    fail(error);
  }
  // A command that returned an exit code (Ctrl-C's 130, a server that closed) ends the process now, whatever is
  // still pending; one that returned nothing ends by itself.
  if (ended.code !== undefined) process.exit(ended.code);
}

await main(process.argv);
