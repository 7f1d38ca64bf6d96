// `xorlab serve`: the dashboard of a database's studies and the playground, from one small local server
// (src/server/). Read-only on the database; binds 127.0.0.1 unless --host says otherwise.
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { startServer } from '../../server/server.js';
import { DEFAULT_DB, addDbOption, openStoreFromOptions } from '../db-option.js';
import { EXIT_OK, UsageError, type Outcome } from '../errors.js';
import { parseNumber } from '../parse.js';
import { printable } from '../../text/quote.js';

interface ServeOptions {
  db?: string;
  port: string;
  host: string;
  open?: boolean;
}

export function registerServe(program: Command, end: (outcome: Outcome) => void): void {
  const command = program
    .command('serve')
    .description(
      "serve the dashboard of a database's studies (live while a sweep writes) and the playground, on a local web server",
    );
  addDbOption(command)
    .option('--port <n>', 'port to listen on (0: any free port)', '5173')
    .option(
      '--host <address>',
      'address to bind; 0.0.0.0 lets every machine that can reach this one read the studies',
      '127.0.0.1',
    )
    .option('--open', 'open the dashboard in the default browser')
    .addHelpText(
      'after',
      `
The server only reads the database (opened read-only: a sweep can write to it at the same time) and never
creates one. Pages: / (the studies), /studies/<name>, /playground. JSON API: /api/studies,
/api/studies/<name>/summary, /api/studies/<name>/trials?format=csv|jsonl, /api/events (Server-Sent Events).

Examples:
  xorlab serve                       http://127.0.0.1:5173/ for ./xorlab.db
  xorlab serve --db paper.db --port 8080 --open`,
    )
    .action(async (options: ServeOptions) => end(await runServe(options)));
}

async function runServe(options: ServeOptions): Promise<Outcome> {
  const port = parseNumber('--port', options.port, { integer: true, min: 0, max: 65535 });
  const host = options.host.trim();
  if (host === '') throw new UsageError('--host is empty; pass an address such as 127.0.0.1');
  const store = await openStoreFromOptions(options, { readonly: true });
  let server;
  try {
    // A failed poll (the database went away or broke while serving) is said once per distinct problem.
    const said = new Set<string>();
    const onError = (error: unknown): void => {
      const message = error instanceof Error ? error.message : String(error);
      if (said.has(message)) return;
      said.add(message);
      process.stderr.write(`xorlab: warning: reading the studies failed: ${printable(message)}\n`);
    };
    server = await startServer({ store, host, port, onError });
  } catch (error) {
    await store.close();
    throw error; // a ServeError (the port is taken, ...) is a XorlabError: one line, exit 2
  }
  process.stdout.write(
    `xorlab serve: ${server.url} (studies of ${options.db ?? DEFAULT_DB}, read-only; Ctrl-C stops)\n`,
  );
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
    process.stderr.write(
      `xorlab: warning: listening on ${host}: anyone who can reach this machine on port ${server.port} can read the studies\n`,
    );
  }
  if (options.open) openBrowser(server.url);
  // Serves until Ctrl-C or SIGTERM, then closes and ends the program with 0 (main exits).
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  await store.close();
  return EXIT_OK;
}

/** The desktop's default browser (xdg-open, open, start); a failure is a note, not an error. */
function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]];
  const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
  child.on('error', () =>
    process.stderr.write(`xorlab: note: could not open a browser (${cmd}); open ${url} yourself\n`),
  );
  child.unref();
}
