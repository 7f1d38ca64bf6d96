// PostgreSQL's and the network's errors, turned into one line that says what is wrong and what to do. The
// location is already redacted; the driver's own text goes through redact() too (defence in depth).
import { redact } from '../../text/redact.js';
import { StoreError, StoreUnavailableError } from '../types.js';

type PgLikeError = Error & { code?: string; severity?: string; routine?: string };

/** SQLSTATE classes and socket errors after which the same request may succeed later (server restarting,
 * connection lost, deadlock chosen as victim). */
const TRANSIENT_SQLSTATE = /^(08|57P0[1-3]|40001|40P01|53300)/;
const TRANSIENT_SOCKET = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

function firstLine(text: string): string {
  return redact(text.split('\n')[0].trim());
}

/** Whether an error means the server could not be reached or dropped the connection. */
export function isConnectionError(error: unknown): boolean {
  const e = error as PgLikeError | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && (TRANSIENT_SOCKET.has(e.code) || TRANSIENT_SQLSTATE.test(e.code))) return true;
  return /Connection terminated|connection timeout|timeout expired|Client has encountered a connection error|Connection ended|not queryable/i.test(
    e.message ?? '',
  );
}

/** Turns a connection attempt's failure into a StoreError that names the cause. */
export function connectError(error: unknown, where: string): StoreError {
  if (error instanceof StoreError) return error;
  const e = error as PgLikeError;
  const code = e?.code ?? '';
  const text = firstLine(e?.message ?? String(error));
  const lead = `cannot connect to PostgreSQL at ${where}`;
  switch (code) {
    case '28P01':
    case '28000':
      return new StoreError(`${lead}: ${text} (check the user and the password: in the URL, PGPASSWORD or ~/.pgpass)`);
    case '3D000':
      return new StoreError(`${lead}: ${text} (create it first: createdb, or CREATE DATABASE)`);
    case 'ECONNREFUSED':
      return new StoreUnavailableError(
        `${lead}: connection refused (is the server running, and on that host and port?)`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StoreError(
        `${lead}: unknown host${(e as { hostname?: string }).hostname ? ` "${(e as { hostname?: string }).hostname}"` : ''} (check the host name in the URL)`,
      );
    case '57P03':
      return new StoreUnavailableError(`${lead}: the server is starting up or shutting down; try again in a moment`);
    case '53300':
      return new StoreUnavailableError(`${lead}: ${text}`);
    default:
      break;
  }
  if (/timeout/i.test(text))
    return new StoreUnavailableError(
      `${lead}: no answer within the connection timeout (is the host reachable and the port right?)`,
    );
  if (/SSL|certificate/i.test(text)) return new StoreError(`${lead}: ${text} (check sslmode in the URL)`);
  if (isConnectionError(error)) return new StoreUnavailableError(`${lead}: ${text}`);
  return new StoreError(`${lead}: ${text}`);
}

/** Whether PostgreSQL rolled the transaction back as a deadlock victim or a serialization failure: it may simply
 * run again. Looks through a StoreError to the driver's error it wraps. */
export function isRetryableTransaction(error: unknown): boolean {
  const e = error as { code?: unknown; cause?: { code?: unknown } } | null;
  if (!e || typeof e !== 'object') return false;
  const code = e.code ?? e.cause?.code;
  return code === '40P01' || code === '40001';
}

/** Turns an error from a query into a StoreError (StoreUnavailableError when the connection was lost). */
export function queryError(error: unknown, where: string): Error {
  if (error instanceof StoreError) return error;
  const e = error as PgLikeError;
  if (!e || typeof e !== 'object' || !(e instanceof Error)) return new StoreError(`${where}: ${String(error)}`);
  const code = e.code ?? '';
  const text = firstLine(e.message);
  if (isRetryableTransaction(error)) {
    // The cause travels with it: whoever ran the transaction may run it again (and tell it from a lost connection).
    const rolledBack = new StoreUnavailableError(
      `PostgreSQL at ${where} rolled back a transaction that met another (${text}); it can be run again`,
    );
    Object.defineProperty(rolledBack, 'cause', { value: error });
    return rolledBack;
  }
  if (isConnectionError(error))
    return new StoreUnavailableError(`lost the connection to PostgreSQL at ${where}: ${text}`);
  if (code === '25006') return new StoreError(`${where} was opened for reading only`);
  if (code === '42501')
    return new StoreError(`${where}: ${text} (the user lacks a privilege xorlab needs; grant it, or use another user)`);
  if (code === '53100')
    return new StoreError(`${where}: the server's disk is full (${text}); the last batch was not stored`);
  if (code.length === 5) return new StoreError(`${where}: ${text}`);
  return e;
}
