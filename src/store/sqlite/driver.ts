// The embedded store's primitives: one SQLite file (better-sqlite3), WAL mode, one writer. Synchronous: each
// primitive that writes is one IMMEDIATE transaction. The schema and why it looks the way it does: ./schema.ts;
// opening a file: ./open.ts. Every SQLite error leaves as a StoreError (./errors.ts) through the shared store.
import type Database from 'better-sqlite3';
import type { EngineName, Precision } from '../../config/parameters.js';
import type { BlockBatch, StoreDriver, StudyEntry, TrialBatch, TrialPageReader } from '../core/driver.js';
import { studyTaken, unknownEngine } from '../core/errors.js';
import { firstFree, rowsInRepeatOrder } from '../core/rows.js';
import { readParams } from '../core/stored-json.js';
import { BLOCK_REPEATS, blockMoments, type BlockRow, type Moments } from '../moments.js';
import { METRIC_COLUMNS, type MetricName, type ParamValue } from '../types.js';
import { toStoreError } from './errors.js';
import { SCHEMA_VERSION, blockRow, type BlockRowTuple } from './schema.js';

/** Rows per multi-row INSERT: one statement execution per 100 rows (measured: ~2x the rows/s of one row each). */
const ROWS_PER_STATEMENT = 100;
const TRIAL_COLUMNS = 10;
/** The variance from sums (s2 - s1^2/n) is trusted only when the mean square is at most this many times the
 * variance; beyond, a centred second pass is made for that point (relative error ~ 1e-16 x this ratio). */
const CANCELLATION_RATIO = 1e6;

interface WriteStatements {
  insertMany: Database.Statement;
  insertOne: Database.Statement;
  insertPoint: Database.Statement;
  blockExists: Database.Statement;
  blockRows: Database.Statement;
  upsertBlock: Database.Statement;
  replaceOne: Database.Statement;
}

/** A block to fold again: its rows when the caller knows them all, in repeat order; else they are read. */
interface Refold {
  studyId: number;
  point: number;
  block: number;
  rows: readonly BlockRow[] | null;
}

export class SqliteDriver implements StoreDriver<number> {
  private readonly engineIds = new Map<string, number>();
  /** Prepared once, on the first write, and reused by every batch. */
  private write: WriteStatements | null = null;
  /** The multi-row INSERT's arguments, reused by every batch (no allocation per row). */
  private readonly args = new Array<unknown>(ROWS_PER_STATEMENT * TRIAL_COLUMNS);
  /** One statement per metric, prepared once: metricValues reads a study point by point. */
  private readonly metricReads = new Map<MetricName, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    readonly location: string,
    /** The file's schema version: an older one (read-only) has no finalLoss moments in its blocks. */
    private readonly version: number,
    private readonly onClose: () => void,
  ) {}

  toStoreError(error: unknown): Error {
    return toStoreError(error, this.location);
  }

  private writeStatements(): WriteStatements {
    if (!this.write) {
      const tuple = `(${new Array(TRIAL_COLUMNS).fill('?').join(',')})`;
      this.write = {
        insertMany: this.db.prepare(
          `INSERT OR IGNORE INTO trials VALUES ${new Array(ROWS_PER_STATEMENT).fill(tuple).join(',')}`,
        ),
        insertOne: this.db.prepare(`INSERT OR IGNORE INTO trials VALUES ${tuple}`),
        insertPoint: this.db.prepare('INSERT OR IGNORE INTO points (study_id, point, params) VALUES (?, ?, ?)'),
        blockExists: this.db.prepare('SELECT 1 FROM blocks WHERE study_id = ? AND point = ? AND block = ?').pluck(),
        blockRows: this.db
          .prepare(
            `SELECT repeat, total_loss, final_loss, success, diverged, epochs_to_threshold FROM trials
              WHERE study_id = ? AND point = ? AND repeat BETWEEN ? AND ? ORDER BY repeat`,
          )
          .raw(),
        upsertBlock: this.db.prepare(
          `INSERT OR REPLACE INTO blocks (study_id, point, block, trials, loss_count, loss_mean, loss_m2, successes, diverged, ett_count, ett_sum, max_repeat,
             final_count, final_mean, final_m2, ett_m2)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ),
        replaceOne: this.db.prepare(
          `UPDATE trials SET total_loss = ?, final_loss = ?, success = ?, epochs_to_threshold = ?, diverged = ?, engine_id = ?
            WHERE study_id = ? AND point = ? AND repeat = ?`,
        ),
      };
    }
    return this.write;
  }

  studyKey(name: string): number | null {
    const row = this.db.prepare('SELECT id FROM studies WHERE name = ?').pluck().get(name) as number | undefined;
    return row ?? null;
  }

  studyNames(limit: number): string[] {
    return this.db.prepare('SELECT name FROM studies ORDER BY name LIMIT ?').pluck().all(limit) as string[];
  }

  createStudy(name: string, definition: string): string | null {
    this.writeStatements();
    return this.db
      .transaction((): string | null => {
        const stored = this.db.prepare('SELECT definition FROM studies WHERE name = ?').pluck().get(name) as
          string | undefined;
        if (stored !== undefined) return stored;
        this.db
          .prepare('INSERT INTO studies (name, definition, created_at) VALUES (?, ?, ?)')
          .run(name, definition, new Date().toISOString());
        return null;
      })
      .immediate();
  }

  studies(name?: string): StudyEntry[] {
    const select = 'SELECT id, name, definition, created_at FROM studies';
    const rows = (
      name === undefined
        ? this.db.prepare(`${select} ORDER BY created_at, id`).all()
        : this.db.prepare(`${select} WHERE name = ?`).all(name)
    ) as StudyRowShape[];
    const counts = this.db.prepare(
      'SELECT count(DISTINCT point) AS points, coalesce(sum(trials), 0) AS trials FROM blocks WHERE study_id = ?',
    );
    return rows.map((row) => {
      const count = counts.get(row.id) as { points: number; trials: number };
      return {
        name: row.name,
        definition: row.definition,
        createdAt: row.created_at,
        trialCount: count.trials,
        pointCount: count.points,
      };
    });
  }

  deleteStudy(id: number): number {
    this.writeStatements();
    return this.db
      .transaction(() => {
        const trials = this.db.prepare('DELETE FROM trials WHERE study_id = ?').run(id).changes;
        for (const table of ['blocks', 'points', 'reservations'])
          this.db.prepare(`DELETE FROM ${table} WHERE study_id = ?`).run(id);
        this.db.prepare('DELETE FROM studies WHERE id = ?').run(id);
        return trials;
      })
      .immediate();
  }

  renameStudy(id: number, _name: string, newName: string, definition: string): void {
    this.writeStatements();
    this.db
      .transaction(() => {
        if (this.studyKey(newName) !== null) throw studyTaken(newName, this.location);
        this.db.prepare('UPDATE studies SET name = ?, definition = ? WHERE id = ?').run(newName, definition, id);
      })
      .immediate();
  }

  pointParams(studyId: number): Map<number, Record<string, ParamValue>> {
    const rows = this.db
      .prepare('SELECT point, params FROM points WHERE study_id = ? ORDER BY point')
      .raw()
      .all(studyId) as [number, string][];
    return new Map(rows.map(([point, params]) => [point, readParams(point, params)]));
  }

  pointTotals(studyId: number): [number, number, number][] {
    return this.db
      .prepare(
        'SELECT point, sum(trials), max(max_repeat) FROM blocks WHERE study_id = ? GROUP BY point ORDER BY point',
      )
      .raw()
      .all(studyId) as [number, number, number][];
  }

  repeatRuns(studyId: number, points: readonly number[]): Map<number, number[]> {
    // Gaps and islands: repeat - row_number() is constant along a run of consecutive repeats.
    const islands = this.db
      .prepare(
        `SELECT min(repeat), max(repeat) + 1 FROM (SELECT repeat, repeat - row_number() OVER (ORDER BY repeat) AS island
           FROM trials WHERE study_id = ? AND point = ?) GROUP BY island ORDER BY 1`,
      )
      .raw();
    return new Map(points.map((point) => [point, (islands.all(studyId, point) as [number, number][]).flat()]));
  }

  readBlocks(studyId: number): Iterable<readonly [number, Moments]> | null {
    // A file of an older layout, opened for reading, has no finalLoss moments in its blocks: the store recomputes
    // from the rows (a writing command upgrades the file).
    if (this.version < SCHEMA_VERSION) return null;
    const rows = this.db
      .prepare(
        `SELECT point, trials, loss_count, loss_mean, loss_m2, successes, diverged, ett_count, ett_sum, max_repeat, final_count, final_mean, final_m2, ett_m2
           FROM blocks WHERE study_id = ? ORDER BY point, block`,
      )
      .raw()
      .all(studyId) as number[][];
    return rows.map(
      ([
        point,
        count,
        n,
        mean,
        m2,
        successes,
        diverged,
        ettN,
        ettSum,
        maxRepeat,
        finalN,
        finalMean,
        finalM2,
        ettM2,
      ]) => [
        point,
        { count, n, mean, m2, finalN, finalMean, finalM2, successes, diverged, ettN, ettSum, ettM2, maxRepeat },
      ],
    );
  }

  /** Per-point moments recomputed from the trial rows in SQL (one GROUP BY scan). */
  scanMoments(studyId: number): [number, Moments][] {
    const sums = (column: string) =>
      `count(${column}), coalesce(sum(${column}), 0), coalesce(sum(${column} * ${column}), 0)`;
    const rows = this.db
      .prepare(
        `SELECT point, count(*), sum(success), sum(diverged), max(repeat), ${sums('total_loss')}, ${sums('final_loss')}, ${sums('epochs_to_threshold')}
           FROM trials WHERE study_id = ? GROUP BY point ORDER BY point`,
      )
      .raw()
      .all(studyId) as number[][];
    return rows.map(([p, count, successes, diverged, maxRepeat, ...metrics]) => {
      const moments = (at: number, column: string): [number, number, number] =>
        this.centredMoments(studyId, p, column, metrics[at], metrics[at + 1], metrics[at + 2]);
      const [n, mean, m2] = moments(0, 'total_loss');
      const [finalN, finalMean, finalM2] = moments(3, 'final_loss');
      const [ettN, , ettM2] = moments(6, 'epochs_to_threshold');
      return [
        p,
        {
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
          ettSum: metrics[7],
          ettM2,
          maxRepeat,
        },
      ];
    });
  }

  /**
   * [n, mean, m2] from a column's count, sum and sum of squares. sum() in SQLite >= 3.43 is compensated
   * (Kahan-Babuska-Neumaier), so s1 and s2 are accurate; their difference is not when the spread is tiny next to
   * the mean: then a centred second pass over this point's rows.
   */
  private centredMoments(
    studyId: number,
    point: number,
    column: string,
    n: number,
    s1: number,
    s2: number,
  ): [number, number, number] {
    if (n === 0) return [0, 0, 0];
    let mean = s1 / n;
    let m2 = s2 - s1 * mean;
    if (n >= 2 && (!(m2 > 0) || s2 / m2 > CANCELLATION_RATIO)) {
      const [sd2, sd] = this.db
        .prepare(
          `SELECT sum((${column} - ?) * (${column} - ?)), sum(${column} - ?) FROM trials WHERE study_id = ? AND point = ? AND ${column} IS NOT NULL`,
        )
        .raw()
        .get(mean, mean, mean, studyId, point) as [number, number];
      m2 = sd2 - (sd * sd) / n;
      mean += sd / n;
    }
    return [n, mean, Math.max(0, m2)];
  }

  readMetric(studyId: number, metric: MetricName, point: number): unknown[][] {
    let read = this.metricReads.get(metric);
    if (!read)
      this.metricReads.set(
        metric,
        (read = this.db
          .prepare(
            `SELECT repeat, ${METRIC_COLUMNS[metric]} FROM trials WHERE study_id = ? AND point = ? ORDER BY repeat`,
          )
          .raw()),
      );
    return read.all(studyId, point) as unknown[][];
  }

  trialPages(studyId: number, study: string): TrialPageReader {
    const engineRows = this.db.prepare('SELECT id, engine, precision FROM engines').raw().all() as [
      number,
      EngineName,
      Precision,
    ][];
    const engines = new Map(engineRows.map(([id, engine, precision]) => [id, { engine, precision }]));
    const params = this.pointParams(studyId);
    // Each page read with .all(): several times faster per row than a statement iterator.
    const page = this.db
      .prepare(
        `SELECT point, repeat, seed, total_loss, final_loss, success, epochs_to_threshold, diverged, engine_id
           FROM trials WHERE study_id = ? AND (point, repeat) > (?, ?) ORDER BY point, repeat LIMIT ?`,
      )
      .raw();
    return (afterPoint, afterRepeat, limit) =>
      (page.all(studyId, afterPoint, afterRepeat, limit) as unknown[][]).map((r) => {
        const engine = engines.get(r[8] as number);
        if (!engine) throw unknownEngine(this.location, study, r[8]);
        return {
          study,
          point: r[0] as number,
          repeat: r[1] as number,
          params: params.get(r[0] as number) ?? {},
          seed: r[2] as number,
          totalLoss: r[3] as number | null,
          finalLoss: r[4] as number | null,
          success: r[5] === 1,
          epochsToThreshold: r[6] as number | null,
          diverged: r[7] === 1,
          engine: engine.engine,
          precision: engine.precision,
        };
      });
  }

  private engineId(engine: string, precision: string): number {
    const key = `${engine}\u0000${precision}`;
    const cached = this.engineIds.get(key);
    if (cached !== undefined) return cached;
    this.db.prepare('INSERT OR IGNORE INTO engines (engine, precision) VALUES (?, ?)').run(engine, precision);
    const id = this.db
      .prepare('SELECT id FROM engines WHERE engine = ? AND precision = ?')
      .pluck()
      .get(engine, precision) as number;
    this.engineIds.set(key, id);
    return id;
  }

  writeTrials(batch: TrialBatch<number>): number {
    const s = this.writeStatements();
    return this.db
      .transaction(() => {
        const inserted = this.insertRows(batch, s);
        // A block that held no rows before and got every row of this batch (none ignored as a duplicate) has
        // exactly the batch's rows: no need to read them back. Otherwise they are read from the table.
        const allNew = inserted === batch.rows.length;
        this.insertPoints(batch.blocks, s);
        for (const b of batch.blocks) {
          const fresh = allNew && s.blockExists.get(b.key, b.point, b.block) === undefined;
          this.refold(
            { studyId: b.key, point: b.point, block: b.block, rows: fresh ? rowsInRepeatOrder(b.rows) : null },
            s,
          );
        }
        return inserted;
      })
      .immediate();
  }

  replaceTrials(batch: TrialBatch<number>): number {
    const s = this.writeStatements();
    return this.db
      .transaction(() => {
        let replaced = 0;
        for (const row of batch.rows) {
          const engineId = this.engineId(row.engine, row.precision);
          replaced += s.replaceOne.run(
            row.totalLoss,
            row.finalLoss,
            row.success ? 1 : 0,
            row.epochsToThreshold,
            row.diverged ? 1 : 0,
            engineId,
            batch.keys.get(row.study)!,
            row.point,
            row.repeat,
          ).changes;
        }
        // Every touched block, refolded from its stored rows.
        for (const b of batch.blocks) this.refold({ studyId: b.key, point: b.point, block: b.block, rows: null }, s);
        return replaced;
      })
      .immediate();
  }

  /** The rows, in the caller's order, 100 per statement execution: the hot loop (no allocation per row). */
  private insertRows(batch: TrialBatch<number>, s: WriteStatements): number {
    let inserted = 0;
    let lastStudy: string | null = null;
    let studyId = -1;
    let lastEngine = '';
    let lastPrecision = '';
    let engineId = -1;
    const args = this.args;
    let filled = 0;
    for (const row of batch.rows) {
      if (row.study !== lastStudy) {
        studyId = batch.keys.get(row.study)!;
        lastStudy = row.study;
      }
      if (row.engine !== lastEngine || row.precision !== lastPrecision) {
        engineId = this.engineId(row.engine, row.precision);
        lastEngine = row.engine;
        lastPrecision = row.precision;
      }
      const at = filled * TRIAL_COLUMNS;
      args[at] = studyId;
      args[at + 1] = row.point;
      args[at + 2] = row.repeat;
      args[at + 3] = row.seed;
      args[at + 4] = row.totalLoss;
      args[at + 5] = row.finalLoss;
      args[at + 6] = row.success ? 1 : 0;
      args[at + 7] = row.epochsToThreshold;
      args[at + 8] = row.diverged ? 1 : 0;
      args[at + 9] = engineId;
      if (++filled === ROWS_PER_STATEMENT) {
        inserted += s.insertMany.run(args).changes;
        filled = 0;
      }
    }
    for (let r = 0; r < filled; r++)
      inserted += s.insertOne.run(args.slice(r * TRIAL_COLUMNS, (r + 1) * TRIAL_COLUMNS)).changes;
    return inserted;
  }

  /** Each touched point's parameter values, where the point has none yet. */
  private insertPoints(blocks: readonly BlockBatch<number>[], s: WriteStatements): void {
    let last: BlockBatch<number> | null = null;
    for (const b of blocks) {
      if (last === null || last.key !== b.key || last.point !== b.point)
        s.insertPoint.run(b.key, b.point, JSON.stringify(b.params));
      last = b;
    }
  }

  /** Rewrites one block's aggregates from all of its rows in repeat order (given, or read from the table). Inside
   * the caller's transaction: a change of rows and the refold of their blocks commit together. */
  refold(block: Refold, s: WriteStatements = this.writeStatements()): void {
    let rows = block.rows;
    if (rows === null) {
      const first = block.block * BLOCK_REPEATS;
      rows = (s.blockRows.all(block.studyId, block.point, first, first + BLOCK_REPEATS - 1) as BlockRowTuple[]).map(
        blockRow,
      );
    }
    const m = blockMoments(rows);
    s.upsertBlock.run(
      block.studyId,
      block.point,
      block.block,
      m.count,
      m.n,
      m.mean,
      m.m2,
      m.successes,
      m.diverged,
      m.ettN,
      m.ettSum,
      m.maxRepeat,
      m.finalN,
      m.finalMean,
      m.finalM2,
      m.ettM2,
    );
  }

  reserve(studyId: number, wanted: readonly (readonly [number, number])[]): Map<number, number> {
    this.writeStatements();
    return this.db
      .transaction(() => {
        const storedMax = this.db
          .prepare('SELECT max(max_repeat) FROM blocks WHERE study_id = ? AND point = ?')
          .pluck();
        const reserved = this.db
          .prepare('SELECT next_repeat FROM reservations WHERE study_id = ? AND point = ?')
          .pluck();
        const reserve = this.db.prepare(
          'INSERT OR REPLACE INTO reservations (study_id, point, next_repeat) VALUES (?, ?, ?)',
        );
        const firsts = new Map<number, number>();
        for (const [point, count] of wanted) {
          const first = firstFree(
            storedMax.get(studyId, point) as number | null,
            reserved.get(studyId, point) as number | undefined,
          );
          reserve.run(studyId, point, first + count);
          firsts.set(point, first);
        }
        return firsts;
      })
      .immediate();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
    this.onClose();
  }
}

interface StudyRowShape {
  id: number;
  name: string;
  definition: string;
  created_at: string;
}
