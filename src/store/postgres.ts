// The shared store: PostgreSQL (node-postgres), for studies that several processes or machines write at once.
// Same tables and guarantees as SQLite (./postgres-schema.ts): unique (study, point, repeat), per-block aggregates
// recomputed in the same transaction as the trials from the block's rows in repeat order by ./moments.ts, so a
// summary gives the same bits as SQLite for the same trials, whoever wrote them and in whatever chunks.
//
// Concurrency: a chunk's transaction first takes pg_advisory_xact_lock(study, block key) for every block it
// touches, in sorted order (no deadlock between writers), then reads what it needs in new statements (READ
// COMMITTED: each statement sees what the previous lock holder committed), inserts, and rewrites the blocks. Two
// writers on the same block are serialised; on different blocks they run in parallel. New points are inserted in
// point order, and new engines outside the transaction, so writers never wait on each other's rows in a cycle.
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
import type { EngineName, Precision } from '../config/parameters.js';
import { redact, registerSecret } from '../text/redact.js';
import { describeDifference } from './definition-diff.js';
import { readDefinition, readParams } from './stored-json.js';
import { BLOCK_REPEATS, blockMoments, blockOf, emptyMoments, mergeMoments, toPointSummary, type BlockRow, type Moments } from './moments.js';
import { connectError, isConnectionError, isRetryableTransaction, queryError } from './postgres-errors.js';
import { PG_SCHEMA, prepareSchema } from './postgres-schema.js';
import { METRIC_COLUMNS, METRIC_NAMES, StoreError, type MetricName, type OpenStoreOptions, type ParamValue, type PointSummary, type PointValues, type Store, type StudyRecord, type TrialRow } from './types.js';

/** How long to wait for a connection (ms) before reporting the server unreachable. */
export const PG_CONNECT_TIMEOUT_MS = 5000;
/** Rows per page read by iterateTrials. */
const ITERATE_PAGE = 10_000;
const T = `${PG_SCHEMA}.`;

export interface PostgresStoreOptions extends OpenStoreOptions {
  /** Connections the store may hold at once (default 4). */
  poolSize?: number;
  /** Connection timeout in ms (default PG_CONNECT_TIMEOUT_MS, or the URL's connect_timeout). */
  connectTimeoutMs?: number;
}

export interface InsertOptions {
  /** A client inside a transaction the caller opened (and will commit): the rows and their blocks are written
   * there, with no BEGIN/COMMIT of the store's own. It must be READ COMMITTED (the default) so that each of the
   * store's statements sees what the previous holder of a block's lock committed. */
  client?: pg.ClientBase;
}

/** The rows of one batch that fall in one block of one point. */
interface BlockBatch {
  studyId: number;
  point: number;
  block: number;
  params: Record<string, ParamValue>;
  rows: TrialRow[];
  /** Each row's index in the batch. */
  indices: number[];
}

interface PreparedBatch {
  rows: readonly TrialRow[];
  studyIds: number[];
  engineIds: number[];
  /** Sorted by (study, point, block). */
  blocks: BlockBatch[];
  /** Points not yet known to be stored: [studyId, point, params JSON], sorted. */
  newPoints: [number, number, string][];
}

type PgPass = (connInfo: Record<string, unknown>, cb: (password: string | undefined) => void) => void;

/** ~/.pgpass (or PGPASSFILE), read the way libpq does, for a URL without a password when PGPASSWORD is unset. */
function pgpassLookup(params: Record<string, unknown>): Promise<string | undefined> {
  const pgpass = createRequire(import.meta.url)('pgpass') as PgPass;
  return new Promise((resolve) => pgpass(params, resolve));
}

/** The pool configuration for `url`: timeouts, keep-alive, the password from the URL, PGPASSWORD or ~/.pgpass. */
export function postgresConfig(url: string, options: PostgresStoreOptions = {}): pg.PoolConfig {
  let parsed: Record<string, unknown>;
  try {
    parsed = parseIntoClientConfig(url) as Record<string, unknown>;
  } catch {
    throw new StoreError(`not a valid PostgreSQL URL: ${redact(url)} (expected postgres://user@host:port/database, the password in PGPASSWORD or after user:)`);
  }
  if (typeof parsed.password === 'string' && parsed.password !== '') registerSecret(parsed.password);
  else if (process.env.PGPASSWORD) delete parsed.password; // pg reads PGPASSWORD itself
  else {
    delete parsed.password;
    // A function: pg's own ~/.pgpass fallback prints a deprecation warning.
    (parsed as { password?: unknown }).password = async (params: Record<string, unknown>) => pgpassLookup(params);
  }
  registerSecret(process.env.PGPASSWORD);
  const urlTimeout = Number(parsed.connect_timeout);
  const connectionTimeoutMillis = options.connectTimeoutMs ?? (urlTimeout > 0 ? urlTimeout * 1000 : PG_CONNECT_TIMEOUT_MS);
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
export function createPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config);
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return pool;
}

const toNumber = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const toNullableNumber = (v: unknown): number | null => (v === null ? null : toNumber(v));

/** Attempts of a transaction that PostgreSQL rolls back as a deadlock victim or a serialization failure. */
const TRANSACTION_ATTEMPTS = 5;

export class PostgresStore implements Store {
  private readonly studyIds = new Map<string, number>();
  private readonly engineIds = new Map<string, number>();
  private readonly engineNames = new Map<number, { engine: EngineName; precision: Precision }>();
  /** Points known to have their row in `points` (per study id). */
  private readonly knownPoints = new Map<number, Set<number>>();
  private closed = false;

  constructor(
    readonly pool: pg.Pool,
    readonly location: string,
    private readonly readonly: boolean,
  ) {}

  private async q<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, values: unknown[] = [], client?: pg.ClientBase): Promise<pg.QueryResult<R>> {
    try {
      return await (client ?? this.pool).query<R>(text, values);
    } catch (error) {
      throw queryError(error, this.location);
    }
  }

  private async rowsArray(text: string, values: unknown[] = [], client?: pg.ClientBase): Promise<unknown[][]> {
    try {
      return (await (client ?? this.pool).query<unknown[]>({ text, values, rowMode: 'array' })).rows;
    } catch (error) {
      throw queryError(error, this.location);
    }
  }

  private requireWritable(): void {
    if (this.readonly) throw new StoreError(`${this.location} was opened for reading only`);
    if (this.closed) throw new StoreError(`${this.location}: the store is closed`);
  }

  /** Runs `work` in one transaction on one client of the pool: BEGIN, work, COMMIT; ROLLBACK when it throws.
   * A client whose connection broke is discarded, not returned to the pool. */
  async withTransaction<R>(work: (client: pg.PoolClient) => Promise<R>): Promise<R> {
    // A deadlock victim or a serialization failure is rolled back by the server and may simply run again: every
    // transaction here is idempotent (rows ON CONFLICT DO NOTHING, blocks recomputed from their rows, a job
    // completed once). A few attempts, then the error goes to the caller like any other.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.transactionOnce(work);
      } catch (error) {
        if (!isRetryableTransaction(error) || attempt >= TRANSACTION_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt * (1 + Math.random())));
      }
    }
  }

  private async transactionOnce<R>(work: (client: pg.PoolClient) => Promise<R>): Promise<R> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw connectError(error, this.location);
    }
    let broken: unknown = undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      if (isConnectionError(error) && !isRetryableTransaction(error)) broken = error;
      else await client.query('ROLLBACK').catch((e: unknown) => (broken = e));
      throw queryError(error, this.location);
    } finally {
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  private async studyId(name: string): Promise<number | null> {
    const cached = this.studyIds.get(name);
    if (cached !== undefined) return cached;
    const { rows } = await this.q<{ id: number }>(`SELECT id FROM ${T}studies WHERE name = $1`, [name]);
    if (rows.length === 0) return null;
    this.studyIds.set(name, rows[0].id);
    return rows[0].id;
  }

  private async requireStudy(name: string): Promise<number> {
    const id = await this.studyId(name);
    if (id !== null) return id;
    const { rows } = await this.q<{ name: string }>(`SELECT name FROM ${T}studies ORDER BY name LIMIT 11`);
    const names = rows.map((r) => r.name);
    const known = names.length ? `studies here: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', ...' : ''}` : 'it holds no studies yet';
    throw new StoreError(`unknown study "${name}" in ${this.location} (${known})`);
  }

  /** An engine's id, created outside any transaction (autocommit): a new engine row made inside concurrent chunk
   * transactions could make them wait on each other in a cycle. */
  private async engineId(engine: string, precision: string): Promise<number> {
    const key = `${engine}\u0000${precision}`;
    const cached = this.engineIds.get(key);
    if (cached !== undefined) return cached;
    await this.q(`INSERT INTO ${T}engines (engine, precision) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [engine, precision]);
    const { rows } = await this.q<{ id: number }>(`SELECT id FROM ${T}engines WHERE engine = $1 AND precision = $2`, [engine, precision]);
    this.engineIds.set(key, rows[0].id);
    return rows[0].id;
  }

  async ensureStudy(name: string, definition: unknown): Promise<'created' | 'exists'> {
    this.requireWritable();
    const text = JSON.stringify(definition ?? null);
    const inserted = await this.q<{ id: number }>(
      `INSERT INTO ${T}studies (name, definition, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING RETURNING id`,
      [name, text, new Date()],
    );
    if (inserted.rows.length === 1) {
      this.studyIds.set(name, inserted.rows[0].id);
      return 'created';
    }
    const { rows } = await this.q<{ id: number; definition: string }>(`SELECT id, definition FROM ${T}studies WHERE name = $1`, [name]);
    if (rows[0].definition !== text) {
      throw new StoreError(`study "${name}" already exists in ${this.location} with a different definition (${describeDifference(rows[0].definition, text)}); use another study name or --db`);
    }
    this.studyIds.set(name, rows[0].id);
    return 'exists';
  }

  private static readonly STUDY_COLUMNS = `s.id, s.name, s.definition, s.created_at, coalesce(b.points, 0) AS points, coalesce(b.trials, 0) AS trials
    FROM ${T}studies s LEFT JOIN (SELECT study_id, count(DISTINCT point) AS points, sum(trials) AS trials FROM ${T}blocks GROUP BY study_id) b ON b.study_id = s.id`;

  private static studyRecord(row: Record<string, unknown>): StudyRecord {
    return {
      name: row.name as string,
      ...readDefinition(row.definition),
      createdAt: (row.created_at as Date).toISOString(),
      trialCount: toNumber(row.trials),
      pointCount: toNumber(row.points),
    };
  }

  async getStudy(name: string): Promise<StudyRecord | null> {
    const { rows } = await this.q(`SELECT ${PostgresStore.STUDY_COLUMNS} WHERE s.name = $1`, [name]);
    return rows.length ? PostgresStore.studyRecord(rows[0]) : null;
  }

  async listStudies(): Promise<StudyRecord[]> {
    const { rows } = await this.q(`SELECT ${PostgresStore.STUDY_COLUMNS} ORDER BY s.created_at, s.id`);
    return rows.map((row) => PostgresStore.studyRecord(row));
  }

  private async paramsById(studyId: number): Promise<Map<number, Record<string, ParamValue>>> {
    const rows = await this.rowsArray(`SELECT point, params FROM ${T}points WHERE study_id = $1 ORDER BY point`, [studyId]);
    return new Map(rows.map(([point, params]) => [point as number, readParams(point as number, params)]));
  }

  async storedRepeats(study: string): Promise<Map<number, Int32Array>> {
    const id = await this.requireStudy(study);
    const result = new Map<number, Int32Array>();
    const points = await this.rowsArray(`SELECT point, sum(trials), max(max_repeat) FROM ${T}blocks WHERE study_id = $1 GROUP BY point ORDER BY point`, [id]);
    const gappy: number[] = [];
    for (const [p, c, m] of points) {
      const point = p as number;
      const count = toNumber(c);
      if (count === toNumber(m) + 1) {
        // count distinct non-negative repeats whose largest is count - 1: exactly 0..count-1, no need to read them.
        const repeats = new Int32Array(count);
        for (let i = 0; i < count; i++) repeats[i] = i;
        result.set(point, repeats);
      } else {
        gappy.push(point);
        result.set(point, new Int32Array(0));
      }
    }
    if (gappy.length) {
      const rows = await this.rowsArray(
        `SELECT point, array_agg(repeat ORDER BY repeat) FROM ${T}trials WHERE study_id = $1 AND point = ANY($2::int4[]) GROUP BY point`,
        [id, gappy],
      );
      for (const [point, repeats] of rows) result.set(point as number, Int32Array.from(repeats as number[]));
    }
    return result;
  }

  /** Each point's stored repeats as sorted disjoint runs [s0, e0, s1, e1, ...] (the storedRuns of the store API on
   * the queue branch): a point without gaps is one run read from its aggregates; the others' runs are found in SQL
   * (gaps and islands: repeat - row_number() is constant along a run), all in one query. */
  async storedRuns(study: string): Promise<Map<number, Int32Array>> {
    const id = await this.requireStudy(study);
    const result = new Map<number, Int32Array>();
    const points = await this.rowsArray(`SELECT point, sum(trials), max(max_repeat) FROM ${T}blocks WHERE study_id = $1 GROUP BY point ORDER BY point`, [id]);
    const gappy: number[] = [];
    for (const [p, c, m] of points) {
      const count = toNumber(c);
      if (count === toNumber(m) + 1) result.set(p as number, Int32Array.of(0, count));
      else gappy.push(p as number);
    }
    if (gappy.length) {
      const runs = new Map<number, number[]>();
      const rows = await this.rowsArray(
        `SELECT point, min(repeat), max(repeat) + 1 FROM (
           SELECT point, repeat, repeat - row_number() OVER (PARTITION BY point ORDER BY repeat) AS island
             FROM ${T}trials WHERE study_id = $1 AND point = ANY($2::int4[])) t
          GROUP BY point, island ORDER BY point, 2`,
        [id, gappy],
      );
      for (const [p, start, end] of rows) {
        let list = runs.get(p as number);
        if (!list) runs.set(p as number, (list = []));
        list.push(start as number, end as number);
      }
      for (const [p, list] of runs) result.set(p, Int32Array.from(list));
    }
    return new Map([...result].sort((a, b) => a[0] - b[0]));
  }

  /** Validates the rows, resolves study and engine ids (outside any transaction) and groups the rows by block. */
  private async prepare(rows: readonly TrialRow[]): Promise<PreparedBatch> {
    const studyIds = new Array<number>(rows.length);
    const engineIds = new Array<number>(rows.length);
    const byBlock = new Map<string, BlockBatch>();
    let lastStudy: string | null = null;
    let studyId = -1;
    let lastEngine = '';
    let lastPrecision = '';
    let engineId = -1;
    let current: BlockBatch | null = null;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (!isIndex(row.point) || !isIndex(row.repeat)) {
        throw new StoreError(`trial point and repeat must be integers >= 0, got point ${row.point}, repeat ${row.repeat}`);
      }
      if (row.study !== lastStudy) {
        studyId = await this.requireStudy(row.study);
        lastStudy = row.study;
        current = null;
      }
      if (row.engine !== lastEngine || row.precision !== lastPrecision) {
        engineId = await this.engineId(row.engine, row.precision);
        lastEngine = row.engine;
        lastPrecision = row.precision;
      }
      studyIds[i] = studyId;
      engineIds[i] = engineId;
      const block = blockOf(row.repeat);
      if (current === null || current.studyId !== studyId || current.point !== row.point || current.block !== block) {
        const key: string = `${studyId}:${row.point}:${block}`;
        current = byBlock.get(key) ?? null;
        if (current === null) {
          current = { studyId, point: row.point, block, params: row.params, rows: [], indices: [] };
          byBlock.set(key, current);
        }
      }
      current.rows.push(row);
      current.indices.push(i);
    }
    const blocks = [...byBlock.values()].sort((a, b) => a.studyId - b.studyId || a.point - b.point || a.block - b.block);
    const newPoints: [number, number, string][] = [];
    for (const b of blocks) {
      const known = this.knownPoints.get(b.studyId);
      const last = newPoints[newPoints.length - 1];
      if (known?.has(b.point) || (last && last[0] === b.studyId && last[1] === b.point)) continue;
      newPoints.push([b.studyId, b.point, JSON.stringify(b.params)]);
    }
    return { rows, studyIds, engineIds, blocks, newPoints };
  }

  /** Inserts rows in one transaction (or in the caller's, with `client`); an existing (study, point, repeat) is
   * left as it is. Returns the number of rows inserted. */
  async insertTrials(rows: readonly TrialRow[], options: InsertOptions = {}): Promise<number> {
    this.requireWritable();
    if (rows.length === 0) return 0;
    const batch = await this.prepare(rows);
    if (options.client) return this.insertBatch(options.client, batch); // the caller's transaction may still roll back
    const inserted = await this.withTransaction((client) => this.insertBatch(client, batch));
    // Committed: these points' rows exist from now on.
    for (const [studyId, point] of batch.newPoints) {
      let known = this.knownPoints.get(studyId);
      if (!known) this.knownPoints.set(studyId, (known = new Set()));
      known.add(point);
    }
    return inserted;
  }

  private async insertBatch(client: pg.ClientBase, batch: PreparedBatch): Promise<number> {
    const { rows, blocks } = batch;
    // 1. The touched blocks' locks, in sorted order (the two-int form: a key space of xorlab's own).
    const locks = [...new Set(blocks.map((b) => `${b.studyId}:${blockLockKey(b.point, b.block)}`))]
      .map((k) => k.split(':').map(Number))
      .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    await this.q(`SELECT count(pg_advisory_xact_lock(k1, k2)) FROM unnest($1::int4[], $2::int4[]) AS t(k1, k2)`, [arrayLiteral(locks.map((l) => l[0])), arrayLiteral(locks.map((l) => l[1]))], client);
    // 2. New points, in point order.
    if (batch.newPoints.length) {
      await this.q(
        `INSERT INTO ${T}points (study_id, point, params) SELECT * FROM unnest($1::int4[], $2::int4[], $3::text[]) ON CONFLICT DO NOTHING`,
        [batch.newPoints.map((p) => p[0]), batch.newPoints.map((p) => p[1]), batch.newPoints.map((p) => p[2])],
        client,
      );
    }
    // 3. Which blocks already hold rows (read after the locks: a new statement sees the previous holder's commit).
    // One index probe per block, in the trials themselves (not the blocks table: right even if that were damaged).
    const blockStudies = blocks.map((b) => b.studyId);
    const blockPoints = blocks.map((b) => b.point);
    const blockIndices = blocks.map((b) => b.block);
    const hasRows = (
      await this.rowsArray(
        `SELECT EXISTS (SELECT 1 FROM ${T}trials t WHERE t.study_id = k.s AND t.point = k.p AND t.repeat >= k.k * ${BLOCK_REPEATS} AND t.repeat < (k.k + 1) * ${BLOCK_REPEATS})
           FROM unnest($1::int4[], $2::int4[], $3::int4[]) WITH ORDINALITY AS k(s, p, k, i) ORDER BY k.i`,
        [arrayLiteral(blockStudies), arrayLiteral(blockPoints), arrayLiteral(blockIndices)],
        client,
      )
    ).map((r) => r[0] as boolean);
    // 4. The rows. A block that holds none gets its rows (the first of any repeat sent twice) with a plain INSERT:
    // under its lock nothing can conflict there, and ON CONFLICT costs ~25% more server time per row (measured).
    // The rows of blocks that hold some go through ON CONFLICT DO NOTHING: stored keys are left as they are.
    const fresh: number[] = [];
    const others: number[] = [];
    const freshRows = new Map<BlockBatch, TrialRow[]>();
    blocks.forEach((b, k) => {
      if (hasRows[k]) {
        others.push(...b.indices);
        return;
      }
      const seen = new Set<number>();
      const kept: TrialRow[] = [];
      b.indices.forEach((i, j) => {
        if (seen.has(b.rows[j].repeat)) return;
        seen.add(b.rows[j].repeat);
        kept.push(b.rows[j]);
        fresh.push(i);
      });
      freshRows.set(b, isSortedByRepeat(kept) ? kept : kept.sort((x, y) => x.repeat - y.repeat));
    });
    const columns = (indices: number[]): string[] => {
      const pick = <V>(f: (i: number) => V): V[] => indices.map(f);
      return [
        pick((i) => batch.studyIds[i]), pick((i) => rows[i].point), pick((i) => rows[i].repeat), pick((i) => rows[i].seed),
        pick((i) => rows[i].totalLoss), pick((i) => rows[i].finalLoss), pick((i) => rows[i].success), pick((i) => rows[i].epochsToThreshold),
        pick((i) => rows[i].diverged), pick((i) => batch.engineIds[i]),
      ].map(arrayLiteral);
    };
    const insert = `INSERT INTO ${T}trials (study_id, point, repeat, seed, total_loss, final_loss, success, epochs_to_threshold, diverged, engine_id)
       SELECT * FROM unnest($1::int4[], $2::int4[], $3::int4[], $4::int8[], $5::float8[], $6::float8[], $7::bool[], $8::int4[], $9::bool[], $10::int2[])`;
    let inserted = 0;
    if (fresh.length) inserted += (await this.q(insert, columns(fresh), client)).rowCount ?? 0;
    if (others.length) inserted += (await this.q(`${insert} ON CONFLICT DO NOTHING`, columns(others), client)).rowCount ?? 0;
    // 5. Each touched block's moments from all of its rows in repeat order: a fresh block's are the rows just
    // inserted; the others are read back.
    const reread = blocks.filter((_, k) => hasRows[k]);
    const stored = new Map<string, BlockRow[]>();
    if (reread.length) {
      const back = await this.rowsArray(
        `SELECT t.study_id, t.point, t.repeat, t.total_loss, t.final_loss, t.success, t.diverged, t.epochs_to_threshold
           FROM ${T}trials t JOIN unnest($1::int4[], $2::int4[], $3::int4[]) AS k(s, p, k)
             ON t.study_id = k.s AND t.point = k.p AND t.repeat >= k.k * ${BLOCK_REPEATS} AND t.repeat < (k.k + 1) * ${BLOCK_REPEATS}
          ORDER BY t.study_id, t.point, t.repeat`,
        [reread.map((b) => b.studyId), reread.map((b) => b.point), reread.map((b) => b.block)].map(arrayLiteral),
        client,
      );
      for (const [s, p, repeat, totalLoss, finalLoss, success, diverged, ett] of back) {
        const key = `${String(s)}:${String(p)}:${blockOf(repeat as number)}`;
        let list = stored.get(key);
        if (!list) stored.set(key, (list = []));
        list.push({
          repeat: repeat as number,
          totalLoss: totalLoss as number | null,
          finalLoss: finalLoss as number | null,
          success: success as boolean,
          diverged: diverged as boolean,
          epochsToThreshold: ett as number | null,
        });
      }
    }
    const m: Moments[] = blocks.map((b) => blockMoments(freshRows.get(b) ?? stored.get(`${b.studyId}:${b.point}:${b.block}`) ?? []));
    // 6. The blocks, rewritten.
    await this.q(
      `INSERT INTO ${T}blocks (study_id, point, block, trials, loss_count, loss_mean, loss_m2, final_count, final_mean, final_m2, successes, diverged,
                               ett_count, ett_sum, ett_m2, max_repeat)
       SELECT * FROM unnest($1::int4[], $2::int4[], $3::int4[], $4::int4[], $5::int4[], $6::float8[], $7::float8[], $8::int4[], $9::float8[], $10::float8[],
                            $11::int4[], $12::int4[], $13::int4[], $14::int8[], $15::float8[], $16::int4[])
       ON CONFLICT (study_id, point, block) DO UPDATE SET trials = EXCLUDED.trials, loss_count = EXCLUDED.loss_count, loss_mean = EXCLUDED.loss_mean,
         loss_m2 = EXCLUDED.loss_m2, final_count = EXCLUDED.final_count, final_mean = EXCLUDED.final_mean, final_m2 = EXCLUDED.final_m2,
         successes = EXCLUDED.successes, diverged = EXCLUDED.diverged, ett_count = EXCLUDED.ett_count, ett_sum = EXCLUDED.ett_sum,
         ett_m2 = EXCLUDED.ett_m2, max_repeat = EXCLUDED.max_repeat`,
      [
        blockStudies, blockPoints, blockIndices,
        m.map((x) => x.count), m.map((x) => x.n), m.map((x) => x.mean), m.map((x) => x.m2),
        m.map((x) => x.finalN), m.map((x) => x.finalMean), m.map((x) => x.finalM2), m.map((x) => x.successes),
        m.map((x) => x.diverged), m.map((x) => x.ettN), m.map((x) => x.ettSum), m.map((x) => x.ettM2), m.map((x) => x.maxRepeat),
      ].map(arrayLiteral),
      client,
    );
    return inserted;
  }

  async summarize(study: string): Promise<PointSummary[]> {
    const id = await this.requireStudy(study);
    const params = await this.paramsById(id);
    const rows = await this.rowsArray(
      `SELECT point, trials, loss_count, loss_mean, loss_m2, final_count, final_mean, final_m2, successes, diverged, ett_count, ett_sum, ett_m2, max_repeat
         FROM ${T}blocks WHERE study_id = $1 ORDER BY point, block`,
      [id],
    );
    const result: PointSummary[] = [];
    let point = -1;
    let moments = emptyMoments();
    const finish = (): void => {
      if (point >= 0) result.push(toPointSummary(point, params.get(point) ?? {}, moments));
    };
    for (const [p, count, n, mean, m2, finalN, finalMean, finalM2, successes, diverged, ettN, ettSum, ettM2, maxRepeat] of rows) {
      if (p !== point) {
        finish();
        point = p as number;
        moments = emptyMoments();
      }
      moments = mergeMoments(moments, {
        count: count as number,
        n: n as number,
        mean: mean as number,
        m2: m2 as number,
        finalN: finalN as number,
        finalMean: finalMean as number,
        finalM2: finalM2 as number,
        successes: successes as number,
        diverged: diverged as number,
        ettN: ettN as number,
        ettSum: toNumber(ettSum),
        ettM2: ettM2 as number,
        maxRepeat: maxRepeat as number,
      });
    }
    finish();
    return result;
  }

  async recomputeSummary(study: string): Promise<PointSummary[]> {
    const id = await this.requireStudy(study);
    const params = await this.paramsById(id);
    // avg and var_pop of float8 use the Youngs-Cramer update in PostgreSQL (no sum-of-squares cancellation).
    const rows = await this.rowsArray(
      `SELECT point, count(*), count(total_loss), avg(total_loss), var_pop(total_loss), count(final_loss), avg(final_loss), var_pop(final_loss),
              count(*) FILTER (WHERE success), count(*) FILTER (WHERE diverged), count(epochs_to_threshold), coalesce(sum(epochs_to_threshold), 0),
              var_pop(epochs_to_threshold::float8), max(repeat)
         FROM ${T}trials WHERE study_id = $1 GROUP BY point ORDER BY point`,
      [id],
    );
    return rows.map(([p, count, n, mean, varPop, fn, fMean, fVarPop, successes, diverged, ettN, ettSum, ettVarPop, maxRepeat]) => {
      const lossCount = toNumber(n);
      const finalCount = toNumber(fn);
      const reached = toNumber(ettN);
      const moments: Moments = {
        count: toNumber(count),
        n: lossCount,
        mean: lossCount > 0 ? (mean as number) : 0,
        m2: lossCount > 0 ? Math.max(0, (varPop as number) * lossCount) : 0,
        finalN: finalCount,
        finalMean: finalCount > 0 ? (fMean as number) : 0,
        finalM2: finalCount > 0 ? Math.max(0, (fVarPop as number) * finalCount) : 0,
        successes: toNumber(successes),
        diverged: toNumber(diverged),
        ettN: reached,
        ettSum: toNumber(ettSum),
        ettM2: reached > 0 ? Math.max(0, (ettVarPop as number) * reached) : 0,
        maxRepeat: maxRepeat as number,
      };
      return toPointSummary(p as number, params.get(p as number) ?? {}, moments);
    });
  }

  async metricValues(study: string, metric: MetricName, options: { point?: number } = {}): Promise<Map<number, PointValues>> {
    if (!METRIC_NAMES.includes(metric)) throw new StoreError(`unknown metric "${String(metric)}"; metrics: ${METRIC_NAMES.join(', ')}`);
    const id = await this.requireStudy(study);
    const column = METRIC_COLUMNS[metric];
    // Point by point (each a range of the primary key): memory stays O(one point's trials) beyond the result.
    const points =
      options.point !== undefined
        ? [options.point]
        : (await this.rowsArray(`SELECT DISTINCT point FROM ${T}blocks WHERE study_id = $1 ORDER BY point`, [id])).map((r) => r[0] as number);
    const result = new Map<number, PointValues>();
    for (const point of points) {
      const rows = await this.rowsArray(`SELECT repeat, ${column} FROM ${T}trials WHERE study_id = $1 AND point = $2 ORDER BY repeat`, [id, point]);
      if (rows.length === 0) continue;
      const repeats = new Int32Array(rows.length);
      const values = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        repeats[i] = rows[i][0] as number;
        const v = rows[i][1];
        values[i] = v === null ? NaN : typeof v === 'boolean' ? (v ? 1 : 0) : (v as number);
      }
      result.set(point, { repeats, values });
    }
    return result;
  }

  async *iterateTrials(study: string): AsyncGenerator<TrialRow> {
    const id = await this.requireStudy(study);
    const params = await this.paramsById(id);
    for (const [eid, engine, precision] of await this.rowsArray(`SELECT id, engine, precision FROM ${T}engines`)) {
      this.engineNames.set(eid as number, { engine: engine as EngineName, precision: precision as Precision });
    }
    // Keyset pages: the connection is free between pages, so an abandoned iteration holds nothing.
    let afterPoint = -1;
    let afterRepeat = -1;
    while (true) {
      const rows = await this.rowsArray(
        `SELECT point, repeat, seed, total_loss, final_loss, success, epochs_to_threshold, diverged, engine_id
           FROM ${T}trials WHERE study_id = $1 AND (point, repeat) > ($2, $3) ORDER BY point, repeat LIMIT ${ITERATE_PAGE}`,
        [id, afterPoint, afterRepeat],
      );
      for (const r of rows) {
        const engine = this.engineNames.get(r[8] as number);
        if (!engine) throw new StoreError(`${this.location} is damaged: a trial of study "${study}" names engine id ${String(r[8])}, which is not in its engines table`);
        yield {
          study,
          point: r[0] as number,
          repeat: r[1] as number,
          params: params.get(r[0] as number) ?? {},
          seed: toNumber(r[2]),
          totalLoss: toNullableNumber(r[3]),
          finalLoss: toNullableNumber(r[4]),
          success: r[5] as boolean,
          epochsToThreshold: r[6] as number | null,
          diverged: r[7] as boolean,
          engine: engine.engine,
          precision: engine.precision,
        };
      }
      if (rows.length < ITERATE_PAGE) return;
      const last = rows[rows.length - 1];
      afterPoint = last[0] as number;
      afterRepeat = last[1] as number;
    }
  }

  async reserveRepeats(study: string, counts: ReadonlyMap<number, number>): Promise<Map<number, number>> {
    this.requireWritable();
    const wanted = [...counts].filter(([point, count]) => {
      if (!isIndex(point) || !isIndex(count)) throw new StoreError(`reserveRepeats: point and count must be integers >= 0, got point ${point}, count ${count}`);
      return count > 0;
    });
    const id = await this.requireStudy(study);
    return this.withTransaction(async (client) => {
      // The study's row, locked: reservations of one study are made one at a time, by any process.
      await client.query(`SELECT id FROM ${T}studies WHERE id = $1 FOR UPDATE`, [id]);
      const stored = new Map((await client.query<{ point: number; m: number }>(`SELECT point, max(max_repeat) AS m FROM ${T}blocks WHERE study_id = $1 GROUP BY point`, [id])).rows.map((r) => [r.point, r.m]));
      const reserved = new Map((await client.query<{ point: number; n: number }>(`SELECT point, next_repeat AS n FROM ${T}reservations WHERE study_id = $1`, [id])).rows.map((r) => [r.point, r.n]));
      const firsts = new Map<number, number>();
      for (const [point] of wanted) firsts.set(point, Math.max((stored.get(point) ?? -1) + 1, reserved.get(point) ?? 0));
      if (wanted.length > 0) {
        await client.query(
          `INSERT INTO ${T}reservations (study_id, point, next_repeat) SELECT $1, p, n FROM unnest($2::int[], $3::int[]) AS u(p, n)
            ON CONFLICT (study_id, point) DO UPDATE SET next_repeat = EXCLUDED.next_repeat`,
          [id, wanted.map(([point]) => point), wanted.map(([point, count]) => firsts.get(point)! + count)],
        );
      }
      return firsts;
    });
  }

  async deleteStudy(study: string): Promise<number> {
    this.requireWritable();
    const id = await this.requireStudy(study);
    const trials = await this.withTransaction(async (client) => {
      const deleted = (await client.query(`DELETE FROM ${T}trials WHERE study_id = $1`, [id])).rowCount ?? 0;
      for (const table of ['blocks', 'points', 'reservations', 'studies']) {
        await client.query(`DELETE FROM ${T}${table} WHERE ${table === 'studies' ? 'id' : 'study_id'} = $1`, [id]);
      }
      return deleted;
    });
    this.studyIds.delete(study);
    this.knownPoints.delete(id);
    return trials;
  }

  async renameStudy(study: string, newName: string, definition: unknown): Promise<void> {
    this.requireWritable();
    const id = await this.requireStudy(study);
    await this.withTransaction(async (client) => {
      const taken = await client.query(`SELECT 1 FROM ${T}studies WHERE name = $1`, [newName]);
      if ((taken.rowCount ?? 0) > 0) throw new StoreError(`there is already a study "${newName}" in ${this.location}; choose another name, or delete that one first`);
      await client.query(`UPDATE ${T}studies SET name = $1, definition = $2 WHERE id = $3`, [newName, JSON.stringify(definition ?? null), id]);
    });
    this.studyIds.delete(study);
    this.studyIds.set(newName, id);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end().catch(() => undefined);
  }
}

/** A PostgreSQL array literal of numbers, booleans and nulls, e.g. {1,2.5,NULL,t}: several times cheaper than pg's
 * generic array serialisation (which quotes and escapes every element), the main client cost of a chunk. Numbers
 * are written in JavaScript's shortest round-trip form, which float8in reads back to the same bits. */
export function arrayLiteral(values: readonly (number | boolean | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    out += v === null ? 'NULL' : v === true ? 't' : v === false ? 'f' : String(v);
  }
  return `${out}}`;
}

/** The second key of a block's advisory lock: (point, block) folded into an int4. Two blocks that fold to the
 * same key only share a lock (serialised, still correct). */
function blockLockKey(point: number, block: number): number {
  return (Math.imul(point, 0x9e3779b1) + block) | 0;
}

function isSortedByRepeat(rows: readonly TrialRow[]): boolean {
  for (let i = 1; i < rows.length; i++) if (rows[i].repeat < rows[i - 1].repeat) return false;
  return true;
}

function isIndex(x: number): boolean {
  return Number.isInteger(x) && x >= 0 && x <= 0x7fffffff;
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
