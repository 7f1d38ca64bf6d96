// The --db flag, shared by every command that reads or writes a study store (sweep, refine, summary, studies,
// export). A StoreError from opening or using the store reaches main.ts and becomes one line, exit code 2.
import type { Command } from 'commander';
import { openStore, type Store } from '../store/index.js';

export const DEFAULT_DB = 'xorlab.db';

/** Adds `--db <path>` to `command`. */
export function addDbOption(command: Command, help = `SQLite database file (default: ${DEFAULT_DB} in the working directory)`): Command {
  return command.option('--db <path>', help);
}

/** Opens the store named by --db (default xorlab.db). Reading commands pass { readonly: true }: a missing file is
 * an error and is never created. */
export function openStoreFromOptions(options: { db?: string }, mode: { readonly?: boolean } = {}): Promise<Store> {
  return openStore(options.db ?? DEFAULT_DB, { readonly: mode.readonly ?? false });
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
