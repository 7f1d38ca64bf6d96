// The store interface: where a study's trials are kept. SQLite (src/store/sqlite/); PostgreSQL and MongoDB behind
// the same interface (one implementation, src/store/core/store.ts, over each database's driver). Changes are
// additive and announced by commits starting "store API:".

import type { EngineName, ParamValue, Precision } from '../config/parameters.js';
import { XorlabError } from '../text/errors.js';

export type { ParamValue };

/** A study as the store lists it: its stored definition and how many trials and points it holds. */
export interface StudyRecord {
  name: string;
  /** The study's full definition as validated JSON (the study layer owns its schema; the store keeps it verbatim). */
  definition: unknown;
  /** Why the stored definition cannot be read (then `definition` is null): the study is listed, marked with it, and
   * everything that needs its definition refuses it with this line. */
  damaged?: string;
  createdAt: string; // ISO time
  trialCount: number;
  pointCount: number; // distinct points with at least one trial
}

/** One training's stored result. Unique key: (study, point, repeat). */
export interface TrialRow {
  study: string;
  point: number; // index of the grid point within the study (0-based)
  repeat: number; // repeat index at that point (0-based)
  params: Record<string, ParamValue>; // the swept parameters' values at this point, e.g. {hiddenStd: 0.7071}
  seed: number; // derived from (root seed, point, repeat)
  totalLoss: number | null; // null when diverged
  finalLoss: number | null;
  success: boolean;
  epochsToThreshold: number | null;
  diverged: boolean;
  engine: EngineName;
  precision: Precision;
}

/** What a training measures, as stored: each can be summarised, compared and plotted. */
export const METRIC_NAMES = ['totalLoss', 'finalLoss', 'epochsToThreshold', 'success'] as const;
/** A stored metric: 'totalLoss' (the article's), 'finalLoss', 'epochsToThreshold' or 'success'. */
export type MetricName = (typeof METRIC_NAMES)[number];
/** The trials table's column of each metric (SQLite and PostgreSQL). */
export const METRIC_COLUMNS: Record<MetricName, string> = {
  totalLoss: 'total_loss',
  finalLoss: 'final_loss',
  epochsToThreshold: 'epochs_to_threshold',
  success: 'success',
};

/** The moments of one metric at a point, over the trials that have a value (a diverged training has no losses; a
 * training that never reached the threshold has no epochsToThreshold). */
export interface MetricMoments {
  n: number;
  mean: number | null; // null when n = 0
  std: number | null; // sample std (n-1); null when n < 2
  stderr: number | null;
}

/** One metric of each stored trial at a point, in repeat order (NaN where the trial has no value; success 1 or 0). */
export interface PointValues {
  repeats: Int32Array;
  values: Float64Array;
}

/** One point of a study, aggregated over its stored trials (the article's table row). */
export interface PointSummary {
  point: number;
  params: Record<string, ParamValue>;
  count: number; // trials at this point (diverged included)
  /** Trials with a totalLoss (not diverged): the n behind mean, std and stderr. */
  lossCount: number;
  mean: number | null; // of totalLoss over non-diverged trials
  std: number | null; // sample std (n-1), like pandas' .std(); null when lossCount < 2
  stderr: number | null; // std / sqrt(lossCount)
  successRate: number; // successes / count
  successes: number;
  diverged: number; // count of diverged trials
  meanEpochsToThreshold: number | null; // over trials that reached it (= epochsToThreshold.mean)
  finalLoss: MetricMoments; // over non-diverged trials
  epochsToThreshold: MetricMoments; // over trials that reached the threshold
}

/**
 * Where a study's trials are kept. Every method is asynchronous (PostgreSQL and MongoDB answer over the network);
 * the SQLite store answers at once. Errors about the database itself are StoreErrors (one line for the CLI).
 */
export interface Store {
  /** Where the store is, for messages: a path, or a URL with any password shown as ***. */
  readonly location: string;
  /** Creates the study, or checks that a stored one has the same definition text, JSON.stringify(definition) with
   * its key order (else throws StoreError). Whether two definitions in different forms are the same study is the
   * study layer's question, asked before this. */
  ensureStudy(name: string, definition: unknown): Promise<'created' | 'exists'>;
  getStudy(name: string): Promise<StudyRecord | null>;
  listStudies(): Promise<StudyRecord[]>;
  /** The repeat indices stored at each point as runs: point -> [s0, e0, s1, e1, ...], the sorted, disjoint,
   * non-adjacent ranges [start, end) of repeat indices stored at each point with a trial. Memory O(runs), not O(trials): what planning reads (a point
   * stored without gaps is one run, read from its aggregates). */
  storedRuns(study: string): Promise<Map<number, Int32Array>>;
  /** Inserts rows in one transaction; an existing (study, point, repeat) is left as it is. Returns rows inserted. */
  insertTrials(rows: readonly TrialRow[]): Promise<number>;
  /** Replaces the results of stored trials in one transaction: for each row's (study, point, repeat) already stored,
   * its metrics, diverged flag, engine and precision become the row's (seed and params stay as stored), and the
   * aggregates of every block it falls in are recomputed from the block's rows as insertTrials does. A key not
   * stored is not inserted. Returns the number of trials replaced. (What `xorlab recheck` writes.) */
  replaceTrials(rows: readonly TrialRow[]): Promise<number>;
  /** Per-point aggregation, read from per-block aggregates kept up to date in the same transaction as the rows:
   * O(points), never a scan of the trials. Throws StoreError for an unknown study. */
  summarize(study: string): Promise<PointSummary[]>;
  /** The same aggregation recomputed from every stored trial (a full scan): slower, used to verify or rebuild what
   * summarize() reads. */
  recomputeSummary(study: string): Promise<PointSummary[]>;
  /** One metric of every stored trial, per point (only `point` when given), in repeat order: the values behind
   * exact quantiles and paired comparisons. Reads the trials (O(trials), or O(one point's trials)), unlike
   * summarize(). Throws StoreError for an unknown study. */
  metricValues(study: string, metric: MetricName, options?: { point?: number }): Promise<Map<number, PointValues>>;
  /** Streams a study's trials ordered by (point, repeat). Throws StoreError for an unknown study (at the first
   * step of the iteration). */
  iterateTrials(study: string): AsyncIterable<TrialRow>;
  /**
   * Reserves `counts.get(point)` new repeat indices at each point, numbered after every index stored or reserved
   * there before, by this or any other process, in one atomic step: two runs that add trials to the same study at
   * the same time (two `refine`s) never plan the same (point, repeat). Returns the first reserved index per point.
   * Indices reserved and never stored (an interrupted run) stay unused: a gap in the repeat numbers, harmless, as a
   * trial's seed derives from its (point, repeat). Throws StoreError for an unknown study.
   */
  reserveRepeats(study: string, counts: ReadonlyMap<number, number>): Promise<Map<number, number>>;
  /** Deletes a study, its trials and everything kept about it. Returns the number of trials deleted. Throws
   * StoreError for an unknown study. */
  deleteStudy(study: string): Promise<number>;
  /** Gives a study another name, storing `definition` (the study layer's definition under the new name) in place of
   * its definition; trials stay as they are. Throws StoreError for an unknown study or a new name that is taken. */
  renameStudy(study: string, newName: string, definition: unknown): Promise<void>;
  close(): Promise<void>;
}

/** A problem with the database the user pointed at (not SQLite, corrupt, locked, unwritable, unknown study):
 * the CLI prints one line, exit 2. */
export class StoreError extends XorlabError {
  constructor(message: string) {
    super(message);
    this.name = 'StoreError';
  }
}

/** The database could not be reached or dropped the connection (server down or restarting, network): the same
 * request may succeed later. Callers that run for a long time (distributed workers) retry on it; the CLI reports
 * it like any StoreError. */
export class StoreUnavailableError extends StoreError {
  constructor(message: string) {
    super(message);
    this.name = 'StoreUnavailableError';
  }
}

/** Opening for reading found no database file at the path (nothing was created). */
export class MissingDatabaseError extends StoreError {
  constructor(message: string) {
    super(message);
    this.name = 'MissingDatabaseError';
  }
}

/** How a store is opened. */
export interface OpenStoreOptions {
  /** Open for reading only: a missing file is an error (never created), and nothing is written. */
  readonly?: boolean;
}
