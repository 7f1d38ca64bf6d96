// `xorlab worker`: works on the chunks that `sweep --distributed` and `refine --distributed` queue in a PostgreSQL
// database, on all local cores, on as many machines as you like. Each chunk's rows and its job's completion are
// stored in one transaction; Ctrl-C finishes the running chunks and hands the others back to the queue.
import type { Command } from 'commander';
import { workOnQueue } from '../../distributed/work.js';
import { ChunkQueue } from '../../distributed/queue.js';
import { formatDuration, formatRate } from '../../study/run/progress.js';
import { DB_ENV } from '../db-option.js';
import { onInterrupt, openDistributedStore } from '../distributed.js';
import { EXIT_INTERRUPTED, type Outcome } from '../errors.js';
import { parseWorkers, workersFlag } from '../run-flags.js';
import { printable } from '../../text/quote.js';
import { counted } from '../../text/format.js';

interface WorkerOptions {
  db?: string;
  workers?: string;
  untilEmpty?: boolean;
}

/** A line on how the worker is doing, this often. */
const REPORT_MS = 10_000;

export function registerWorker(program: Command, end: (outcome: Outcome) => void): void {
  const command = program
    .command('worker')
    .description(
      'train the chunks that `sweep --distributed` / `refine --distributed` queue in a PostgreSQL database, on all local cores',
    );
  command
    .option(
      '--db <url>',
      `the PostgreSQL database of the studies: postgres://user@host:port/database (default: $${DB_ENV}; the password from the URL, PGPASSWORD or ~/.pgpass)`,
    )
    .addOption(workersFlag())
    .option(
      '--until-empty',
      'return once no study in the queue can get more work from this worker: no chunk waiting or held by any worker, and no coordinator alive to queue more (default: wait for more until Ctrl-C)',
    )
    .addHelpText(
      'after',
      `
--db names the database that \`sweep --distributed\` / \`refine --distributed\` use. Start any number of workers,
on any machines, before or after the coordinator; each takes chunks of any study in the queue (pg-boss, schema
xorlab_queue), trains them on its threads, and stores each chunk's trials and completes it in one transaction.
The chunks of a worker that dies are taken again by another within seconds (after about 10x a chunk's work, at
least 8 s); a trial is never stored twice. A lost server is waited for up to 5 minutes. Ctrl-C finishes the
running chunks (3 s at most) and hands the others back to the queue at once.

--until-empty is for batch jobs: the worker returns, with one line that says why, when nothing can bring it more
work: no chunk of any study is waiting, none is held by another worker (a held chunk comes back to the queue when
its worker dies), and no coordinator (\`sweep/refine --distributed\`) is alive to queue the next window. Start the
coordinator first: a worker that finds no chunk and no coordinator returns at once.

Examples:
  xorlab worker --db postgres://lab@db.example.org/xorlab
  xorlab worker --db postgres://lab@db.example.org/xorlab --workers 8 --until-empty`,
    )
    .action(async (options: WorkerOptions) => end(await runWorker(options)));
}

/** The rate over the time a chunk was held: the waits for work (an empty queue, a lost server) are left out. */
function busyRate(trained: number, busySeconds: number): string {
  return busySeconds > 0
    ? `${formatRate(trained / busySeconds)} trainings/s while busy, ${formatDuration(busySeconds)} busy`
    : 'none trained';
}

async function runWorker(options: WorkerOptions): Promise<Outcome> {
  const workers = parseWorkers(options.workers);
  const store = await openDistributedStore('xorlab worker', options.db);
  const controller = new AbortController();
  let removeHandlers = (): void => {};
  try {
    const queue = await ChunkQueue.open(store);
    try {
      process.stderr.write(
        `xorlab worker: ${counted(workers, 'thread')} on ${store.location}; ${options.untilEmpty ? 'until no study in the queue has work left (--until-empty)' : 'Ctrl-C stops'}\n`,
      );
      removeHandlers = onInterrupt(
        controller,
        'interrupted; the running chunks finish and are stored, the others go back to the queue...',
      );
      let trained = 0;
      let lastReport = performance.now();
      const outcome = await workOnQueue({
        store,
        queue,
        workers,
        untilEmpty: options.untilEmpty,
        signal: controller.signal,
        log: (line) => process.stderr.write(`xorlab: ${printable(line)}\n`),
        onStored: (trials, _inserted, busy) => {
          trained += trials;
          const now = performance.now();
          // Also when it goes idle: the last line before a wait would otherwise stay behind the true count.
          if (now - lastReport < REPORT_MS && !busy.idle) return;
          lastReport = now;
          process.stderr.write(
            `xorlab worker: ${counted(trained, 'trial')} trained and stored, ${busyRate(trained, busy.seconds)}${busy.idle ? '; waiting for work' : ''}\n`,
          );
        },
      });
      const summary =
        `${counted(outcome.chunks, 'chunk')}, ${counted(outcome.trained, 'trial')} trained and stored in ${formatDuration(outcome.seconds)} ` +
        `(${busyRate(outcome.trained, outcome.busySeconds)})`;
      if (outcome.interrupted) {
        process.stderr.write(
          `xorlab: worker stopped: ${summary}; ${outcome.handedBack} unfinished chunks handed back to the queue\n`,
        );
        return EXIT_INTERRUPTED;
      }
      process.stdout.write(`xorlab worker: ${summary}; returned because ${outcome.ended ?? 'it was told to stop'}\n`);
      return;
    } finally {
      await queue.close();
    }
  } finally {
    removeHandlers();
    await store.close();
  }
}
