// The SQLite schema, and the checks that a file is ours before anything is written to it.
//
// Why this shape (lean, because storing must keep up with the engine at > 200,000 trials/s and a summary of
// millions of trials must take well under a second):
// - `trials` is WITHOUT ROWID with PRIMARY KEY (study_id, point, repeat): the key that makes duplicates
//   impossible is the table's own b-tree (no second index to maintain per insert), and a point's rows lie
//   together in key order.
// - The study name lives once in `studies`, the engine/precision pair once in `engines`; trials carry small
//   integer ids (text columns cost ~25% of the insert rate, measured).
// - `points` holds each point's parameter values (JSON, once per point, not per trial).
// - `blocks` holds the aggregates (count, mean, m2, ...) of each block of 256 repeats of a point, rewritten in the
//   same transaction as the trial rows (../moments.ts: they depend only on the stored rows, not on batching).
//   A GROUP BY over 4,000,000 rows costs ~1.8 s of CPU here; merging 16,000 block rows a few milliseconds. The
//   full-scan GROUP BY stays available (Store.recomputeSummary) to check them.
// - PRAGMA application_id marks the file as ours: a foreign SQLite file is recognised and never migrated.
// - `reservations` holds, per point, the next repeat index nobody has claimed (Store.reserveRepeats): two runs that
//   add trials at once get different indices. Added after schema 2 was released, so it is created where missing.
// - `trial_rows` is a view for people and pandas: one row per trial with the study's name and every configuration
//   value as a column (docs/databases.md: "The database, for SQL and pandas"). It is recreated whenever its definition changes (a new parameter).
import type Database from 'better-sqlite3';
import { PARAMETER_NAMES } from '../../config/parameters.js';
import { BLOCK_REPEATS, blockMoments, type BlockRow } from '../moments.js';
import { StoreError } from '../types.js';

/** 'XorL' in ASCII: written into the SQLite header of every database this store creates. */
export const XORLAB_APPLICATION_ID = 0x586f724c;
/** 3: the blocks also hold finalLoss's moments and epochsToThreshold's m2. 2: aggregates per block of repeats
 * (upgraded in place when opened for writing; read as it is). 1 was a development layout,
 * never released. */
export const SCHEMA_VERSION = 3;
/** The oldest layout this version reads (summaries by a full scan) and upgrades when it writes. */
const OLDEST_READABLE_VERSION = 2;

const SCHEMA_SQL = `
CREATE TABLE studies (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  definition TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE engines (
  id INTEGER PRIMARY KEY,
  engine TEXT NOT NULL,
  precision TEXT NOT NULL,
  UNIQUE (engine, precision)
);
CREATE TABLE points (
  study_id INTEGER NOT NULL,
  point INTEGER NOT NULL,
  params TEXT NOT NULL,
  PRIMARY KEY (study_id, point)
) WITHOUT ROWID;
CREATE TABLE blocks (
  study_id INTEGER NOT NULL,
  point INTEGER NOT NULL,
  block INTEGER NOT NULL,
  trials INTEGER NOT NULL,
  loss_count INTEGER NOT NULL,
  loss_mean REAL NOT NULL,
  loss_m2 REAL NOT NULL,
  successes INTEGER NOT NULL,
  diverged INTEGER NOT NULL,
  ett_count INTEGER NOT NULL,
  ett_sum INTEGER NOT NULL,
  max_repeat INTEGER NOT NULL,
  final_count INTEGER NOT NULL DEFAULT 0,
  final_mean REAL NOT NULL DEFAULT 0,
  final_m2 REAL NOT NULL DEFAULT 0,
  ett_m2 REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (study_id, point, block)
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
  engine_id INTEGER NOT NULL,
  PRIMARY KEY (study_id, point, repeat)
) WITHOUT ROWID;
`;

/** The tables every xorlab database of this schema has; a file with xorlab's mark and not these is damaged. */
const CORE_TABLES = ['studies', 'engines', 'points', 'blocks', 'trials'];

const RESERVATIONS_SQL = `CREATE TABLE IF NOT EXISTS reservations (
  study_id INTEGER NOT NULL,
  point INTEGER NOT NULL,
  next_repeat INTEGER NOT NULL,
  PRIMARY KEY (study_id, point)
) WITHOUT ROWID`;

/** A configuration value at a point: the swept value where the parameter is swept, else the study's base config.
 * `hidden` is text, "2" or "4,4" (a swept hidden is one layer of n units). */
function configColumn(name: string): string {
  const swept = `json_extract(p.params, '$.${name}')`;
  const base =
    name === 'hidden'
      ? `(SELECT group_concat(value, ',') FROM json_each(s.definition, '$.config.hidden'))`
      : `json_extract(s.definition, '$.config.${name}')`;
  const value = name === 'hidden' ? `CAST(${swept} AS TEXT)` : swept;
  return `CASE WHEN json_type(p.params, '$.${name}') IS NULL THEN ${base} ELSE ${value} END AS "${name}"`;
}

/** One row per trial: study, point, repeat, every configuration value, seed, the metrics, engine and precision.
 * Each point's configuration is worked out once (the materialized CTE), not once per trial. */
const TRIAL_ROWS_SQL = `CREATE VIEW trial_rows AS
WITH point_config AS MATERIALIZED (
  SELECT p.study_id, p.point, s.name AS study,
    ${PARAMETER_NAMES.map(configColumn).join(',\n    ')}
  FROM points p JOIN studies s ON s.id = p.study_id
)
SELECT c.study, t.point, t.repeat,
  ${PARAMETER_NAMES.map((name) => `c."${name}"`).join(', ')},
  t.seed, t.total_loss AS totalLoss, t.final_loss AS finalLoss, t.success, t.epochs_to_threshold AS epochsToThreshold,
  t.diverged, e.engine, e.precision
FROM trials t
JOIN point_config c ON c.study_id = t.study_id AND c.point = t.point
JOIN engines e ON e.id = t.engine_id`;

/** Creates what later releases of schema 2 added (the reservations table, the trial_rows view) where missing or
 * out of date. Writing connections only. */
function addLaterObjects(db: Database.Database): void {
  const view = db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'view' AND name = 'trial_rows'").pluck().get() as
    string | undefined;
  const hasReservations =
    db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'reservations'").pluck().get() !==
    undefined;
  if (view === TRIAL_ROWS_SQL && hasReservations) return;
  db.transaction(() => {
    db.exec(RESERVATIONS_SQL);
    if (view !== TRIAL_ROWS_SQL) {
      db.exec('DROP VIEW IF EXISTS trial_rows');
      db.exec(TRIAL_ROWS_SQL);
    }
  }).immediate();
}

/** Refuses a database whose pages do not hold together (garbage written over part of it), before anything is
 * written to it: one pass over every page (about 0.5 s of CPU per 4,000,000 trials). */
function checkIntegrity(db: Database.Database, path: string): void {
  const problems = db.pragma(`quick_check(${INTEGRITY_FINDINGS})`, { simple: false }) as { quick_check: string }[];
  if (problems.length === 1 && problems[0].quick_check === 'ok') return;
  throw new StoreError(
    `${path} is corrupt (the integrity check found: ${integrityFindings(problems.map((p) => p.quick_check))}); it was left as it is — restore it from a copy or pass another --db`,
  );
}

/** How many findings the integrity check lists at most (it stops there). */
const INTEGRITY_FINDINGS = 100;

/** The integrity check's findings as one line: the first and how many more. A finding can span lines (SQLite starts
 * the first with "*** in database main ***"), so they are split into lines first. */
function integrityFindings(rows: readonly string[]): string {
  const findings = rows
    .flatMap((row) => row.split('\n'))
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^\*\*\* in database \S+ \*\*\*$/.test(line));
  if (findings.length === 0) return 'an unnamed problem';
  const first = findings[0].length > 200 ? `${findings[0].slice(0, 200)}...` : findings[0];
  const more = findings.length - 1;
  if (more === 0) return first;
  return `${first}, and ${more}${rows.length >= INTEGRITY_FINDINGS ? '+' : ''} more`;
}

/** The columns version 3 added to `blocks` (a version-2 file gets them by ALTER TABLE, in this order). */
const V3_BLOCK_COLUMNS = [
  'final_count INTEGER NOT NULL DEFAULT 0',
  'final_mean REAL NOT NULL DEFAULT 0',
  'final_m2 REAL NOT NULL DEFAULT 0',
  'ett_m2 REAL NOT NULL DEFAULT 0',
];

/**
 * Checks that the file is an xorlab database (or, when writing, a brand-new empty file, which gets the schema),
 * then sets the connection up. Nothing is written to a file that is not ours. Returns the file's schema version
 * (an older readable one is upgraded by the caller when it writes).
 */
export function prepareDatabase(db: Database.Database, path: string, readonly: boolean): number {
  // The first read of the header: "file is not a database" and many corruptions surface here.
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[];
  const tableCount = tables.length;
  let version = SCHEMA_VERSION;
  if (applicationId === XORLAB_APPLICATION_ID) {
    version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new StoreError(
        `${path} was written by a newer xorlab (schema ${version}; this one reads up to ${SCHEMA_VERSION}); upgrade xorlab`,
      );
    }
    if (version < OLDEST_READABLE_VERSION) {
      throw new StoreError(
        `${path} has the layout of a development version of xorlab (schema ${version}, now ${SCHEMA_VERSION}); it was left as it is — run the sweep again into a new --db`,
      );
    }
    const missing = CORE_TABLES.filter((name) => !tables.includes(name));
    if (missing.length) {
      throw new StoreError(
        `${path} carries xorlab's mark but lacks its table${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: it is damaged; it was left as it is — restore it from a copy or pass another --db`,
      );
    }
    // Before anything is written: a database with damaged pages takes no new rows.
    if (!readonly) checkIntegrity(db, path);
  } else if (tableCount > 0 || applicationId !== 0) {
    throw new StoreError(
      `${path} is an SQLite database but not an xorlab database; it was left as it is — pass --db with another file`,
    );
  } else if (readonly) {
    throw new StoreError(`${path} holds no xorlab data (an empty SQLite file); run xorlab sweep --db ${path} first`);
  }
  db.pragma('cache_size = -65536');
  if (readonly) return version;
  if (applicationId !== XORLAB_APPLICATION_ID) {
    db.pragma('journal_mode = WAL');
    db.transaction(() => {
      // Another process may have created the schema since the check above (two sweeps starting together).
      if ((db.pragma('application_id', { simple: true }) as number) === XORLAB_APPLICATION_ID) return;
      db.exec(SCHEMA_SQL);
      db.pragma(`application_id = ${XORLAB_APPLICATION_ID}`);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).immediate();
  } else if ((db.pragma('journal_mode', { simple: true }) as string) !== 'wal') {
    db.pragma('journal_mode = WAL');
  }
  addLaterObjects(db);
  // WAL + NORMAL: a commit is durable against a killed process (its frames are in the OS), and a batch that was
  // not committed is not in the WAL's commit chain, so recovery drops it; only a power cut can lose the last
  // commits, and it cannot corrupt the file. FULL would fsync every batch for no gain against SIGKILL.
  db.pragma('synchronous = NORMAL');
  if (version < SCHEMA_VERSION) upgradeToV3(db);
  return SCHEMA_VERSION;
}

/**
 * Version 2 -> 3, in one transaction: the new block columns, filled by recomputing every block from its rows in
 * repeat order (the same computation as an insert, so an upgraded file summarises to the same bits as one written
 * by this version). O(trials), once: about a second per million trials.
 */
function upgradeToV3(db: Database.Database): void {
  db.transaction(() => {
    if ((db.pragma('user_version', { simple: true }) as number) >= 3) return; // another process upgraded it meanwhile
    for (const column of V3_BLOCK_COLUMNS) db.exec(`ALTER TABLE blocks ADD COLUMN ${column}`);
    const blocks = db.prepare('SELECT study_id, point, block FROM blocks').raw().all() as [number, number, number][];
    const rows = db
      .prepare(
        'SELECT repeat, total_loss, final_loss, success, diverged, epochs_to_threshold FROM trials WHERE study_id = ? AND point = ? AND repeat BETWEEN ? AND ? ORDER BY repeat',
      )
      .raw();
    const update = db.prepare(
      'UPDATE blocks SET final_count = ?, final_mean = ?, final_m2 = ?, ett_m2 = ? WHERE study_id = ? AND point = ? AND block = ?',
    );
    for (const [study, point, block] of blocks) {
      const first = block * BLOCK_REPEATS;
      const m = blockMoments(
        (rows.all(study, point, first, first + BLOCK_REPEATS - 1) as BlockRowTuple[]).map(blockRow),
      );
      update.run(m.finalN, m.finalMean, m.finalM2, m.ettM2, study, point, block);
    }
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/** A trial row as the block queries select it: repeat, total_loss, final_loss, success, diverged, epochs_to_threshold. */
export type BlockRowTuple = [number, number | null, number | null, number, number, number | null];

export function blockRow([
  repeat,
  totalLoss,
  finalLoss,
  success,
  diverged,
  epochsToThreshold,
]: BlockRowTuple): BlockRow {
  return { repeat, totalLoss, finalLoss, success: success === 1, diverged: diverged === 1, epochsToThreshold };
}
