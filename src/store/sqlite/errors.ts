// better-sqlite3's errors, turned into one line that says what is wrong with the database the user pointed at.
import { StoreError } from '../types.js';

export function toStoreError(error: unknown, path: string): Error {
  if (error instanceof StoreError) return error;
  const code = typeof (error as { code?: unknown } | null)?.code === 'string' ? (error as { code: string }).code : '';
  if (!code.startsWith('SQLITE_')) return error instanceof Error ? error : new Error(String(error));
  const message = (error as Error).message;
  if (code === 'SQLITE_NOTADB') {
    return new StoreError(
      `${path} is not an SQLite database (file is not a database); it was left as it is — pass --db with an xorlab database or a new file name`,
    );
  }
  if (code.startsWith('SQLITE_CORRUPT')) {
    return new StoreError(
      `${path} is corrupt (${message}); it was left as it is — restore it from a copy or pass another --db`,
    );
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StoreError(
      `${path} is locked by another process (probably another xorlab sweep, or a program holding it open); try again when it has finished`,
    );
  }
  if (code.startsWith('SQLITE_READONLY'))
    return new StoreError(
      `${path} cannot be written (${message}); check the permissions of the file and its directory`,
    );
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_PERM') || code.startsWith('SQLITE_AUTH')) {
    return new StoreError(`cannot open ${path} (${message}); check that its directory exists and is writable`);
  }
  if (code === 'SQLITE_FULL') return new StoreError(`${path}: the disk is full; the last batch was not stored`);
  if (code.startsWith('SQLITE_IOERR')) return new StoreError(`${path}: input/output error (${message})`);
  return new StoreError(`${path}: ${message}`);
}
