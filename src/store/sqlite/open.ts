// Opening an SQLite file: what is at the path, a connection that writes nothing when reading, the schema checks
// (./schema.ts), and closing connections left open at exit. The store over it: ./driver.ts and ../core/store.ts.
import Database from 'better-sqlite3';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BlockStore } from '../core/store.js';
import { MissingDatabaseError, StoreError, type OpenStoreOptions, type Store } from '../types.js';
import { SqliteDriver } from './driver.js';
import { toStoreError } from './errors.js';
import { prepareDatabase } from './schema.js';

/** How long to wait for another connection's lock before reporting it (ms): long enough to ride out another
 * writer's batch commit, short enough that a stuck lock is reported at once. */
const BUSY_TIMEOUT_MS = 1000;

/**
 * Connections still open when the process exits (process.exit after Ctrl-C, a closed pipe, an error) are closed
 * then: a connection that is never closed leaves its -wal and -shm files behind, and only the last connection to
 * close checkpoints the log into the database.
 */
const OPEN_CONNECTIONS = new Set<Database.Database>();
let exitHookInstalled = false;

function track(db: Database.Database): void {
  OPEN_CONNECTIONS.add(db);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const connection of OPEN_CONNECTIONS) if (connection.open) connection.close();
    OPEN_CONNECTIONS.clear();
  });
}

/** What is at a path, for the one-line refusal of anything that is not a regular file (a FIFO would block the
 * open forever; a directory or a device is no database). */
function fileKind(path: string): 'missing' | 'file' | 'directory' | 'named pipe (FIFO)' | 'device' | 'socket' {
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw new StoreError(`cannot open ${path} (${(error as Error).message})`);
  }
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'directory';
  if (stats.isFIFO()) return 'named pipe (FIFO)';
  if (stats.isSocket()) return 'socket';
  return 'device';
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * A connection for reading that leaves no -wal or -shm file behind where there was none, and works where nothing
 * can be written (a read-only folder or medium):
 * - a -wal file is there (a writer is at work, or one was killed): a read-only connection, which reads the log
 *   through the -shm file beside it;
 * - the folder and the file can be written: an ordinary connection told to change nothing (`query_only`); it
 *   creates -wal and -shm to read a WAL database, and as the last connection to close it removes them;
 * - neither: nobody can be writing, so the file is read into memory and opened there (SQLite cannot open a WAL
 *   database in place without creating its -shm file; better-sqlite3 has no `immutable` URI).
 */
function openForReading(absolute: string, path: string): Database.Database {
  const wal = existsSync(`${absolute}-wal`);
  if (wal) {
    let db: Database.Database | null = null;
    try {
      db = new Database(absolute, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
      db.pragma('application_id', { simple: true }); // the log is opened at the first read
      return db;
    } catch (error) {
      db?.close();
      if (!existsSync(`${absolute}-shm`) && !writable(dirname(absolute))) {
        throw new StoreError(
          `cannot read ${path}: it has a write-ahead log (${path}-wal) but no ${path}-shm, and its folder cannot be written; copy the database with its -wal file to a writable folder`,
        );
      }
      throw toStoreError(error, path);
    }
  }
  if (writable(dirname(absolute)) && writable(absolute)) {
    const db = new Database(absolute, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    db.pragma('query_only = ON');
    return db;
  }
  const image = readFileSync(absolute);
  if (image.length > 0 && !image.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) {
    const notADatabase = Object.assign(new Error('file is not a database'), { code: 'SQLITE_NOTADB' });
    throw toStoreError(notADatabase, path);
  }
  // Bytes 18-19 of the header say WAL (2) or rollback journal (1); an in-memory database has no WAL.
  if (image.length >= 20 && image[18] === 2 && image[19] === 2) image[18] = image[19] = 1;
  return new Database(image, { readonly: true });
}

/** Opens an xorlab SQLite database: for writing (the default) it is created when missing; for reading it must
 * exist and is never written. Every problem is a StoreError. */
export function openSqliteStore(path: string, options: OpenStoreOptions = {}): Store {
  const readonly = options.readonly ?? false;
  const absolute = resolve(path);
  const kind = fileKind(absolute);
  if (kind === 'directory') throw new StoreError(`${path} is a directory, not a database file`);
  if (kind !== 'file' && kind !== 'missing')
    throw new StoreError(`${path} is a ${kind}, not a database file; pass --db with a regular file`);
  if (readonly && kind === 'missing')
    throw new MissingDatabaseError(`no database at ${path} (run xorlab sweep first, or pass --db <path>)`);
  if (!readonly && kind === 'missing' && !existsSync(dirname(absolute))) {
    throw new StoreError(`cannot create ${path}: directory ${dirname(absolute)} does not exist`);
  }
  let db: Database.Database;
  try {
    db = readonly ? openForReading(absolute, path) : new Database(absolute, { timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw toStoreError(error, path);
  }
  track(db);
  try {
    const version = prepareDatabase(db, path, readonly);
    return new BlockStore(new SqliteDriver(db, path, version, () => OPEN_CONNECTIONS.delete(db)), readonly);
  } catch (error) {
    db.close();
    OPEN_CONNECTIONS.delete(db);
    throw toStoreError(error, path);
  }
}
