// The embedded store: one SQLite file (better-sqlite3), WAL mode, one writer. The schema and why it looks the way
// it does: ./sqlite-schema.ts. Every SQLite error leaves here as a StoreError (one line for the CLI).
import Database from 'better-sqlite3';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BLOCK_REPEATS, blockMoments, blockOf, emptyMoments, mergeMoments, toPointSummary, type BlockRow, type Moments } from './moments.js';
import { describeDifference } from './definition-diff.js';
import { readDefinition, readParams } from './stored-json.js';
import { toStoreError } from './sqlite-errors.js';
import { SCHEMA_VERSION, blockRow, prepareDatabase, type BlockRowTuple } from './sqlite-schema.js';
import type { EngineName, Precision } from '../config/parameters.js';
import {
  METRIC_COLUMNS,
  METRIC_NAMES,
  MissingDatabaseError,
  StoreError,
  type MetricName,
  type OpenStoreOptions,
  type ParamValue,
  type PointSummary,
  type PointValues,
  type Store,
  type StudyRecord,
  type TrialRow,
} from './types.js';

/** How long to wait for another connection's lock before reporting it (ms): long enough to ride out another
 * writer's batch commit, short enough that a stuck lock is reported at once. */
export const BUSY_TIMEOUT_MS = 1000;
/** Rows per multi-row INSERT: one statement execution per 100 rows (measured: ~2x the rows/s of one row each). */
const ROWS_PER_STATEMENT = 100;
const TRIAL_COLUMNS = 10;
/** Rows per page read by iterateTrials. */
const ITERATE_PAGE = 10_000;
/** The variance from sums (s2 - s1^2/n) is trusted only when the mean square is at most this many times the
 * variance; beyond, a centred second pass is made for that point (relative error ~ 1e-16 x this ratio). */
const CANCELLATION_RATIO = 1e6;


/** The rows of one batch that fall in one block of one point. */
interface BlockBatch {
  studyId: number;
  point: number;
  block: number;
  params: Record<string, ParamValue>;
  rows: TrialRow[];
}

interface WriteStatements {
  insertMany: Database.Statement;
  insertOne: Database.Statement;
  insertPoint: Database.Statement;
  blockExists: Database.Statement;
  blockRows: Database.Statement;
  upsertBlock: Database.Statement;
}

class SqliteStore implements Store {
  private readonly studyIds = new Map<string, number>();
  private readonly engineIds = new Map<string, number>();
  private write: WriteStatements | null = null;
  private readonly args = new Array<unknown>(ROWS_PER_STATEMENT * TRIAL_COLUMNS);

  constructor(
    private readonly db: Database.Database,
    private readonly path: string,
    private readonly readonly: boolean,
    /** The file's schema version: an older one (read-only) has no finalLoss moments in its blocks. */
    private readonly version: number,
  ) {}

  get location(): string {
    return this.path;
  }

  private guard<T>(action: () => T): T {
    try {
      return action();
    } catch (error) {
      throw toStoreError(error, this.path);
    }
  }

  private writeStatements(): WriteStatements {
    if (this.readonly) throw new StoreError(`${this.path} was opened for reading only`);
    if (!this.write) {
      const tuple = `(${new Array(TRIAL_COLUMNS).fill('?').join(',')})`;
      this.write = {
        insertMany: this.db.prepare(`INSERT OR IGNORE INTO trials VALUES ${new Array(ROWS_PER_STATEMENT).fill(tuple).join(',')}`),
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
      };
    }
    return this.write;
  }

  private studyId(name: string): number | null {
    const cached = this.studyIds.get(name);
    if (cached !== undefined) return cached;
    const row = this.db.prepare('SELECT id FROM studies WHERE name = ?').get(name) as { id: number } | undefined;
    if (!row) return null;
    this.studyIds.set(name, row.id);
    return row.id;
  }

  private requireStudy(name: string): number {
    const id = this.studyId(name);
    if (id !== null) return id;
    const names = this.db.prepare('SELECT name FROM studies ORDER BY name').pluck().all() as string[];
    const known = names.length ? `studies here: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', ...' : ''}` : 'it holds no studies yet';
    throw new StoreError(`unknown study "${name}" in ${this.path} (${known})`);
  }

  private engineId(engine: string, precision: string): number {
    const key = `${engine}\u0000${precision}`;
    const cached = this.engineIds.get(key);
    if (cached !== undefined) return cached;
    this.db.prepare('INSERT OR IGNORE INTO engines (engine, precision) VALUES (?, ?)').run(engine, precision);
    const id = this.db.prepare('SELECT id FROM engines WHERE engine = ? AND precision = ?').pluck().get(engine, precision) as number;
    this.engineIds.set(key, id);
    return id;
  }

  async ensureStudy(name: string, definition: unknown): Promise<'created' | 'exists'> {
    this.writeStatements();
    return this.guard(() =>
      this.db.transaction((): 'created' | 'exists' => {
        const row = this.db.prepare('SELECT id, definition FROM studies WHERE name = ?').get(name) as { id: number; definition: string } | undefined;
        if (row) {
          // The exact text: key order can matter to the study layer (the order of `sweep` is the axis order), so
          // what counts as the same study in another form is for it to decide before calling here.
          const given = JSON.stringify(definition ?? null);
          if (row.definition !== given) {
            throw new StoreError(`study "${name}" already exists in ${this.path} with a different definition (${describeDifference(row.definition, given)}); use another study name or --db`);
          }
          this.studyIds.set(name, row.id);
          return 'exists';
        }
        const info = this.db
          .prepare('INSERT INTO studies (name, definition, created_at) VALUES (?, ?, ?)')
          .run(name, JSON.stringify(definition ?? null), new Date().toISOString());
        this.studyIds.set(name, Number(info.lastInsertRowid));
        return 'created';
      }).immediate(),
    );
  }

  async getStudy(name: string): Promise<StudyRecord | null> {
    return this.guard(() => {
      const row = this.db.prepare('SELECT id, name, definition, created_at FROM studies WHERE name = ?').get(name) as StudyRowShape | undefined;
      return row ? this.studyRecord(row) : null;
    });
  }

  async listStudies(): Promise<StudyRecord[]> {
    return this.guard(() => {
      const rows = this.db.prepare('SELECT id, name, definition, created_at FROM studies ORDER BY created_at, id').all() as StudyRowShape[];
      return rows.map((row) => this.studyRecord(row));
    });
  }

  private studyRecord(row: StudyRowShape): StudyRecord {
    const counts = this.db
      .prepare('SELECT count(DISTINCT point) AS points, coalesce(sum(trials), 0) AS trials FROM blocks WHERE study_id = ?')
      .get(row.id) as { points: number; trials: number };
    return {
      name: row.name,
      ...readDefinition(row.definition),
      createdAt: row.created_at,
      trialCount: counts.trials,
      pointCount: counts.points,
    };
  }

  private paramsById(studyId: number): Map<number, Record<string, ParamValue>> {
    const rows = this.db.prepare('SELECT point, params FROM points WHERE study_id = ? ORDER BY point').raw().all(studyId) as [number, string][];
    return new Map(rows.map(([point, params]) => [point, readParams(point, params)]));
  }

  async storedRepeats(study: string): Promise<Map<number, Int32Array>> {
    return this.guard(() => {
      const id = this.requireStudy(study);
      const result = new Map<number, Int32Array>();
      const listRepeats = this.db.prepare('SELECT repeat FROM trials WHERE study_id = ? AND point = ? ORDER BY repeat').pluck();
      const points = this.db
        .prepare('SELECT point, sum(trials), max(max_repeat) FROM blocks WHERE study_id = ? GROUP BY point ORDER BY point')
        .raw()
        .all(id) as [number, number, number][];
      for (const [point, count, maxRepeat] of points) {
        if (count === maxRepeat + 1) {
          // count distinct non-negative repeats whose largest is count - 1: exactly 0..count-1, no need to read them.
          const repeats = new Int32Array(count);
          for (let i = 0; i < count; i++) repeats[i] = i;
          result.set(point, repeats);
        } else {
          result.set(point, Int32Array.from(listRepeats.all(id, point) as number[]));
        }
      }
      return result;
    });
  }

  async storedRuns(study: string): Promise<Map<number, Int32Array>> {
    return this.guard(() => {
      const id = this.requireStudy(study);
      const result = new Map<number, Int32Array>();
      // Gaps and islands: repeat - row_number() is constant along a run of consecutive repeats.
      const islands = this.db
        .prepare(
          `SELECT min(repeat), max(repeat) + 1 FROM (SELECT repeat, repeat - row_number() OVER (ORDER BY repeat) AS island
             FROM trials WHERE study_id = ? AND point = ?) GROUP BY island ORDER BY 1`,
        )
        .raw();
      const points = this.db
        .prepare('SELECT point, sum(trials), max(max_repeat) FROM blocks WHERE study_id = ? GROUP BY point ORDER BY point')
        .raw()
        .all(id) as [number, number, number][];
      for (const [point, count, maxRepeat] of points) {
        // count distinct non-negative repeats whose largest is count - 1: exactly one run, 0..count-1.
        if (count === maxRepeat + 1) result.set(point, Int32Array.of(0, count));
        else result.set(point, Int32Array.from((islands.all(id, point) as [number, number][]).flat()));
      }
      return result;
    });
  }

  async insertTrials(rows: readonly TrialRow[]): Promise<number> {
    const statements = this.writeStatements();
    if (rows.length === 0) return 0;
    return this.guard(() => this.db.transaction(() => this.insertBatch(rows, statements)).immediate());
  }

  private insertBatch(rows: readonly TrialRow[], s: WriteStatements): number {
    const blocks = new Map<string, BlockBatch>();
    let inserted = 0;
    let lastStudy: string | null = null;
    let studyId = -1;
    let current: BlockBatch | null = null;
    let lastEngine = '';
    let lastPrecision = '';
    let engineId = -1;
    const args = this.args;
    let filled = 0;
    for (const row of rows) {
      if (!isIndex(row.point) || !isIndex(row.repeat)) {
        throw new StoreError(`trial point and repeat must be integers >= 0, got point ${row.point}, repeat ${row.repeat}`);
      }
      if (row.study !== lastStudy) {
        studyId = this.requireStudy(row.study);
        lastStudy = row.study;
        current = null;
      }
      const block = blockOf(row.repeat);
      if (current === null || current.point !== row.point || current.block !== block) {
        const key: string = `${studyId}:${row.point}:${block}`;
        current = blocks.get(key) ?? null;
        if (current === null) {
          current = { studyId, point: row.point, block, params: row.params, rows: [] };
          blocks.set(key, current);
        }
      }
      current.rows.push(row);
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
    for (let r = 0; r < filled; r++) inserted += s.insertOne.run(args.slice(r * TRIAL_COLUMNS, (r + 1) * TRIAL_COLUMNS)).changes;

    // Each touched block's moments, from all of its rows in repeat order. A block that held no rows before and
    // got every row of this batch (none ignored as a duplicate) has exactly the batch's rows: no need to read
    // them back. Otherwise they are read from the table.
    const allNew = inserted === rows.length;
    let lastPoint = '';
    for (const b of blocks.values()) {
      const pointKey = `${b.studyId}:${b.point}`;
      if (pointKey !== lastPoint) {
        s.insertPoint.run(b.studyId, b.point, JSON.stringify(b.params));
        lastPoint = pointKey;
      }
      let blockRows: readonly BlockRow[];
      if (allNew && s.blockExists.get(b.studyId, b.point, b.block) === undefined) {
        blockRows = isSortedByRepeat(b.rows) ? b.rows : [...b.rows].sort((x, y) => x.repeat - y.repeat);
      } else {
        const first = b.block * BLOCK_REPEATS;
        blockRows = (s.blockRows.all(b.studyId, b.point, first, first + BLOCK_REPEATS - 1) as BlockRowTuple[]).map(blockRow);
      }
      const m = blockMoments(blockRows);
      s.upsertBlock.run(b.studyId, b.point, b.block, m.count, m.n, m.mean, m.m2, m.successes, m.diverged, m.ettN, m.ettSum, m.maxRepeat, m.finalN, m.finalMean, m.finalM2, m.ettM2);
    }
    return inserted;
  }

  /** Per-point moments recomputed from the trial rows in SQL (one GROUP BY scan). */
  private scanMoments(studyId: number): Map<number, Moments> {
    const sums = (column: string) => `count(${column}), coalesce(sum(${column}), 0), coalesce(sum(${column} * ${column}), 0)`;
    const rows = this.db
      .prepare(
        `SELECT point, count(*), sum(success), sum(diverged), max(repeat), ${sums('total_loss')}, ${sums('final_loss')}, ${sums('epochs_to_threshold')}
           FROM trials WHERE study_id = ? GROUP BY point ORDER BY point`,
      )
      .raw()
      .all(studyId) as number[][];
    const result = new Map<number, Moments>();
    for (const [p, count, successes, diverged, maxRepeat, ...metrics] of rows) {
      const moments = (at: number, column: string): [number, number, number] => this.centredMoments(studyId, p, column, metrics[at], metrics[at + 1], metrics[at + 2]);
      const [n, mean, m2] = moments(0, 'total_loss');
      const [finalN, finalMean, finalM2] = moments(3, 'final_loss');
      const [ettN, , ettM2] = moments(6, 'epochs_to_threshold');
      result.set(p, { count, n, mean, m2, finalN, finalMean, finalM2, successes, diverged, ettN, ettSum: metrics[7], ettM2, maxRepeat });
    }
    return result;
  }

  /**
   * [n, mean, m2] from a column's count, sum and sum of squares. sum() in SQLite >= 3.43 is compensated
   * (Kahan-Babuska-Neumaier), so s1 and s2 are accurate; their difference is not when the spread is tiny next to
   * the mean: then a centred second pass over this point's rows.
   */
  private centredMoments(studyId: number, point: number, column: string, n: number, s1: number, s2: number): [number, number, number] {
    if (n === 0) return [0, 0, 0];
    let mean = s1 / n;
    let m2 = s2 - s1 * mean;
    if (n >= 2 && (!(m2 > 0) || s2 / m2 > CANCELLATION_RATIO)) {
      const [sd2, sd] = this.db
        .prepare(`SELECT sum((${column} - ?) * (${column} - ?)), sum(${column} - ?) FROM trials WHERE study_id = ? AND point = ? AND ${column} IS NOT NULL`)
        .raw()
        .get(mean, mean, mean, studyId, point) as [number, number];
      m2 = sd2 - (sd * sd) / n;
      mean += sd / n;
    }
    return [n, mean, Math.max(0, m2)];
  }

  async summarize(study: string): Promise<PointSummary[]> {
    // A file of an older layout, opened for reading, has no finalLoss moments in its blocks: a full scan (a
    // writing command upgrades the file).
    if (this.version < SCHEMA_VERSION) return this.recomputeSummary(study);
    return this.guard(() => {
      const id = this.requireStudy(study);
      const params = this.paramsById(id);
      const rows = this.db
        .prepare(
          `SELECT point, trials, loss_count, loss_mean, loss_m2, successes, diverged, ett_count, ett_sum, max_repeat, final_count, final_mean, final_m2, ett_m2
             FROM blocks WHERE study_id = ? ORDER BY point, block`,
        )
        .raw()
        .all(id) as number[][];
      const result: PointSummary[] = [];
      let point = -1;
      let moments = emptyMoments();
      const finish = (): void => {
        if (point >= 0) result.push(toPointSummary(point, params.get(point) ?? {}, moments));
      };
      for (const [p, count, n, mean, m2, successes, diverged, ettN, ettSum, maxRepeat, finalN, finalMean, finalM2, ettM2] of rows) {
        if (p !== point) {
          finish();
          point = p;
          moments = emptyMoments();
        }
        moments = mergeMoments(moments, { count, n, mean, m2, finalN, finalMean, finalM2, successes, diverged, ettN, ettSum, ettM2, maxRepeat });
      }
      finish();
      return result;
    });
  }

  async recomputeSummary(study: string): Promise<PointSummary[]> {
    return this.guard(() => {
      const id = this.requireStudy(study);
      const params = this.paramsById(id);
      return [...this.scanMoments(id)].map(([point, moments]) => toPointSummary(point, params.get(point) ?? {}, moments));
    });
  }

  async metricValues(study: string, metric: MetricName, options: { point?: number } = {}): Promise<Map<number, PointValues>> {
    if (!METRIC_NAMES.includes(metric)) throw new StoreError(`unknown metric "${String(metric)}"; metrics: ${METRIC_NAMES.join(', ')}`);
    return this.guard(() => {
      const id = this.requireStudy(study);
      const column = METRIC_COLUMNS[metric];
      // Point by point (each a range of the primary key): memory stays O(one point's trials) beyond the result.
      const points = options.point !== undefined ? [options.point] : (this.db.prepare('SELECT DISTINCT point FROM blocks WHERE study_id = ? ORDER BY point').pluck().all(id) as number[]);
      const read = this.db.prepare(`SELECT repeat, ${column} FROM trials WHERE study_id = ? AND point = ? ORDER BY repeat`).raw();
      const result = new Map<number, PointValues>();
      for (const point of points) {
        const rows = read.all(id, point) as [number, number | null][];
        if (rows.length === 0) continue;
        const repeats = new Int32Array(rows.length);
        const values = new Float64Array(rows.length);
        for (let i = 0; i < rows.length; i++) {
          repeats[i] = rows[i][0];
          values[i] = rows[i][1] ?? NaN;
        }
        result.set(point, { repeats, values });
      }
      return result;
    });
  }

  async *iterateTrials(study: string): AsyncGenerator<TrialRow> {
    const { id, params, engines } = this.guard(() => {
      const id = this.requireStudy(study);
      const engineRows = this.db.prepare('SELECT id, engine, precision FROM engines').raw().all() as [number, EngineName, Precision][];
      return { id, params: this.paramsById(id), engines: new Map(engineRows.map(([eid, engine, precision]) => [eid, { engine, precision }])) };
    });
    // Keyset pages of rows, each read with .all() (several times faster per row than a statement iterator, and
    // the connection is free between pages, so an abandoned iteration holds nothing).
    const page = this.db
      .prepare(
        `SELECT point, repeat, seed, total_loss, final_loss, success, epochs_to_threshold, diverged, engine_id
           FROM trials WHERE study_id = ? AND (point, repeat) > (?, ?) ORDER BY point, repeat LIMIT ${ITERATE_PAGE}`,
      )
      .raw();
    let afterPoint = -1;
    let afterRepeat = -1;
    while (true) {
      const rows = this.guard(() => page.all(id, afterPoint, afterRepeat) as unknown[][]);
      for (const r of rows) {
        const engine = engines.get(r[8] as number);
        if (!engine) throw new StoreError(`${this.path} is damaged: a trial of study "${study}" names engine id ${String(r[8])}, which is not in its engines table`);
        yield {
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
      }
      if (rows.length < ITERATE_PAGE) return;
      const last = rows[rows.length - 1];
      afterPoint = last[0] as number;
      afterRepeat = last[1] as number;
    }
  }

  async reserveRepeats(study: string, counts: ReadonlyMap<number, number>): Promise<Map<number, number>> {
    this.writeStatements();
    return this.guard(() =>
      this.db.transaction(() => {
        const id = this.requireStudy(study);
        const storedMax = this.db.prepare('SELECT max(max_repeat) FROM blocks WHERE study_id = ? AND point = ?').pluck();
        const reserved = this.db.prepare('SELECT next_repeat FROM reservations WHERE study_id = ? AND point = ?').pluck();
        const reserve = this.db.prepare('INSERT OR REPLACE INTO reservations (study_id, point, next_repeat) VALUES (?, ?, ?)');
        const firsts = new Map<number, number>();
        for (const [point, count] of counts) {
          if (!isIndex(point) || !isIndex(count)) throw new StoreError(`reserveRepeats: point and count must be integers >= 0, got point ${point}, count ${count}`);
          if (count === 0) continue;
          const afterStored = ((storedMax.get(id, point) as number | null) ?? -1) + 1;
          const first = Math.max(afterStored, (reserved.get(id, point) as number | undefined) ?? 0);
          reserve.run(id, point, first + count);
          firsts.set(point, first);
        }
        return firsts;
      }).immediate(),
    );
  }

  async deleteStudy(study: string): Promise<number> {
    this.writeStatements();
    return this.guard(() =>
      this.db.transaction(() => {
        const id = this.requireStudy(study);
        const trials = this.db.prepare('DELETE FROM trials WHERE study_id = ?').run(id).changes;
        for (const table of ['blocks', 'points', 'reservations']) this.db.prepare(`DELETE FROM ${table} WHERE study_id = ?`).run(id);
        this.db.prepare('DELETE FROM studies WHERE id = ?').run(id);
        this.studyIds.delete(study);
        return trials;
      }).immediate(),
    );
  }

  async renameStudy(study: string, newName: string, definition: unknown): Promise<void> {
    this.writeStatements();
    this.guard(() =>
      this.db.transaction(() => {
        const id = this.requireStudy(study);
        if (this.studyId(newName) !== null) throw new StoreError(`there is already a study "${newName}" in ${this.path}; choose another name, or delete that one first`);
        this.db.prepare('UPDATE studies SET name = ?, definition = ? WHERE id = ?').run(newName, JSON.stringify(definition ?? null), id);
        this.studyIds.delete(study);
        this.studyIds.set(newName, id);
      }).immediate(),
    );
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
    OPEN_CONNECTIONS.delete(this.db);
  }
}

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

interface StudyRowShape {
  id: number;
  name: string;
  definition: string;
  created_at: string;
}

function isSortedByRepeat(rows: readonly TrialRow[]): boolean {
  for (let i = 1; i < rows.length; i++) if (rows[i].repeat < rows[i - 1].repeat) return false;
  return true;
}

function isIndex(x: number): boolean {
  return Number.isInteger(x) && x >= 0;
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
  if (kind !== 'file' && kind !== 'missing') throw new StoreError(`${path} is a ${kind}, not a database file; pass --db with a regular file`);
  if (readonly && kind === 'missing') throw new MissingDatabaseError(`no database at ${path} (run xorlab sweep first, or pass --db <path>)`);
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
    return new SqliteStore(db, path, readonly, version);
  } catch (error) {
    db.close();
    OPEN_CONNECTIONS.delete(db);
    throw toStoreError(error, path);
  }
}
