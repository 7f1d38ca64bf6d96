// The --db flag, shared by every command that reads or writes a study store (sweep, refine, summary, studies,
// export, plot, reproduce). It takes a SQLite file or a postgres:// / mongodb:// URL; without it, the environment
// variable XORLAB_DB, else xorlab.db. A StoreError from opening or using the store reaches main.ts and becomes
// one line, exit code 2. A password in the URL is never printed: dbLabel() is what messages show.
import type { Command } from 'commander';
import { DEFAULT_LOCATION, openStore, type Store } from '../store/index.js';
import { redact } from '../text/redact.js';

export const DEFAULT_DB = DEFAULT_LOCATION;
/** The environment variable that gives --db's default (keeps a URL with a password off the command line). */
export const DB_ENV = 'XORLAB_DB';

function fromEnvironment(): string | undefined {
  const value = process.env[DB_ENV]?.trim();
  return value ? value : undefined;
}

/** Adds `--db <path|url>` to `command`; `defaultText` replaces what the help says the default is when $XORLAB_DB is
 * not set. */
export function addDbOption(command: Command, defaultText?: string): Command {
  const env = fromEnvironment();
  const fallback =
    env !== undefined
      ? `$${DB_ENV} = ${redact(env)}`
      : (defaultText ?? `$${DB_ENV} if set, else ${DEFAULT_DB} in the working directory`);
  return command.option(
    '--db <path|url>',
    `where the studies are: a SQLite file, postgres://user@host:port/database or mongodb://host:port/database (a password in the URL is never printed; PGPASSWORD and ~/.pgpass work) (default: ${fallback})`,
  );
}

/** The database named by --db, else by $XORLAB_DB; undefined when neither names one. */
export function namedDb(options: { db?: string }): string | undefined {
  return options.db ?? fromEnvironment();
}

/** The database the command uses: --db, else $XORLAB_DB, else xorlab.db. */
export function dbTarget(options: { db?: string }): string {
  return options.db ?? fromEnvironment() ?? DEFAULT_DB;
}

/** The database as messages show it: any password is ***. */
export function dbLabel(options: { db?: string }): string {
  return redact(dbTarget(options));
}

/** Opens the store named by --db. Reading commands pass { readonly: true }: a missing file is an error and is
 * never created, and nothing is written. */
export function openStoreFromOptions(options: { db?: string }, mode: { readonly?: boolean } = {}): Promise<Store> {
  return openStore(dbTarget(options), { readonly: mode.readonly ?? false });
}

/** Opens the --db store for reading, runs `use` on it and closes it, whatever happens. */
export async function withStore<T>(options: { db?: string }, use: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStoreFromOptions(options, { readonly: true });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}
