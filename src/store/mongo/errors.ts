// The MongoDB driver's errors, turned into one line that says what is wrong and what to do (the location is
// already redacted; the driver's own text goes through redact() too).
import { redact } from '../../text/redact.js';
import { StoreError, StoreUnavailableError } from '../types.js';

type MongoLikeError = Error & { code?: number | string; codeName?: string };

export function mongoError(error: unknown, where: string): Error {
  if (error instanceof StoreError) return error;
  const e = error as MongoLikeError;
  const text = redact(String(e?.message ?? error).split('\n')[0]);
  const name = e?.name ?? '';
  if (name === 'MongoParseError' || name === 'MongoInvalidArgumentError' || name === 'MongoAPIError') {
    return new StoreError(`not a valid MongoDB URL: ${where} (${text})`);
  }
  if (e?.code === 18 || /Authentication failed/i.test(text)) {
    return new StoreError(
      `cannot connect to MongoDB at ${where}: authentication failed (check the user and password in the URL, and authSource)`,
    );
  }
  if (e?.code === 13 || e?.codeName === 'Unauthorized')
    return new StoreError(`${where}: ${text} (the user lacks a privilege xorlab needs)`);
  if (
    name === 'MongoServerSelectionError' ||
    name === 'MongoNetworkError' ||
    name === 'MongoNetworkTimeoutError' ||
    name === 'MongoTopologyClosedError'
  ) {
    return new StoreUnavailableError(
      `cannot reach MongoDB at ${where}: ${text} (is the server running, and on that host and port?)`,
    );
  }
  const code = (e as { code?: unknown })?.code;
  if (code === 'ENOTFOUND' || code === 'ENODATA' || code === 'ESERVFAIL')
    return new StoreError(`cannot reach MongoDB at ${where}: unknown host (${text}); check the host name in the URL`);
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code))
    return new StoreUnavailableError(`cannot reach MongoDB at ${where}: ${text}`);
  if (name.startsWith('Mongo')) return new StoreError(`${where}: ${text}`);
  return error instanceof Error ? error : new Error(String(error));
}

export const isDuplicateKey = (error: unknown): boolean => (error as MongoLikeError)?.code === 11000;
