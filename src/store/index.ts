// Opening a store from what the user typed: a SQLite file path (or sqlite: URL), a postgres:// or postgresql://
// URL, or a mongodb:// or mongodb+srv:// URL. The drivers are loaded only for the store that is asked for.
import { openSqliteStore } from './sqlite/open.js';
import { loadExtra } from '../text/packages.js';
import { redact } from '../text/redact.js';
import { StoreError, type OpenStoreOptions, type Store } from './types.js';

export * from './types.js';
export { openSqliteStore } from './sqlite/open.js';

/** Where a store is when none is named: xorlab.db in the working directory (the CLI's --db, the library's openStore). */
export const DEFAULT_LOCATION = 'xorlab.db';

/** The kind of store a --db value names. */
export function storeKind(url: string): 'sqlite' | 'postgres' | 'mongodb' | 'unknown' {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url.trim())?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === 'sqlite' || scheme.length === 1) return 'sqlite'; // a Windows drive letter
  if (scheme === 'postgres' || scheme === 'postgresql') return 'postgres';
  if (scheme === 'mongodb' || scheme === 'mongodb+srv') return 'mongodb';
  return 'unknown';
}

/** Opens the store named by `url`: `path/to/file.db`, `sqlite:path`, `sqlite://path`,
 * `postgres://user:password@host:port/database`, or `mongodb://user:password@host:port/database`. */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (url.trim() === '') throw new StoreError('the database path is empty; pass --db <path or URL>');
  if (/^(postgres|postgresql|mongodb|mongodb\+srv):(?!\/\/)/i.test(url.trim())) {
    throw new StoreError(
      `not a valid database URL: ${redact(url)} (expected postgres://user@host:port/database or mongodb://host:port/database)`,
    );
  }
  const kind = storeKind(url);
  // Their drivers are optional packages (package.json's peerDependencies): a missing one is named with its install command.
  if (kind === 'postgres')
    return (await loadExtra('postgres', () => import('./postgres/open.js'))).openPostgresStore(url, options);
  if (kind === 'mongodb')
    return (await loadExtra('mongodb', () => import('./mongo/open.js'))).openMongoStore(url, options);
  if (kind === 'unknown') {
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1] ?? '';
    throw new StoreError(
      `unknown store URL scheme "${scheme}://" in ${redact(url)}; use a SQLite file path, postgres:// or mongodb://`,
    );
  }
  if (/^sqlite:\/\//i.test(url)) return openSqliteStore(url.slice('sqlite://'.length), options);
  if (/^sqlite:/i.test(url)) return openSqliteStore(url.slice('sqlite:'.length), options);
  return openSqliteStore(url, options);
}
