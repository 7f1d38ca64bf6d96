// What a database must do for the shared store (./store.ts): a few primitives, each one atomic in its database.
// Everything that is the same algorithm whatever the database (validating rows, grouping them by block, folding
// block aggregates into a point's summary, the unknown-study and unknown-metric errors, paging, the shortcut for a
// point stored without gaps) lives in ./store.ts and ./rows.ts, once. A driver only reads and writes.
//
// `K` is how the driver names a study internally (SQLite's and PostgreSQL's integer id; MongoDB's name and parsed
// definition). The store resolves names to keys (and caches them) before it calls a primitive that takes one.
// A primitive may answer at once (SQLite, synchronous, one transaction per call) or with a promise.
import type { Moments } from '../moments.js';
import type { MetricName, ParamValue, TrialRow } from '../types.js';

type Awaitable<T> = T | Promise<T>;

/** A study as a driver reads it: the definition as stored text, the counts from the block aggregates. */
export interface StudyEntry {
  name: string;
  definition: string;
  createdAt: string; // ISO time
  trialCount: number;
  pointCount: number;
}

/** The rows of one batch that fall in one block (BLOCK_REPEATS consecutive repeats) of one point of one study. */
export interface BlockBatch<K> {
  study: string;
  key: K;
  point: number;
  block: number;
  /** The parameter values of the block's first row (every row of a point has the same). */
  params: Record<string, ParamValue>;
  /** In batch order, duplicates included (the first of a (point, repeat) sent twice is the one stored). */
  rows: TrialRow[];
}

/** A validated batch of rows, as the store hands it to a driver. */
export interface TrialBatch<K> {
  /** In the caller's order. */
  rows: readonly TrialRow[];
  /** Each study named by a row, and its key. */
  keys: ReadonlyMap<string, K>;
  /** Sorted by (study name, point, block): writers that take locks or insert points in this order never wait on
   * each other in a cycle. */
  blocks: BlockBatch<K>[];
}

/** One page of a study's trials in (point, repeat) order after (afterPoint, afterRepeat), at most `limit` rows. */
export type TrialPageReader = (afterPoint: number, afterRepeat: number, limit: number) => Awaitable<TrialRow[]>;

export interface StoreDriver<K> {
  /** Where the database is, for messages (a password shown as ***). */
  readonly location: string;
  /** Turns what a primitive threw into what the caller sees: the database's own errors become one-line
   * StoreErrors; a StoreError passes as it is. */
  toStoreError(error: unknown): Error;

  /** The study's key, or null when there is no study of that name. */
  studyKey(name: string): Awaitable<K | null>;
  /** Up to `limit` study names in name order (for the unknown-study message). */
  studyNames(limit: number): Awaitable<string[]>;
  /** Creates the study with this definition text, atomically: null when it was created, else the text stored. */
  createStudy(name: string, definition: string): Awaitable<string | null>;
  /** One study (by name) or all of them in creation order. */
  studies(name?: string): Awaitable<StudyEntry[]>;
  /** Deletes the study and everything kept about it, in one transaction; returns the trials deleted. */
  deleteStudy(key: K, name: string): Awaitable<number>;
  /** Renames the study and stores `definition` in place of its own, in one transaction; throws studyTaken() when
   * `newName` exists. */
  renameStudy(key: K, name: string, newName: string, definition: string): Awaitable<void>;

  /** Each point's parameter values. */
  pointParams(key: K): Awaitable<Map<number, Record<string, ParamValue>>>;
  /** [point, trials, largest repeat] of every point with a trial, in point order, from the block aggregates. */
  pointTotals(key: K): Awaitable<[number, number, number][]>;
  /** The stored repeats of each of `points` as sorted disjoint runs [s0, e0, s1, e1, ...] (a scan of the rows). */
  repeatRuns(key: K, points: readonly number[]): Awaitable<Map<number, number[]>>;
  /** Every block's aggregates in (point, block) order, or null when the database's layout keeps not all of them
   * (an older SQLite file opened for reading: the store then recomputes from the rows). */
  readBlocks(key: K): Awaitable<Iterable<readonly [number, Moments]> | null>;
  /** Each point's aggregates recomputed from every stored row (a full scan), in point order. */
  scanMoments(key: K): Awaitable<Iterable<readonly [number, Moments]>>;
  /** [repeat, value] of one metric of every trial at a point, in repeat order (the value as the database gives it:
   * null, a number, or a boolean / 0-1 for success). */
  readMetric(key: K, metric: MetricName, point: number): Awaitable<readonly (readonly unknown[])[]>;
  /** A reader of the study's trials page by page (what it needs, such as the engine names, read once). */
  trialPages(key: K, study: string): Awaitable<TrialPageReader>;

  /**
   * Inserts the batch's rows (an existing (study, point, repeat) is left as it is; of a key sent twice the first is
   * stored) and rewrites the aggregates of every block it touches from all of that block's rows in repeat order
   * (blockMoments), all in one transaction. Returns the rows inserted.
   */
  writeTrials(batch: TrialBatch<K>): Awaitable<number>;
  /**
   * Replaces the results of stored rows: for each of the batch's keys already stored, its metrics, diverged flag,
   * engine and precision become the row's (seed and params stay), and the aggregates of every block the batch
   * touches are rewritten from all of that block's rows in repeat order, all in one transaction. A key not stored
   * is not inserted. Returns the rows replaced.
   */
  replaceTrials(batch: TrialBatch<K>): Awaitable<number>;
  /** Reserves `count` new repeats at each point after everything stored or reserved there (firstFree), in one
   * atomic step; returns the first reserved index per point. Counts are > 0. */
  reserve(key: K, wanted: readonly (readonly [number, number])[]): Awaitable<Map<number, number>>;
  close(): Promise<void>;
}
