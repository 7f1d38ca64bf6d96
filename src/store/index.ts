// Opening a store from what the user typed: a file path or a sqlite: URL now; postgres:// and mongodb:// later.
import { openSqliteStore } from './sqlite.js';
import { StoreError, type OpenStoreOptions, type Store } from './types.js';

export * from './types.js';
export { openSqliteStore } from './sqlite.js';

/** Where a store is when none is named: xorlab.db in the working directory (the CLI's --db, the library's openStore). */
export const DEFAULT_LOCATION = 'xorlab.db';

/** Opens the store named by `url`: `path/to/file.db`, `sqlite:path`, or `sqlite://path`. */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (url.trim() === '') throw new StoreError('the database path is empty; pass --db <path>');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'sqlite') return openSqliteStore(url.slice('sqlite://'.length), options);
  if (url.toLowerCase().startsWith('sqlite:')) return openSqliteStore(url.slice('sqlite:'.length), options);
  if (scheme === 'postgres' || scheme === 'postgresql' || scheme === 'mongodb' || scheme === 'mongodb+srv') {
    throw new StoreError(`${scheme}:// stores are not supported yet; use a SQLite file path`);
  }
  if (scheme !== undefined && scheme.length > 1) throw new StoreError(`unknown store URL scheme "${scheme}://"; use a SQLite file path`);
  return openSqliteStore(url, options);
}
