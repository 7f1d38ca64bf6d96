// Opening the shared store: PostgreSQL (node-postgres), for studies that several processes or machines write at
// once. The connection settings, the pool, the schema checks (./schema.ts), and PostgresStore: the shared store
// (../core/store.ts) over ./driver.ts, plus what the distributed queue needs (the pool, a transaction of its own
// that a chunk's rows can join).
//
// For the distributed queue: insertTrials(rows, { client }) runs inside a transaction the caller opened on its own
// client (READ COMMITTED, the default), so a chunk's rows and the completion of its pg-boss job commit together:
//   await store.withTransaction(async (client) => {
//     await store.insertTrials(rows, { client });              // first: takes the block locks
//     await client.query('... complete the job ...');          // then the job, on the same client
//   });
import { createRequire } from 'node:module';
import pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import { redact, registerSecret } from '../../text/redact.js';
import { BlockStore } from '../core/store.js';
import { StoreError, type OpenStoreOptions, type TrialRow } from '../types.js';
import { PostgresDriver } from './driver.js';
import { connectError, queryError } from './errors.js';
import { prepareSchema } from './schema.js';

/** How long to wait for a connection (ms) before reporting the server unreachable. */
const PG_CONNECT_TIMEOUT_MS = 5000;

interface PostgresStoreOptions extends OpenStoreOptions {
  /** Connections the store may hold at once (default 4). */
  poolSize?: number;
  /** Connection timeout in ms (default PG_CONNECT_TIMEOUT_MS, or the URL's connect_timeout). */
  connectTimeoutMs?: number;
}

interface InsertOptions {
  /** A client inside a transaction the caller opened (and will commit): the rows and their blocks are written
   * there, with no BEGIN/COMMIT of the store's own. It must be READ COMMITTED (the default) so that each of the
   * store's statements sees what the previous holder of a block's lock committed. */
  client?: pg.ClientBase;
}

type PgPass = (connInfo: Record<string, unknown>, cb: (password: string | undefined) => void) => void;

/** ~/.pgpass (or PGPASSFILE), read the way libpq does, for a URL without a password when PGPASSWORD is unset. */
function pgpassLookup(params: Record<string, unknown>): Promise<string | undefined> {
  const pgpass = createRequire(import.meta.url)('pgpass') as PgPass;
  return new Promise((resolve) => pgpass(params, resolve));
}

/** The pool configuration for `url`: timeouts, keep-alive, the password from the URL, PGPASSWORD or ~/.pgpass. */
function postgresConfig(url: string, options: PostgresStoreOptions = {}): pg.PoolConfig {
  let parsed: Record<string, unknown>;
  try {
    parsed = parseIntoClientConfig(url) as Record<string, unknown>;
  } catch {
    throw new StoreError(
      `not a valid PostgreSQL URL: ${redact(url)} (expected postgres://user@host:port/database, the password in PGPASSWORD or after user:)`,
    );
  }
  if (typeof parsed.password === 'string' && parsed.password !== '') registerSecret(parsed.password);
  else if (process.env.PGPASSWORD)
    delete parsed.password; // pg reads PGPASSWORD itself
  else {
    delete parsed.password;
    // A function: pg's own ~/.pgpass fallback prints a deprecation warning.
    (parsed as { password?: unknown }).password = async (params: Record<string, unknown>) => pgpassLookup(params);
  }
  registerSecret(process.env.PGPASSWORD);
  const urlTimeout = Number(parsed.connect_timeout);
  const connectionTimeoutMillis =
    options.connectTimeoutMs ?? (urlTimeout > 0 ? urlTimeout * 1000 : PG_CONNECT_TIMEOUT_MS);
  const readonlyOption = options.readonly ? '-c default_transaction_read_only=on' : undefined;
  return {
    ...parsed,
    max: options.poolSize ?? 4,
    connectionTimeoutMillis,
    idleTimeoutMillis: 10_000,
    keepAlive: true,
    allowExitOnIdle: true,
    application_name: typeof parsed.application_name === 'string' ? parsed.application_name : 'xorlab',
    options: [parsed.options, readonlyOption].filter(Boolean).join(' ') || undefined,
  };
}

/** A pool whose clients never crash the process: a server restart or a dropped connection emits 'error' on idle
 * and checked-out clients alike, and an 'error' event without a listener throws. The failed query rejects anyway. */
function createPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config);
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return pool;
}

export class PostgresStore extends BlockStore<number> {
  private readonly pg: PostgresDriver;

  constructor(
    readonly pool: pg.Pool,
    location: string,
    readonly: boolean,
  ) {
    const driver = new PostgresDriver(pool, location);
    super(driver, readonly);
    this.pg = driver;
  }

  /** Runs `work` in one transaction on one client of the pool: BEGIN, work, COMMIT; ROLLBACK when it throws.
   * A client whose connection broke is discarded, not returned to the pool. A deadlock victim runs again. */
  withTransaction<R>(work: (client: pg.PoolClient) => Promise<R>): Promise<R> {
    return this.pg.withTransaction(work);
  }

  /** Inserts rows in one transaction (or in the caller's, with `client`); an existing (study, point, repeat) is
   * left as it is. Returns the number of rows inserted. */
  override async insertTrials(rows: readonly TrialRow[], options: InsertOptions = {}): Promise<number> {
    const client = options.client;
    if (!client) return super.insertTrials(rows);
    this.requireWritable();
    if (rows.length === 0) return 0;
    // The caller's transaction may still roll back: nothing is remembered as stored.
    return this.guarded(async () => this.pg.insertInto(client, await this.prepareBatch(rows)));
  }
}

/** Opens an xorlab store in a PostgreSQL database. For writing, the schema `xorlab` is created when the database
 * has none; for reading, nothing is ever created or written. Every problem is a StoreError with the password
 * masked; a server that cannot be reached is reported within the connection timeout. */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
  const location = redact(url);
  const readonly = options.readonly ?? false;
  const pool = createPool(postgresConfig(url, options));
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw connectError(error, location);
  }
  try {
    await prepareSchema(client, location, readonly);
    client.release();
  } catch (error) {
    client.release(true);
    await pool.end().catch(() => undefined);
    throw queryError(error, location);
  }
  return new PostgresStore(pool, location, readonly);
}
