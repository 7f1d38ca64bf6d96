// The shared store's primitives in PostgreSQL. Same tables and guarantees as SQLite (./schema.ts): unique (study,
// point, repeat), per-block aggregates recomputed in the same transaction as the trials from the block's rows in
// repeat order by ../moments.ts, so a summary gives the same bits as SQLite for the same trials, whoever wrote
// them and in whatever chunks.
//
// Concurrency: a chunk's transaction first takes pg_advisory_xact_lock(study, block key) for every block it
// touches, in sorted order (no deadlock between writers), then reads what it needs in new statements (READ
// COMMITTED: each statement sees what the previous lock holder committed), inserts, and rewrites the blocks. Two
// writers on the same block are serialised; on different blocks they run in parallel. New points are inserted in
// point order, and new engines outside the transaction, so writers never wait on each other's rows in a cycle.
import type pg from 'pg';
import type { EngineName, Precision } from '../../config/parameters.js';
import type { BlockBatch, StoreDriver, StudyEntry, TrialBatch, TrialPageReader } from '../core/driver.js';
import { studyTaken, unknownEngine } from '../core/errors.js';
import { firstFree, rowsInRepeatOrder } from '../core/rows.js';
import { readParams } from '../core/stored-json.js';
import { BLOCK_REPEATS, blockMoments, blockOf, type BlockRow, type Moments } from '../moments.js';
import { METRIC_COLUMNS, type MetricName, type ParamValue, type TrialRow } from '../types.js';
import { connectError, isConnectionError, isRetryableTransaction, queryError } from './errors.js';
import { PG_SCHEMA } from './schema.js';

const T = `${PG_SCHEMA}.`;

const toNumber = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const toNullableNumber = (v: unknown): number | null => (v === null ? null : toNumber(v));

/** Attempts of a transaction that PostgreSQL rolls back as a deadlock victim or a serialization failure. */
const TRANSACTION_ATTEMPTS = 5;

/** A block to fold again inside a transaction: its rows when the caller knows them all (in repeat order), else
 * they are read back. */
interface Refold {
  studyId: number;
  point: number;
  block: number;
  rows: readonly BlockRow[] | null;
}

const STUDY_COLUMNS = `s.id, s.name, s.definition, s.created_at, coalesce(b.points, 0) AS points, coalesce(b.trials, 0) AS trials
    FROM ${T}studies s LEFT JOIN (SELECT study_id, count(DISTINCT point) AS points, sum(trials) AS trials FROM ${T}blocks GROUP BY study_id) b ON b.study_id = s.id`;

export class PostgresDriver implements StoreDriver<number> {
  private readonly engineIds = new Map<string, number>();
  /** Points known to have their row in `points` (per study id). */
  private readonly knownPoints = new Map<number, Set<number>>();

  constructor(
    readonly pool: pg.Pool,
    readonly location: string,
  ) {}

  toStoreError(error: unknown): Error {
    return queryError(error, this.location);
  }

  private async q<R extends pg.QueryResultRow = Record<string, unknown>>(
    text: string,
    values: unknown[] = [],
    client?: pg.ClientBase,
  ): Promise<pg.QueryResult<R>> {
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

  async studyKey(name: string): Promise<number | null> {
    const { rows } = await this.q<{ id: number }>(`SELECT id FROM ${T}studies WHERE name = $1`, [name]);
    return rows.length ? rows[0].id : null;
  }

  async studyNames(limit: number): Promise<string[]> {
    return (await this.q<{ name: string }>(`SELECT name FROM ${T}studies ORDER BY name LIMIT $1`, [limit])).rows.map(
      (r) => r.name,
    );
  }

  async createStudy(name: string, definition: string): Promise<string | null> {
    const inserted = await this.q(
      `INSERT INTO ${T}studies (name, definition, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING RETURNING id`,
      [name, definition, new Date()],
    );
    if (inserted.rows.length === 1) return null;
    const { rows } = await this.q<{ definition: string }>(`SELECT definition FROM ${T}studies WHERE name = $1`, [name]);
    return rows[0].definition;
  }

  async studies(name?: string): Promise<StudyEntry[]> {
    const { rows } =
      name === undefined
        ? await this.q(`SELECT ${STUDY_COLUMNS} ORDER BY s.created_at, s.id`)
        : await this.q(`SELECT ${STUDY_COLUMNS} WHERE s.name = $1`, [name]);
    return rows.map((row) => ({
      name: row.name as string,
      definition: row.definition as string,
      createdAt: (row.created_at as Date).toISOString(),
      trialCount: toNumber(row.trials),
      pointCount: toNumber(row.points),
    }));
  }

  async deleteStudy(id: number): Promise<number> {
    const trials = await this.withTransaction(async (client) => {
      const deleted = (await client.query(`DELETE FROM ${T}trials WHERE study_id = $1`, [id])).rowCount ?? 0;
      for (const table of ['blocks', 'points', 'reservations', 'studies']) {
        await client.query(`DELETE FROM ${T}${table} WHERE ${table === 'studies' ? 'id' : 'study_id'} = $1`, [id]);
      }
      return deleted;
    });
    this.knownPoints.delete(id);
    return trials;
  }

  async renameStudy(id: number, _name: string, newName: string, definition: string): Promise<void> {
    await this.withTransaction(async (client) => {
      const taken = await client.query(`SELECT 1 FROM ${T}studies WHERE name = $1`, [newName]);
      if ((taken.rowCount ?? 0) > 0) throw studyTaken(newName, this.location);
      await client.query(`UPDATE ${T}studies SET name = $1, definition = $2 WHERE id = $3`, [newName, definition, id]);
    });
  }

  async pointParams(studyId: number): Promise<Map<number, Record<string, ParamValue>>> {
    const rows = await this.rowsArray(`SELECT point, params FROM ${T}points WHERE study_id = $1 ORDER BY point`, [
      studyId,
    ]);
    return new Map(rows.map(([point, params]) => [point as number, readParams(point as number, params)]));
  }

  async pointTotals(studyId: number): Promise<[number, number, number][]> {
    const rows = await this.rowsArray(
      `SELECT point, sum(trials), max(max_repeat) FROM ${T}blocks WHERE study_id = $1 GROUP BY point ORDER BY point`,
      [studyId],
    );
    return rows.map(([point, count, maxRepeat]) => [point as number, toNumber(count), toNumber(maxRepeat)]);
  }

  /** The runs of all the points asked for in one query (gaps and islands: repeat - row_number() is constant along a
   * run). */
  async repeatRuns(studyId: number, points: readonly number[]): Promise<Map<number, number[]>> {
    const runs = new Map<number, number[]>();
    const rows = await this.rowsArray(
      `SELECT point, min(repeat), max(repeat) + 1 FROM (
         SELECT point, repeat, repeat - row_number() OVER (PARTITION BY point ORDER BY repeat) AS island
           FROM ${T}trials WHERE study_id = $1 AND point = ANY($2::int4[])) t
        GROUP BY point, island ORDER BY point, 2`,
      [studyId, points],
    );
    for (const [p, start, end] of rows) {
      let list = runs.get(p as number);
      if (!list) runs.set(p as number, (list = []));
      list.push(start as number, end as number);
    }
    return runs;
  }

  async readBlocks(studyId: number): Promise<[number, Moments][]> {
    const rows = await this.rowsArray(
      `SELECT point, trials, loss_count, loss_mean, loss_m2, final_count, final_mean, final_m2, successes, diverged, ett_count, ett_sum, ett_m2, max_repeat
         FROM ${T}blocks WHERE study_id = $1 ORDER BY point, block`,
      [studyId],
    );
    return rows.map(
      ([
        point,
        count,
        n,
        mean,
        m2,
        finalN,
        finalMean,
        finalM2,
        successes,
        diverged,
        ettN,
        ettSum,
        ettM2,
        maxRepeat,
      ]) => [
        point as number,
        {
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
        },
      ],
    );
  }

  async scanMoments(studyId: number): Promise<[number, Moments][]> {
    // avg and var_pop of float8 use the Youngs-Cramer update in PostgreSQL (no sum-of-squares cancellation).
    const rows = await this.rowsArray(
      `SELECT point, count(*), count(total_loss), avg(total_loss), var_pop(total_loss), count(final_loss), avg(final_loss), var_pop(final_loss),
              count(*) FILTER (WHERE success), count(*) FILTER (WHERE diverged), count(epochs_to_threshold), coalesce(sum(epochs_to_threshold), 0),
              var_pop(epochs_to_threshold::float8), max(repeat)
         FROM ${T}trials WHERE study_id = $1 GROUP BY point ORDER BY point`,
      [studyId],
    );
    return rows.map(
      ([p, count, n, mean, varPop, fn, fMean, fVarPop, successes, diverged, ettN, ettSum, ettVarPop, maxRepeat]) => {
        const lossCount = toNumber(n);
        const finalCount = toNumber(fn);
        const reached = toNumber(ettN);
        return [
          p as number,
          {
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
          },
        ];
      },
    );
  }

  async readMetric(studyId: number, metric: MetricName, point: number): Promise<unknown[][]> {
    return this.rowsArray(
      `SELECT repeat, ${METRIC_COLUMNS[metric]} FROM ${T}trials WHERE study_id = $1 AND point = $2 ORDER BY repeat`,
      [studyId, point],
    );
  }

  async trialPages(studyId: number, study: string): Promise<TrialPageReader> {
    const params = await this.pointParams(studyId);
    const engines = new Map<number, { engine: EngineName; precision: Precision }>();
    for (const [id, engine, precision] of await this.rowsArray(`SELECT id, engine, precision FROM ${T}engines`)) {
      engines.set(id as number, { engine: engine as EngineName, precision: precision as Precision });
    }
    return async (afterPoint, afterRepeat, limit) => {
      const rows = await this.rowsArray(
        `SELECT point, repeat, seed, total_loss, final_loss, success, epochs_to_threshold, diverged, engine_id
           FROM ${T}trials WHERE study_id = $1 AND (point, repeat) > ($2, $3) ORDER BY point, repeat LIMIT $4`,
        [studyId, afterPoint, afterRepeat, limit],
      );
      return rows.map((r): TrialRow => {
        const engine = engines.get(r[8] as number);
        if (!engine) throw unknownEngine(this.location, study, r[8]);
        return {
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
      });
    };
  }

  /** An engine's id, created outside any transaction (autocommit): a new engine row made inside concurrent chunk
   * transactions could make them wait on each other in a cycle. */
  private async engineId(engine: string, precision: string): Promise<number> {
    const key = `${engine}\u0000${precision}`;
    const cached = this.engineIds.get(key);
    if (cached !== undefined) return cached;
    await this.q(`INSERT INTO ${T}engines (engine, precision) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
      engine,
      precision,
    ]);
    const { rows } = await this.q<{ id: number }>(`SELECT id FROM ${T}engines WHERE engine = $1 AND precision = $2`, [
      engine,
      precision,
    ]);
    this.engineIds.set(key, rows[0].id);
    return rows[0].id;
  }

  /** A row's engine id, from the ids resolveEngines made (looked up again only where the engine changes). */
  private engineOf(): (row: TrialRow) => number {
    let engine = '';
    let precision = '';
    let id = -1;
    return (row) => {
      if (row.engine !== engine || row.precision !== precision) {
        engine = row.engine;
        precision = row.precision;
        id = this.engineIds.get(`${engine}\u0000${precision}`)!;
      }
      return id;
    };
  }

  /** Every engine the batch names has an id (made outside the transaction). */
  private async resolveEngines(rows: readonly TrialRow[]): Promise<void> {
    let lastEngine = '';
    let lastPrecision = '';
    for (const row of rows) {
      if (row.engine === lastEngine && row.precision === lastPrecision) continue;
      await this.engineId(row.engine, row.precision);
      lastEngine = row.engine;
      lastPrecision = row.precision;
    }
  }

  async writeTrials(batch: TrialBatch<number>): Promise<number> {
    await this.resolveEngines(batch.rows);
    const inserted = await this.withTransaction((client) => this.insertBatch(client, batch));
    // Committed: these points' rows exist from now on.
    for (const b of batch.blocks) {
      let known = this.knownPoints.get(b.key);
      if (!known) this.knownPoints.set(b.key, (known = new Set()));
      known.add(b.point);
    }
    return inserted;
  }

  async replaceTrials(batch: TrialBatch<number>): Promise<number> {
    await this.resolveEngines(batch.rows);
    return this.withTransaction(async (client) => {
      const blocks = batch.blocks.map((b) => ({ studyId: b.key, point: b.point, block: b.block }));
      await this.lockBlocks(client, blocks);
      const rows = batch.rows;
      const pick = <V extends number | boolean | null>(f: (r: TrialRow) => V): string => arrayLiteral(rows.map(f));
      const result = await this.q(
        `UPDATE ${T}trials t SET total_loss = r.total_loss, final_loss = r.final_loss, success = r.success, epochs_to_threshold = r.ett,
                diverged = r.diverged, engine_id = r.engine_id
           FROM unnest($1::int4[], $2::int4[], $3::int4[], $4::float8[], $5::float8[], $6::bool[], $7::int4[], $8::bool[], $9::int2[])
                AS r(study_id, point, repeat, total_loss, final_loss, success, ett, diverged, engine_id)
          WHERE t.study_id = r.study_id AND t.point = r.point AND t.repeat = r.repeat`,
        [
          pick((r) => batch.keys.get(r.study)!),
          pick((r) => r.point),
          pick((r) => r.repeat),
          pick((r) => r.totalLoss),
          pick((r) => r.finalLoss),
          pick((r) => r.success),
          pick((r) => r.epochsToThreshold),
          pick((r) => r.diverged),
          pick(this.engineOf()),
        ],
        client,
      );
      // Every touched block, read back and refolded.
      await this.refold(
        client,
        blocks.map((b) => ({ ...b, rows: null })),
      );
      return result.rowCount ?? 0;
    });
  }

  /** writeTrials inside a transaction the caller opened on `client` (and may still roll back). */
  async insertInto(client: pg.ClientBase, batch: TrialBatch<number>): Promise<number> {
    await this.resolveEngines(batch.rows);
    return this.insertBatch(client, batch);
  }

  private async insertBatch(client: pg.ClientBase, batch: TrialBatch<number>): Promise<number> {
    const { blocks } = batch;
    // 1. The touched blocks' locks, in sorted order.
    await this.lockBlocks(
      client,
      blocks.map((b) => ({ studyId: b.key, point: b.point, block: b.block })),
    );
    // 2. New points, in point order (the blocks are sorted).
    const newPoints: BlockBatch<number>[] = [];
    for (const b of blocks) {
      const last = newPoints[newPoints.length - 1];
      if (this.knownPoints.get(b.key)?.has(b.point) || (last && last.key === b.key && last.point === b.point)) continue;
      newPoints.push(b);
    }
    if (newPoints.length) {
      await this.q(
        `INSERT INTO ${T}points (study_id, point, params) SELECT * FROM unnest($1::int4[], $2::int4[], $3::text[]) ON CONFLICT DO NOTHING`,
        [newPoints.map((b) => b.key), newPoints.map((b) => b.point), newPoints.map((b) => JSON.stringify(b.params))],
        client,
      );
    }
    // 3. Which blocks already hold rows (read after the locks: a new statement sees the previous holder's commit).
    // One index probe per block, in the trials themselves (not the blocks table: right even if that were damaged).
    const hasRows = (
      await this.rowsArray(
        `SELECT EXISTS (SELECT 1 FROM ${T}trials t WHERE t.study_id = k.s AND t.point = k.p AND t.repeat >= k.k * ${BLOCK_REPEATS} AND t.repeat < (k.k + 1) * ${BLOCK_REPEATS})
           FROM unnest($1::int4[], $2::int4[], $3::int4[]) WITH ORDINALITY AS k(s, p, k, i) ORDER BY k.i`,
        [
          arrayLiteral(blocks.map((b) => b.key)),
          arrayLiteral(blocks.map((b) => b.point)),
          arrayLiteral(blocks.map((b) => b.block)),
        ],
        client,
      )
    ).map((r) => r[0] as boolean);
    // 4. The rows. A block that holds none gets its rows (the first of any repeat sent twice) with a plain INSERT:
    // under its lock nothing can conflict there, and ON CONFLICT costs ~25% more server time per row (measured).
    // The rows of blocks that hold some go through ON CONFLICT DO NOTHING: stored keys are left as they are.
    const fresh: { studyId: number; row: TrialRow }[] = [];
    const others: { studyId: number; row: TrialRow }[] = [];
    const refolds: Refold[] = blocks.map((b, k) => {
      if (hasRows[k]) {
        for (const row of b.rows) others.push({ studyId: b.key, row });
        return { studyId: b.key, point: b.point, block: b.block, rows: null };
      }
      const kept = rowsInRepeatOrder(b.rows);
      for (const row of kept) fresh.push({ studyId: b.key, row });
      return { studyId: b.key, point: b.point, block: b.block, rows: kept };
    });
    let inserted = 0;
    if (fresh.length) inserted += await this.insertRows(client, fresh, false);
    if (others.length) inserted += await this.insertRows(client, others, true);
    // 5. Each touched block's moments from all of its rows in repeat order: a fresh block's are the rows just
    // inserted; the others are read back.
    await this.refold(client, refolds);
    return inserted;
  }

  /** Takes the blocks' advisory locks in sorted order (the two-int form: a key space of xorlab's own). */
  async lockBlocks(
    client: pg.ClientBase,
    blocks: readonly { studyId: number; point: number; block: number }[],
  ): Promise<void> {
    const locks = [...new Set(blocks.map((b) => `${b.studyId}:${blockLockKey(b.point, b.block)}`))]
      .map((k) => k.split(':').map(Number))
      .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    await this.q(
      `SELECT count(pg_advisory_xact_lock(k1, k2)) FROM unnest($1::int4[], $2::int4[]) AS t(k1, k2)`,
      [arrayLiteral(locks.map((l) => l[0])), arrayLiteral(locks.map((l) => l[1]))],
      client,
    );
  }

  private async insertRows(
    client: pg.ClientBase,
    list: readonly { studyId: number; row: TrialRow }[],
    onConflict: boolean,
  ): Promise<number> {
    const pick = <V extends number | boolean | null>(f: (r: TrialRow) => V): string =>
      arrayLiteral(list.map((x) => f(x.row)));
    const columns = [
      arrayLiteral(list.map((x) => x.studyId)),
      pick((r) => r.point),
      pick((r) => r.repeat),
      pick((r) => r.seed),
      pick((r) => r.totalLoss),
      pick((r) => r.finalLoss),
      pick((r) => r.success),
      pick((r) => r.epochsToThreshold),
      pick((r) => r.diverged),
      pick(this.engineOf()),
    ];
    const insert = `INSERT INTO ${T}trials (study_id, point, repeat, seed, total_loss, final_loss, success, epochs_to_threshold, diverged, engine_id)
       SELECT * FROM unnest($1::int4[], $2::int4[], $3::int4[], $4::int8[], $5::float8[], $6::float8[], $7::bool[], $8::int4[], $9::bool[], $10::int2[])`;
    return (await this.q(onConflict ? `${insert} ON CONFLICT DO NOTHING` : insert, columns, client)).rowCount ?? 0;
  }

  /** Rewrites the blocks' aggregates from all of their rows in repeat order (given, or read back in one query),
   * inside the caller's transaction, which holds the blocks' locks. */
  async refold(client: pg.ClientBase, blocks: readonly Refold[]): Promise<void> {
    if (blocks.length === 0) return;
    const reread = blocks.filter((b) => b.rows === null);
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
    const m: Moments[] = blocks.map((b) =>
      blockMoments(b.rows ?? stored.get(`${b.studyId}:${b.point}:${b.block}`) ?? []),
    );
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
        blocks.map((b) => b.studyId),
        blocks.map((b) => b.point),
        blocks.map((b) => b.block),
        m.map((x) => x.count),
        m.map((x) => x.n),
        m.map((x) => x.mean),
        m.map((x) => x.m2),
        m.map((x) => x.finalN),
        m.map((x) => x.finalMean),
        m.map((x) => x.finalM2),
        m.map((x) => x.successes),
        m.map((x) => x.diverged),
        m.map((x) => x.ettN),
        m.map((x) => x.ettSum),
        m.map((x) => x.ettM2),
        m.map((x) => x.maxRepeat),
      ].map(arrayLiteral),
      client,
    );
  }

  async reserve(studyId: number, wanted: readonly (readonly [number, number])[]): Promise<Map<number, number>> {
    return this.withTransaction(async (client) => {
      // The study's row, locked: reservations of one study are made one at a time, by any process.
      await client.query(`SELECT id FROM ${T}studies WHERE id = $1 FOR UPDATE`, [studyId]);
      const stored = new Map(
        (
          await client.query<{ point: number; m: number }>(
            `SELECT point, max(max_repeat) AS m FROM ${T}blocks WHERE study_id = $1 GROUP BY point`,
            [studyId],
          )
        ).rows.map((r) => [r.point, r.m]),
      );
      const reserved = new Map(
        (
          await client.query<{ point: number; n: number }>(
            `SELECT point, next_repeat AS n FROM ${T}reservations WHERE study_id = $1`,
            [studyId],
          )
        ).rows.map((r) => [r.point, r.n]),
      );
      const firsts = new Map<number, number>();
      for (const [point] of wanted) firsts.set(point, firstFree(stored.get(point), reserved.get(point)));
      await client.query(
        `INSERT INTO ${T}reservations (study_id, point, next_repeat) SELECT $1, p, n FROM unnest($2::int[], $3::int[]) AS u(p, n)
          ON CONFLICT (study_id, point) DO UPDATE SET next_repeat = EXCLUDED.next_repeat`,
        [studyId, wanted.map(([point]) => point), wanted.map(([point, count]) => firsts.get(point)! + count)],
      );
      return firsts;
    });
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}

/** A PostgreSQL array literal of numbers, booleans and nulls, e.g. {1,2.5,NULL,t}: several times cheaper than pg's
 * generic array serialisation (which quotes and escapes every element), the main client cost of a chunk. Numbers
 * are written in JavaScript's shortest round-trip form, which float8in reads back to the same bits. */
function arrayLiteral(values: readonly (number | boolean | null)[]): string {
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
