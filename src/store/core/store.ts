// The store, written once: every Store method as an algorithm over a driver's primitives (./driver.ts). SQLite,
// PostgreSQL and MongoDB differ in how they read and write (../sqlite/, ../postgres/, ../mongo/), not in what a
// summary, a reservation or a page of trials is.
import { emptyMoments, mergeMoments, toPointSummary, type Moments } from '../moments.js';
import {
  METRIC_NAMES,
  StoreError,
  type MetricName,
  type ParamValue,
  type PointSummary,
  type PointValues,
  type Store,
  type StudyRecord,
  type TrialRow,
} from '../types.js';
import type { StoreDriver, StudyEntry, TrialBatch } from './driver.js';
import { differentDefinition, unknownMetric, unknownStudy } from './errors.js';
import { groupByBlock, isIndex, pointValues } from './rows.js';
import { readDefinition } from './stored-json.js';

/** Rows per page read by iterateTrials: the connection is free between pages, so an abandoned iteration holds
 * nothing. */
const ITERATE_PAGE = 10_000;

/** Each point's summary from its blocks' aggregates in (point, block) order: Chan et al.'s merge, block by block. */
function foldBlocks(
  blocks: Iterable<readonly [number, Moments]>,
  params: ReadonlyMap<number, Record<string, ParamValue>>,
): PointSummary[] {
  const result: PointSummary[] = [];
  let point = -1;
  let moments = emptyMoments();
  for (const [p, block] of blocks) {
    if (p !== point) {
      if (point >= 0) result.push(toPointSummary(point, params.get(point) ?? {}, moments));
      point = p;
      moments = emptyMoments();
    }
    moments = mergeMoments(moments, block);
  }
  if (point >= 0) result.push(toPointSummary(point, params.get(point) ?? {}, moments));
  return result;
}

function studyRecord(entry: StudyEntry): StudyRecord {
  return {
    name: entry.name,
    ...readDefinition(entry.definition),
    createdAt: entry.createdAt,
    trialCount: entry.trialCount,
    pointCount: entry.pointCount,
  };
}

export class BlockStore<K> implements Store {
  /** Study name -> key, for studies seen to exist (dropped on delete and rename). */
  private readonly keys = new Map<string, K>();
  private closed = false;

  constructor(
    protected readonly driver: StoreDriver<K>,
    private readonly readonly: boolean,
  ) {}

  get location(): string {
    return this.driver.location;
  }

  /** Runs `action`, turning what the database threw into a StoreError. */
  protected async guarded<R>(action: () => R | Promise<R>): Promise<R> {
    try {
      return await action();
    } catch (error) {
      throw this.driver.toStoreError(error);
    }
  }

  protected requireWritable(): void {
    if (this.readonly) throw new StoreError(`${this.location} was opened for reading only`);
    if (this.closed) throw new StoreError(`${this.location}: the store is closed`);
  }

  protected async requireStudy(name: string): Promise<K> {
    const cached = this.keys.get(name);
    if (cached !== undefined) return cached;
    const key = await this.driver.studyKey(name);
    if (key === null) throw unknownStudy(name, this.location, await this.driver.studyNames(11));
    this.keys.set(name, key);
    return key;
  }

  /** Checks the rows, groups them by block and resolves their studies (an unknown one is a StoreError). */
  protected async prepareBatch(rows: readonly TrialRow[]): Promise<TrialBatch<K>> {
    const blocks = groupByBlock<K>(rows);
    const keys = new Map<string, K>();
    for (const b of blocks) {
      let key = keys.get(b.study);
      if (key === undefined) keys.set(b.study, (key = await this.requireStudy(b.study)));
      b.key = key;
    }
    return { rows, keys, blocks };
  }

  async ensureStudy(name: string, definition: unknown): Promise<'created' | 'exists'> {
    this.requireWritable();
    // The exact text: key order can matter to the study layer (the order of `sweep` is the axis order), so what
    // counts as the same study in another form is for it to decide before calling here.
    const text = JSON.stringify(definition ?? null);
    return this.guarded(async () => {
      const stored = await this.driver.createStudy(name, text);
      if (stored === null) return 'created';
      if (stored !== text) throw differentDefinition(name, this.location, stored, text);
      return 'exists';
    });
  }

  async getStudy(name: string): Promise<StudyRecord | null> {
    return this.guarded(async () => {
      const [entry] = await this.driver.studies(name);
      return entry ? studyRecord(entry) : null;
    });
  }

  async listStudies(): Promise<StudyRecord[]> {
    return this.guarded(async () => (await this.driver.studies()).map(studyRecord));
  }

  async storedRuns(study: string): Promise<Map<number, Int32Array>> {
    return this.guarded(async () => {
      const key = await this.requireStudy(study);
      const result = new Map<number, Int32Array>();
      const gappy: number[] = [];
      for (const [point, count, maxRepeat] of await this.driver.pointTotals(key)) {
        // count distinct non-negative repeats whose largest is count - 1: exactly one run, 0..count-1, read from
        // the aggregates; the other points' runs are read from the rows.
        if (count === maxRepeat + 1) result.set(point, Int32Array.of(0, count));
        else {
          gappy.push(point);
          result.set(point, new Int32Array(0)); // its place in point order
        }
      }
      if (gappy.length) {
        const runs = await this.driver.repeatRuns(key, gappy);
        for (const point of gappy) result.set(point, Int32Array.from(runs.get(point) ?? []));
      }
      return result;
    });
  }

  async insertTrials(rows: readonly TrialRow[]): Promise<number> {
    this.requireWritable();
    if (rows.length === 0) return 0;
    return this.guarded(async () => this.driver.writeTrials(await this.prepareBatch(rows)));
  }

  async replaceTrials(rows: readonly TrialRow[]): Promise<number> {
    this.requireWritable();
    if (rows.length === 0) return 0;
    return this.guarded(async () => this.driver.replaceTrials(await this.prepareBatch(rows)));
  }

  async summarize(study: string): Promise<PointSummary[]> {
    return this.guarded(async () => {
      const key = await this.requireStudy(study);
      const blocks = await this.driver.readBlocks(key);
      const params = await this.driver.pointParams(key);
      if (blocks === null) return this.recompute(key, params);
      return foldBlocks(blocks, params);
    });
  }

  async recomputeSummary(study: string): Promise<PointSummary[]> {
    return this.guarded(async () => {
      const key = await this.requireStudy(study);
      return this.recompute(key, await this.driver.pointParams(key));
    });
  }

  private async recompute(key: K, params: ReadonlyMap<number, Record<string, ParamValue>>): Promise<PointSummary[]> {
    return [...(await this.driver.scanMoments(key))].map(([point, moments]) =>
      toPointSummary(point, params.get(point) ?? {}, moments),
    );
  }

  async metricValues(
    study: string,
    metric: MetricName,
    options: { point?: number } = {},
  ): Promise<Map<number, PointValues>> {
    if (!METRIC_NAMES.includes(metric)) throw unknownMetric(metric);
    return this.guarded(async () => {
      const key = await this.requireStudy(study);
      // Point by point (each a range of the key): memory stays O(one point's trials) beyond the result.
      const points =
        options.point !== undefined ? [options.point] : (await this.driver.pointTotals(key)).map(([point]) => point);
      const result = new Map<number, PointValues>();
      for (const point of points) {
        const rows = await this.driver.readMetric(key, metric, point);
        if (rows.length > 0) result.set(point, pointValues(rows));
      }
      return result;
    });
  }

  async *iterateTrials(study: string): AsyncGenerator<TrialRow> {
    const readPage = await this.guarded(async () => this.driver.trialPages(await this.requireStudy(study), study));
    // Keyset pages: each read at once, and nothing held between them.
    let afterPoint = -1;
    let afterRepeat = -1;
    while (true) {
      const rows = await this.guarded(() => readPage(afterPoint, afterRepeat, ITERATE_PAGE));
      for (const row of rows) yield row;
      if (rows.length < ITERATE_PAGE) return;
      const last = rows[rows.length - 1];
      afterPoint = last.point;
      afterRepeat = last.repeat;
    }
  }

  async reserveRepeats(study: string, counts: ReadonlyMap<number, number>): Promise<Map<number, number>> {
    this.requireWritable();
    const wanted: [number, number][] = [];
    for (const [point, count] of counts) {
      if (!isIndex(point) || !isIndex(count))
        throw new StoreError(
          `reserveRepeats: point and count must be integers >= 0 and < 2^31, got point ${point}, count ${count}`,
        );
      if (count > 0) wanted.push([point, count]);
    }
    return this.guarded(async () => {
      const key = await this.requireStudy(study);
      return wanted.length ? this.driver.reserve(key, wanted) : new Map<number, number>();
    });
  }

  async deleteStudy(study: string): Promise<number> {
    this.requireWritable();
    return this.guarded(async () => {
      const key = await this.requireStudy(study);
      const trials = await this.driver.deleteStudy(key, study);
      this.keys.delete(study);
      return trials;
    });
  }

  async renameStudy(study: string, newName: string, definition: unknown): Promise<void> {
    this.requireWritable();
    await this.guarded(async () => {
      const key = await this.requireStudy(study);
      await this.driver.renameStudy(key, study, newName, JSON.stringify(definition ?? null));
      this.keys.delete(study);
      this.keys.delete(newName);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.driver.close();
  }
}
