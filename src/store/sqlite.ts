// The embedded store: one SQLite file (better-sqlite3), WAL mode, one writer.
//
// Why this schema (lean, because storing must keep up with the engine at > 200,000 trials/s):
// - `trials` is WITHOUT ROWID with PRIMARY KEY (study_id, point, repeat): the key that makes duplicates impossible
//   is the table's own b-tree, so there is no second index to maintain on insert, rows of a point lie together
//   in key order, and `GROUP BY point` for one study is a single ordered range scan with no sort.
// - Parameter values live once per point in `points` (JSON), not in every trial row.
// - The study name lives once in `studies`; trials carry its small integer id.
// - PRAGMA application_id marks the file as ours, so a foreign SQLite file is recognised and never migrated.
//
// Durability: WAL + synchronous=NORMAL. A transaction is committed once its frames are in the WAL (written to the
// OS); a SIGKILL of this process cannot lose what the OS already holds, and an uncommitted batch is simply
// absent from the WAL's commit chain, so recovery ignores it. NORMAL only skips the fsync per commit: a power
// cut may roll back the last commits, never corrupt the file.
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { StoreError, type OpenStoreOptions, type ParamValue, type PointSummary, type Store, type StudyRecord, type TrialRow } from './types.js';

/** 'XorL' in ASCII: written into the SQLite header of every database this store creates. */
export const XORLAB_APPLICATION_ID = 0x586f724c;
export const SCHEMA_VERSION = 1;
/** How long to wait for another connection's lock before reporting it (ms). */
export const BUSY_TIMEOUT_MS = 1000;
/** Rows per multi-row INSERT statement: fewer statement executions per batch (11 columns x 100 = 1,100 params). */
const ROWS_PER_STATEMENT = 100;
const TRIAL_COLUMNS = 11;

const SCHEMA_SQL = `
CREATE TABLE studies (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  definition TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE points (
  study_id INTEGER NOT NULL,
  point INTEGER NOT NULL,
  params TEXT NOT NULL,
  PRIMARY KEY (study_id, point)
) WITHOUT ROWID;
CREATE TABLE trials (
  study_id INTEGER NOT NULL,
  point INTEGER NOT NULL,
  repeat INTEGER NOT NULL,
  seed INTEGER NOT NULL,
  total_loss REAL,
  final_loss REAL,
  success INTEGER NOT NULL,
  epochs_to_threshold INTEGER,
  diverged INTEGER NOT NULL,
  engine TEXT NOT NULL,
  precision TEXT NOT NULL,
  PRIMARY KEY (study_id, point, repeat)
) WITHOUT ROWID;
`;

/** Variance from sums is recomputed with a centred second pass when mean^2 dwarfs the variance by this much. */
const CANCELLATION_RATIO = 1e6;

type Row = Record<string, unknown>;

/** Turns a better-sqlite3 error into one line that says what is wrong with the file at `path`. */
export function toStoreError(error: unknown, path: string): Error {
  if (error instanceof StoreError) return error;
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : '';
  if (!code.startsWith('SQLITE_')) return error instanceof Error ? error : new Error(String(error));
  const message = (error as Error).message;
  if (code === 'SQLITE_NOTADB') return new StoreError(`${path} is not an SQLite database (file is not a database); pass --db with an xorlab database or a new file name`);
  if (code.startsWith('SQLITE_CORRUPT')) return new StoreError(`${path} is corrupt (${message}); it was left as it is — restore it from a copy or use another --db`);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StoreError(`${path} is locked by another process (probably another xorlab sweep or a program holding it open); try again when it has finished`);
  }
  if (code.startsWith('SQLITE_READONLY')) return new StoreError(`${path} cannot be written (read-only file or directory: ${message})`);
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_PERM') || code.startsWith('SQLITE_AUTH')) {
    return new StoreError(`cannot open ${path} (${message}); check that the file and its directory exist and are writable`);
  }
  if (code === 'SQLITE_FULL') return new StoreError(`${path}: the disk is full; nothing more was stored`);
  if (code.startsWith('SQLITE_IOERR')) return new StoreError(`${path}: input/output error (${message})`);
  return new StoreError(`${path}: ${message}`);
}

/** JSON with object keys sorted, so that two equal definitions compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.keys(v as Row).sort().map((k) => [k, (v as Row)[k]]));
    }
    return v;
  });
}

class SqliteStore implements Store {
  private readonly studyIds = new Map<string, number>();
  /** `${studyId}:${point}` of points whose params row this connection has already written or seen. */
  private readonly knownPoints = new Set<string>();
  private readonly insertMany: Database.Statement | null;
  private readonly insertOne: Database.Statement | null;
  private readonly insertPoint: Database.Statement | null;
  private readonly batchArgs = new Array<unknown>(ROWS_PER_STATEMENT * TRIAL_COLUMNS);

  constructor(
    private readonly db: Database.Database,
    private readonly path: string,
    readonly: boolean,
  ) {
    if (readonly) {
      this.insertMany = this.insertOne = this.insertPoint = null;
    } else {
      const tuple = `(${new Array(TRIAL_COLUMNS).fill('?').join(',')})`;
      this.insertMany = db.prepare(`INSERT OR IGNORE INTO trials VALUES ${new Array(ROWS_PER_STATEMENT).fill(tuple).join(',')}`);
      this.insertOne = db.prepare(`INSERT OR IGNORE INTO trials VALUES ${tuple}`);
      this.insertPoint = db.prepare('INSERT OR IGNORE INTO points (study_id, point, params) VALUES (?, ?, ?)');
    }
  }

  private guard<T>(action: () => T): T {
    try {
      return action();
    } catch (error) {
      throw toStoreError(error, this.path);
    }
  }

  private writable(): { insertMany: Database.Statement; insertOne: Database.Statement; insertPoint: Database.Statement } {
    if (!this.insertMany || !this.insertOne || !this.insertPoint) throw new StoreError(`${this.path} was opened for reading only`);
    return { insertMany: this.insertMany, insertOne: this.insertOne, insertPoint: this.insertPoint };
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
    const names = (this.db.prepare('SELECT name FROM studies ORDER BY name').pluck().all() as string[]);
    const known = names.length ? `studies here: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', ...' : ''}` : 'it holds no studies yet';
    throw new StoreError(`unknown study "${name}" in ${this.path} (${known})`);
  }

  ensureStudy(name: string, definition: unknown): 'created' | 'exists' {
    this.writable();
    return this.guard(() =>
      this.db.transaction((): 'created' | 'exists' => {
        const row = this.db.prepare('SELECT id, definition FROM studies WHERE name = ?').get(name) as { id: number; definition: string } | undefined;
        if (row) {
          const stored = canonicalJson(JSON.parse(row.definition));
          if (stored !== canonicalJson(definition)) {
            throw new StoreError(`study "${name}" already exists in ${this.path} with a different definition (${describeDifference(JSON.parse(row.definition), definition)}); choose another study name`);
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

  getStudy(name: string): StudyRecord | null {
    return this.guard(() => {
      const row = this.db.prepare('SELECT id, name, definition, created_at FROM studies WHERE name = ?').get(name) as StudyRowShape | undefined;
      return row ? this.studyRecord(row) : null;
    });
  }

  listStudies(): StudyRecord[] {
    return this.guard(() => {
      const rows = this.db.prepare('SELECT id, name, definition, created_at FROM studies ORDER BY created_at, id').all() as StudyRowShape[];
      return rows.map((row) => this.studyRecord(row));
    });
  }

  private studyRecord(row: StudyRowShape): StudyRecord {
    // GROUP BY point follows the primary key: one ordered range scan, no temporary b-tree.
    const counts = this.db
      .prepare('SELECT count(*) AS points, coalesce(sum(c), 0) AS trials FROM (SELECT count(*) AS c FROM trials WHERE study_id = ? GROUP BY point)')
      .get(row.id) as { points: number; trials: number };
    return {
      name: row.name,
      definition: JSON.parse(row.definition) as unknown,
      createdAt: row.created_at,
      trialCount: counts.trials,
      pointCount: counts.points,
    };
  }

  /** Params of every point of a study that has a points row. */
  pointParams(study: string): Map<number, Record<string, ParamValue>> {
    return this.guard(() => this.paramsById(this.requireStudy(study)));
  }

  private paramsById(studyId: number): Map<number, Record<string, ParamValue>> {
    const rows = this.db.prepare('SELECT point, params FROM points WHERE study_id = ? ORDER BY point').raw().all(studyId) as [number, string][];
    return new Map(rows.map(([point, params]) => [point, JSON.parse(params) as Record<string, ParamValue>]));
  }

  storedRepeats(study: string): Map<number, Int32Array> {
    return this.guard(() => {
      const id = this.requireStudy(study);
      const result = new Map<number, Int32Array>();
      // Most points hold repeats 0..n-1 without gaps: those are known from one aggregate scan; only points with
      // gaps have their repeat indices read one by one.
      const ranges = this.db
        .prepare('SELECT point, count(*), min(repeat), max(repeat) FROM trials WHERE study_id = ? GROUP BY point')
        .raw()
        .all(id) as [number, number, number, number][];
      const listRepeats = this.db.prepare('SELECT repeat FROM trials WHERE study_id = ? AND point = ? ORDER BY repeat').pluck();
      for (const [point, count, min, max] of ranges) {
        if (min === 0 && max === count - 1) {
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

  insertTrials(rows: readonly TrialRow[]): number {
    const { insertMany, insertOne, insertPoint } = this.writable();
    if (rows.length === 0) return 0;
    return this.guard(() =>
      this.db.transaction((): number => {
        let inserted = 0;
        let lastStudy = '';
        let lastId = -1;
        const args = this.batchArgs;
        let filled = 0;
        for (const row of rows) {
          if (row.study !== lastStudy) {
            lastId = this.requireStudy(row.study);
            lastStudy = row.study;
          }
          const pointKey = `${lastId}:${row.point}`;
          if (!this.knownPoints.has(pointKey)) {
            insertPoint.run(lastId, row.point, JSON.stringify(row.params));
            this.knownPoints.add(pointKey);
          }
          const at = filled * TRIAL_COLUMNS;
          args[at] = lastId;
          args[at + 1] = row.point;
          args[at + 2] = row.repeat;
          args[at + 3] = row.seed;
          args[at + 4] = row.totalLoss;
          args[at + 5] = row.finalLoss;
          args[at + 6] = row.success ? 1 : 0;
          args[at + 7] = row.epochsToThreshold;
          args[at + 8] = row.diverged ? 1 : 0;
          args[at + 9] = row.engine;
          args[at + 10] = row.precision;
          filled++;
          if (filled === ROWS_PER_STATEMENT) {
            inserted += insertMany.run(...args).changes;
            filled = 0;
          }
        }
        for (let r = 0; r < filled; r++) {
          inserted += insertOne.run(...args.slice(r * TRIAL_COLUMNS, (r + 1) * TRIAL_COLUMNS)).changes;
        }
        return inserted;
      })(),
    );
  }

  summarize(study: string): PointSummary[] {
    return this.guard(() => {
      const id = this.requireStudy(study);
      const params = this.paramsById(id);
      // One ordered range scan over the study's rows. sum() in SQLite >= 3.43 uses Kahan-Babuska-Neumaier
      // summation; the variance from sums is only trusted when it is not a small difference of large numbers
      // (see CANCELLATION_RATIO), else that point is recomputed with a centred second pass.
      const rows = this.db
        .prepare(
          `SELECT point, count(*), count(total_loss), sum(total_loss), sum(total_loss * total_loss),
                  sum(success), sum(diverged), avg(epochs_to_threshold)
             FROM trials WHERE study_id = ? GROUP BY point ORDER BY point`,
        )
        .raw()
        .all(id) as [number, number, number, number | null, number | null, number, number, number | null][];
      const centred = this.db.prepare(
        'SELECT sum((total_loss - ?1) * (total_loss - ?1)), sum(total_loss - ?1) FROM trials WHERE study_id = ?2 AND point = ?3 AND total_loss IS NOT NULL',
      ).raw();
      return rows.map(([point, count, n, s1, s2, successes, diverged, ett]): PointSummary => {
        const mean = n > 0 && s1 !== null ? s1 / n : null;
        let variance: number | null = null;
        if (n >= 2 && mean !== null && s2 !== null) {
          variance = (s2 - s1! * mean) / (n - 1);
          const meanSquare = s2 / n;
          if (!(variance > 0) || meanSquare / variance > CANCELLATION_RATIO) {
            // Corrected two-pass formula: sum(d^2) - (sum d)^2 / n with d = x - mean.
            const [sd2, sd] = centred.get(mean, id, point) as [number, number];
            variance = Math.max(0, (sd2 - (sd * sd) / n) / (n - 1));
          }
        }
        const std = variance === null ? null : Math.sqrt(variance);
        return {
          point,
          params: params.get(point) ?? {},
          count,
          lossCount: n,
          mean,
          std,
          stderr: std === null ? null : std / Math.sqrt(n),
          successRate: count > 0 ? successes / count : 0,
          diverged,
          meanEpochsToThreshold: ett,
        };
      });
    });
  }

  iterateTrials(study: string): Iterable<TrialRow> {
    const id = this.guard(() => this.requireStudy(study));
    const params = this.guard(() => this.paramsById(id));
    const statement = this.db.prepare(
      `SELECT point, repeat, seed, total_loss, final_loss, success, epochs_to_threshold, diverged, engine, precision
         FROM trials WHERE study_id = ? ORDER BY point, repeat`,
    ).raw();
    const path = this.path;
    return {
      *[Symbol.iterator](): Iterator<TrialRow> {
        let iterator: IterableIterator<unknown[]>;
        try {
          iterator = statement.iterate(id) as IterableIterator<unknown[]>;
        } catch (error) {
          throw toStoreError(error, path);
        }
        while (true) {
          let next: IteratorResult<unknown[]>;
          try {
            next = iterator.next();
          } catch (error) {
            throw toStoreError(error, path);
          }
          if (next.done) return;
          const r = next.value;
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
            engine: r[8] as string,
            precision: r[9] as string,
          };
        }
      },
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

interface StudyRowShape {
  id: number;
  name: string;
  definition: string;
  created_at: string;
}

function describeDifference(stored: unknown, given: unknown): string {
  if (stored && given && typeof stored === 'object' && typeof given === 'object' && !Array.isArray(stored) && !Array.isArray(given)) {
    const a = stored as Row;
    const b = given as Row;
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    const differing = keys.filter((k) => canonicalJson(a[k]) !== canonicalJson(b[k]));
    if (differing.length) return `differs in ${differing.slice(0, 5).join(', ')}${differing.length > 5 ? ', ...' : ''}`;
  }
  return 'differs';
}

/** Opens (for writing: creates if missing) an xorlab SQLite database. Every problem is a StoreError. */
export function openSqliteStore(path: string, options: OpenStoreOptions = {}): Store {
  const readonly = options.readonly ?? false;
  const shown = path;
  const absolute = resolve(path);
  if (existsSync(absolute) && statSync(absolute).isDirectory()) throw new StoreError(`${shown} is a directory, not a database file`);
  if (readonly && !existsSync(absolute)) throw new StoreError(`no database at ${shown} (run xorlab sweep first, or pass --db <path>)`);
  if (!readonly && !existsSync(absolute) && !existsSync(dirname(absolute))) throw new StoreError(`cannot create ${shown}: directory ${dirname(absolute)} does not exist`);
  let db: Database.Database;
  try {
    db = new Database(absolute, { readonly, fileMustExist: readonly, timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw toStoreError(error, shown);
  }
  try {
    prepareDatabase(db, shown, readonly);
    return new SqliteStore(db, shown, readonly);
  } catch (error) {
    db.close();
    throw toStoreError(error, shown);
  }
}

/** Checks that the file is ours (or a brand-new empty one, when writing), then sets the connection up. */
function prepareDatabase(db: Database.Database, path: string, readonly: boolean): void {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const tableCount = db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").pluck().get() as number;
  if (applicationId === XORLAB_APPLICATION_ID) {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) throw new StoreError(`${path} was written by a newer xorlab (schema ${version}, this one reads ${SCHEMA_VERSION}); upgrade xorlab`);
  } else if (tableCount > 0 || applicationId !== 0) {
    throw new StoreError(`${path} is an SQLite database but not an xorlab database; it was left as it is — pass --db with another file`);
  } else if (readonly) {
    throw new StoreError(`${path} holds no xorlab data (an empty SQLite file)`);
  }
  // Larger page cache and memory-mapped reads: summaries scan millions of rows.
  db.pragma('cache_size = -65536');
  db.pragma('mmap_size = 1073741824');
  if (readonly) return;
  if (applicationId !== XORLAB_APPLICATION_ID) {
    db.pragma('journal_mode = WAL');
    db.transaction(() => {
      db.exec(SCHEMA_SQL);
      db.pragma(`application_id = ${XORLAB_APPLICATION_ID}`);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).immediate();
  } else if ((db.pragma('journal_mode', { simple: true }) as string) !== 'wal') {
    db.pragma('journal_mode = WAL');
  }
  db.pragma('synchronous = NORMAL');
}
