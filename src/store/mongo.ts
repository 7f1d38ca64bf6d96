// The article's database: MongoDB, with the official driver. Each trial is a document of `results` in the article's
// shape (hidden_std_dev, output_std_dev, loss = total loss; ./article-shape.ts) plus xorlab's fields, with a unique
// index on (study, point, repeat). Beside it:
//   studies  {_id: name, definition: text (compared exactly), createdAt}
//   points   {study, point, params}                       unique (study, point)
//   blocks   {study, point, block, rev, trials, ...}      unique (study, point, block): the aggregates of each block
//            of 256 repeats, recomputed from the block's rows in repeat order by ./moments.ts (the same bits as SQL)
//   meta     {_id: 'xorlab', schemaVersion}               marks the database as xorlab's
//
// Writes: a trial is inserted with an upsert that only sets on insert (an existing (study, point, repeat) is left
// as it is). Then each touched block is recomputed from its rows and written with compare-and-set on its `rev`
// (read before the rows; retried when another writer changed it): the last successful write of a block has read
// every row inserted before it, so concurrent writers never leave a block short. On a replica set or sharded
// cluster the rows and blocks of a chunk are written in one transaction as well (atomic: a killed writer leaves
// nothing half-done). On a standalone server (no transactions) a writer killed between its rows and its blocks
// leaves those blocks behind until the next write to them; `xorlab summary --recompute` reads the rows.
import { Double, Long, MongoClient, type ClientSession, type Collection, type Db, type Document } from 'mongodb';
import { redact, registerSecret } from '../text/redact.js';
import { articleStds, fromArticleDocument, toArticleDocument, type ArticleDocument } from './article-shape.js';
import { describeDifference } from './definition-diff.js';
import { readDefinition } from './stored-json.js';
import { BLOCK_REPEATS, blockMoments, blockOf, emptyMoments, mergeMoments, toPointSummary, type BlockRow, type Moments } from './moments.js';
import { METRIC_NAMES, StoreError, StoreUnavailableError, type MetricName, type OpenStoreOptions, type ParamValue, type PointSummary, type PointValues, type Store, type StudyRecord, type TrialRow } from './types.js';

export const MONGO_SCHEMA_VERSION = 1;
export const MONGO_TIMEOUT_MS = 5000;
/** The database when the URL names none (the article's is experiment_db: mongodb://host/experiment_db). */
export const MONGO_DEFAULT_DATABASE = 'xorlab';
const COLLECTIONS = ['results', 'studies', 'points', 'blocks', 'meta'] as const;
const ITERATE_PAGE = 10_000;
/** Compare-and-set attempts on one block before giving up (each one follows another writer's success). */
const CAS_ATTEMPTS = 1000;

interface StudyDoc {
  _id: string;
  definition: string;
  createdAt: Date;
}
interface PointDoc {
  study: string;
  point: number;
  params: Record<string, ParamValue>;
}
interface BlockDoc {
  study: string;
  point: number;
  block: number;
  rev: number;
  trials: number;
  lossCount: number;
  lossMean: number | Double;
  lossM2: number | Double;
  finalCount: number;
  finalMean: number | Double;
  finalM2: number | Double;
  successes: number;
  diverged: number;
  ettCount: number;
  ettSum: number | Double;
  ettM2: number | Double;
  maxRepeat: number;
}
/** The next repeat index nobody has claimed at a point (Store.reserveRepeats). */
interface ReservationDoc {
  study: string;
  point: number;
  next: number;
}
interface MetaDoc {
  _id: string;
  application: string;
  schemaVersion: number;
}
type DoubleField = number | Double | null;
/** As written: doubles and the int64 seed typed; as read, the driver gives plain numbers. */
type ResultDoc = Omit<ArticleDocument, 'seed' | 'loss' | 'finalLoss' | 'hidden_std_dev' | 'output_std_dev'> & {
  seed: number | Long;
  loss: DoubleField;
  finalLoss: DoubleField;
  hidden_std_dev: DoubleField;
  output_std_dev: DoubleField;
};
const num = (x: DoubleField): number | null => (x === null ? null : Number(x));

/** The database name in a mongodb:// URL (the path), if any. */
function databaseOf(url: string): string | undefined {
  const m = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]*)/i.exec(url);
  const name = m?.[1] ? decodeURIComponent(m[1]) : undefined;
  return name || undefined;
}

function passwordOf(url: string): string | undefined {
  const m = /^mongodb(?:\+srv)?:\/\/([^@/]*:)?(.*)@[^@]*$/i.exec(url.split(/[?#]/)[0] ?? url);
  if (!m?.[1]) return undefined;
  try {
    return decodeURIComponent(m[2]);
  } catch {
    return m[2];
  }
}

type MongoLikeError = Error & { code?: number | string; codeName?: string };

function mongoError(error: unknown, where: string): Error {
  if (error instanceof StoreError) return error;
  const e = error as MongoLikeError;
  const text = redact(String(e?.message ?? error).split('\n')[0]);
  const name = e?.name ?? '';
  if (name === 'MongoParseError' || name === 'MongoInvalidArgumentError' || name === 'MongoAPIError') {
    return new StoreError(`not a valid MongoDB URL: ${where} (${text})`);
  }
  if (e?.code === 18 || /Authentication failed/i.test(text)) {
    return new StoreError(`cannot connect to MongoDB at ${where}: authentication failed (check the user and password in the URL, and authSource)`);
  }
  if (e?.code === 13 || e?.codeName === 'Unauthorized') return new StoreError(`${where}: ${text} (the user lacks a privilege xorlab needs)`);
  if (name === 'MongoServerSelectionError' || name === 'MongoNetworkError' || name === 'MongoNetworkTimeoutError' || name === 'MongoTopologyClosedError') {
    return new StoreUnavailableError(`cannot reach MongoDB at ${where}: ${text} (is the server running, and on that host and port?)`);
  }
  const code = (e as { code?: unknown })?.code;
  if (code === 'ENOTFOUND' || code === 'ENODATA' || code === 'ESERVFAIL') return new StoreError(`cannot reach MongoDB at ${where}: unknown host (${text}); check the host name in the URL`);
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return new StoreUnavailableError(`cannot reach MongoDB at ${where}: ${text}`);
  if (name.startsWith('Mongo')) return new StoreError(`${where}: ${text}`);
  return error instanceof Error ? error : new Error(String(error));
}

const isDuplicateKey = (error: unknown): boolean => (error as MongoLikeError)?.code === 11000;

export class MongoStore implements Store {
  private readonly results: Collection<ResultDoc>;
  private readonly studies: Collection<StudyDoc>;
  private readonly points: Collection<PointDoc>;
  private readonly blocks: Collection<BlockDoc>;
  private readonly reservations: Collection<ReservationDoc>;
  private readonly definitions = new Map<string, unknown>();
  private readonly knownPoints = new Map<string, Set<number>>();

  constructor(
    private readonly client: MongoClient,
    db: Db,
    readonly location: string,
    private readonly readonly: boolean,
    /** Whether the server runs transactions (a replica set or mongos). */
    readonly transactions: boolean,
  ) {
    this.results = db.collection<ResultDoc>('results');
    this.studies = db.collection<StudyDoc>('studies');
    this.points = db.collection<PointDoc>('points');
    this.blocks = db.collection<BlockDoc>('blocks');
    this.reservations = db.collection<ReservationDoc>('reservations');
  }

  private async guard<R>(action: () => Promise<R>): Promise<R> {
    try {
      return await action();
    } catch (error) {
      throw mongoError(error, this.location);
    }
  }

  private requireWritable(): void {
    if (this.readonly) throw new StoreError(`${this.location} was opened for reading only`);
  }

  private async definition(study: string): Promise<unknown> {
    if (this.definitions.has(study)) return this.definitions.get(study);
    const doc = await this.studies.findOne({ _id: study });
    if (!doc) {
      const names = (await this.studies.find({}, { projection: { _id: 1 } }).sort({ _id: 1 }).limit(11).toArray()).map((d) => d._id);
      const known = names.length ? `studies here: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', ...' : ''}` : 'it holds no studies yet';
      throw new StoreError(`unknown study "${study}" in ${this.location} (${known})`);
    }
    const parsed = JSON.parse(doc.definition) as unknown;
    this.definitions.set(study, parsed);
    return parsed;
  }

  async ensureStudy(name: string, definition: unknown): Promise<'created' | 'exists'> {
    this.requireWritable();
    const text = JSON.stringify(definition ?? null);
    return this.guard(async () => {
      try {
        await this.studies.insertOne({ _id: name, definition: text, createdAt: new Date() });
        return 'created';
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const stored = await this.studies.findOne({ _id: name });
      if (stored!.definition !== text) {
        throw new StoreError(`study "${name}" already exists in ${this.location} with a different definition (${describeDifference(stored!.definition, text)}); use another study name or --db`);
      }
      return 'exists';
    });
  }

  private async counts(): Promise<Map<string, { points: number; trials: number }>> {
    const rows = await this.blocks
      .aggregate<{ _id: string; points: unknown[]; trials: number }>([{ $group: { _id: '$study', points: { $addToSet: '$point' }, trials: { $sum: '$trials' } } }])
      .toArray();
    return new Map(rows.map((r) => [r._id, { points: r.points.length, trials: r.trials }]));
  }

  private static record(doc: StudyDoc, count: { points: number; trials: number } | undefined): StudyRecord {
    return { name: doc._id, ...readDefinition(doc.definition), createdAt: doc.createdAt.toISOString(), trialCount: count?.trials ?? 0, pointCount: count?.points ?? 0 };
  }

  async getStudy(name: string): Promise<StudyRecord | null> {
    return this.guard(async () => {
      const doc = await this.studies.findOne({ _id: name });
      if (!doc) return null;
      const [count] = await this.blocks
        .aggregate<{ points: unknown[]; trials: number }>([{ $match: { study: name } }, { $group: { _id: null, points: { $addToSet: '$point' }, trials: { $sum: '$trials' } } }])
        .toArray();
      return MongoStore.record(doc, count ? { points: count.points.length, trials: count.trials } : undefined);
    });
  }

  async listStudies(): Promise<StudyRecord[]> {
    return this.guard(async () => {
      const counts = await this.counts();
      return (await this.studies.find().sort({ createdAt: 1, _id: 1 }).toArray()).map((doc) => MongoStore.record(doc, counts.get(doc._id)));
    });
  }

  private async pointTotals(study: string): Promise<{ point: number; count: number; maxRepeat: number }[]> {
    return this.blocks
      .aggregate<{ _id: number; count: number; maxRepeat: number }>([
        { $match: { study } },
        { $group: { _id: '$point', count: { $sum: '$trials' }, maxRepeat: { $max: '$maxRepeat' } } },
        { $sort: { _id: 1 } },
      ])
      .toArray()
      .then((rows) => rows.map((r) => ({ point: r._id, count: r.count, maxRepeat: r.maxRepeat })));
  }

  private async repeatsOf(study: string, point: number): Promise<number[]> {
    const docs = await this.results.find({ study, point }, { projection: { _id: 0, repeat: 1 } }).sort({ repeat: 1 }).toArray();
    return docs.map((d) => d.repeat);
  }

  async storedRepeats(study: string): Promise<Map<number, Int32Array>> {
    return this.guard(async () => {
      await this.definition(study);
      const result = new Map<number, Int32Array>();
      for (const { point, count, maxRepeat } of await this.pointTotals(study)) {
        if (count === maxRepeat + 1) result.set(point, Int32Array.from({ length: count }, (_, i) => i));
        else result.set(point, Int32Array.from(await this.repeatsOf(study, point)));
      }
      return result;
    });
  }

  async storedRuns(study: string): Promise<Map<number, Int32Array>> {
    return this.guard(async () => {
      await this.definition(study);
      const result = new Map<number, Int32Array>();
      for (const { point, count, maxRepeat } of await this.pointTotals(study)) {
        if (count === maxRepeat + 1) {
          result.set(point, Int32Array.of(0, count));
          continue;
        }
        const runs: number[] = [];
        for (const r of await this.repeatsOf(study, point)) {
          if (runs.length && runs[runs.length - 1] === r) runs[runs.length - 1] = r + 1;
          else runs.push(r, r + 1);
        }
        result.set(point, Int32Array.from(runs));
      }
      return result;
    });
  }

  async insertTrials(rows: readonly TrialRow[]): Promise<number> {
    this.requireWritable();
    if (rows.length === 0) return 0;
    return this.guard(async () => {
      const stds = new Map<string, ReturnType<typeof articleStds>>();
      const blocks = new Map<string, { study: string; point: number; block: number; params: Record<string, ParamValue> }>();
      const docs: ResultDoc[] = [];
      for (const row of rows) {
        if (!isIndex(row.point) || !isIndex(row.repeat)) {
          throw new StoreError(`trial point and repeat must be integers >= 0, got point ${row.point}, repeat ${row.repeat}`);
        }
        let s = stds.get(row.study);
        if (!s) stds.set(row.study, (s = articleStds(await this.definition(row.study))));
        docs.push(typed(toArticleDocument(row, s)));
        const block = blockOf(row.repeat);
        const key = `${row.study}\u0000${row.point}\u0000${block}`;
        if (!blocks.has(key)) blocks.set(key, { study: row.study, point: row.point, block, params: row.params });
      }
      const touched = [...blocks.values()].sort((a, b) => (a.study < b.study ? -1 : a.study > b.study ? 1 : a.point - b.point || a.block - b.block));
      const write = async (session?: ClientSession): Promise<number> => {
        const newPoints = touched.filter((b, i) => !this.knownPoints.get(b.study)?.has(b.point) && (i === 0 || touched[i - 1].study !== b.study || touched[i - 1].point !== b.point));
        if (newPoints.length) {
          await this.points.bulkWrite(
            newPoints.map((b) => ({ updateOne: { filter: { study: b.study, point: b.point }, update: { $setOnInsert: { params: b.params } }, upsert: true } })),
            { ordered: false, session },
          );
        }
        const result = await this.results.bulkWrite(
          // The key fields come from the filter into a new document; $setOnInsert adds the rest.
          docs.map(({ study, point, repeat, ...rest }) => ({ updateOne: { filter: { study, point, repeat }, update: { $setOnInsert: rest }, upsert: true } })),
          { ordered: true, session },
        );
        for (const b of touched) await this.rewriteBlock(b.study, b.point, b.block, session);
        return result.upsertedCount;
      };
      const inserted = await this.retryDuplicates(async () => {
        if (!this.transactions) return write();
        const session = this.client.startSession();
        try {
          // withTransaction retries on write conflicts (another writer's block) with a fresh snapshot.
          return await session.withTransaction(() => write(session), { readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority' } });
        } finally {
          await session.endSession();
        }
      });
      for (const b of touched) {
        let known = this.knownPoints.get(b.study);
        if (!known) this.knownPoints.set(b.study, (known = new Set()));
        known.add(b.point);
      }
      return inserted;
    });
  }

  /** Two writers upserting the same new key at once: one gets a duplicate-key error; the write is idempotent, so
   * it runs again (the key now exists and is left as it is). */
  private async retryDuplicates<R>(action: () => Promise<R>): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await action();
      } catch (error) {
        if (!isDuplicateKey(error) || attempt >= 5) throw error;
      }
    }
  }

  /** Recomputes one block from its rows in repeat order and writes it with compare-and-set on `rev`. */
  private async rewriteBlock(study: string, point: number, block: number, session?: ClientSession): Promise<void> {
    const first = block * BLOCK_REPEATS;
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const current = await this.blocks.findOne({ study, point, block }, { projection: { rev: 1 }, session });
      const rows = await this.results
        .find({ study, point, repeat: { $gte: first, $lt: first + BLOCK_REPEATS } }, { projection: { _id: 0, repeat: 1, loss: 1, finalLoss: 1, success: 1, diverged: 1, epochsToThreshold: 1 }, session })
        .sort({ repeat: 1 })
        .toArray();
      const m = blockMoments(
        rows.map((r): BlockRow => ({ repeat: r.repeat, totalLoss: num(r.loss), finalLoss: num(r.finalLoss), success: r.success, diverged: r.diverged, epochsToThreshold: r.epochsToThreshold })),
      );
      const fields = {
        trials: m.count,
        lossCount: m.n,
        lossMean: new Double(m.mean),
        lossM2: new Double(m.m2),
        finalCount: m.finalN,
        finalMean: new Double(m.finalMean),
        finalM2: new Double(m.finalM2),
        successes: m.successes,
        diverged: m.diverged,
        ettCount: m.ettN,
        ettSum: new Double(m.ettSum),
        ettM2: new Double(m.ettM2),
        maxRepeat: m.maxRepeat,
      };
      const rev = current?.rev ?? 0;
      try {
        const done = await this.blocks.updateOne({ study, point, block, rev }, { $set: { ...fields, rev: rev + 1 } }, { upsert: current === null, session });
        if (done.matchedCount === 1 || done.upsertedCount === 1) return;
      } catch (error) {
        // Another writer created the block first (the upsert met the unique index): read it again.
        if (!isDuplicateKey(error) || session) throw error;
      }
      if (session) throw new StoreError(`${this.location}: block ${block} of point ${point} changed inside a transaction`);
    }
    throw new StoreError(`${this.location}: could not update block ${block} of point ${point} of study "${study}" (too many concurrent writers)`);
  }

  async summarize(study: string): Promise<PointSummary[]> {
    return this.guard(async () => {
      await this.definition(study);
      const params = await this.paramsOf(study);
      const result: PointSummary[] = [];
      let point = -1;
      let moments = emptyMoments();
      const finish = (): void => {
        if (point >= 0) result.push(toPointSummary(point, params.get(point) ?? {}, moments));
      };
      for await (const b of this.blocks.find({ study }).sort({ point: 1, block: 1 })) {
        if (b.point !== point) {
          finish();
          point = b.point;
          moments = emptyMoments();
        }
        moments = mergeMoments(moments, {
          count: b.trials,
          n: b.lossCount,
          mean: Number(b.lossMean),
          m2: Number(b.lossM2),
          finalN: b.finalCount,
          finalMean: Number(b.finalMean),
          finalM2: Number(b.finalM2),
          successes: b.successes,
          diverged: b.diverged,
          ettN: b.ettCount,
          ettSum: Number(b.ettSum),
          ettM2: Number(b.ettM2),
          maxRepeat: b.maxRepeat,
        });
      }
      finish();
      return result;
    });
  }

  private async paramsOf(study: string): Promise<Map<number, Record<string, ParamValue>>> {
    const docs = await this.points.find({ study }).sort({ point: 1 }).toArray();
    return new Map(docs.map((d) => [d.point, d.params]));
  }

  async recomputeSummary(study: string): Promise<PointSummary[]> {
    return this.guard(async () => {
      await this.definition(study);
      const params = await this.paramsOf(study);
      const rows = await this.results
        .aggregate<{
          _id: number;
          count: number;
          n: number;
          mean: number | null;
          stdPop: number | null;
          finalN: number;
          finalMean: number | null;
          finalStdPop: number | null;
          successes: number;
          diverged: number;
          ettN: number;
          ettSum: number;
          ettStdPop: number | null;
          maxRepeat: number;
        }>([
          { $match: { study } },
          {
            $group: {
              _id: '$point',
              count: { $sum: 1 },
              n: { $sum: { $cond: [{ $eq: [{ $type: '$loss' }, 'double'] }, 1, 0] } },
              mean: { $avg: '$loss' },
              stdPop: { $stdDevPop: '$loss' },
              finalN: { $sum: { $cond: [{ $eq: [{ $type: '$finalLoss' }, 'double'] }, 1, 0] } },
              finalMean: { $avg: '$finalLoss' },
              finalStdPop: { $stdDevPop: '$finalLoss' },
              successes: { $sum: { $cond: ['$success', 1, 0] } },
              diverged: { $sum: { $cond: ['$diverged', 1, 0] } },
              ettN: { $sum: { $cond: [{ $eq: [{ $type: '$epochsToThreshold' }, 'null'] }, 0, 1] } },
              ettSum: { $sum: '$epochsToThreshold' },
              ettStdPop: { $stdDevPop: '$epochsToThreshold' },
              maxRepeat: { $max: '$repeat' },
            },
          },
          { $sort: { _id: 1 } },
        ])
        .toArray();
      return rows.map((r) => {
        const moments: Moments = {
          count: r.count,
          n: r.n,
          mean: r.n > 0 ? (r.mean ?? 0) : 0,
          m2: r.n > 0 ? (r.stdPop ?? 0) ** 2 * r.n : 0,
          finalN: r.finalN,
          finalMean: r.finalN > 0 ? (r.finalMean ?? 0) : 0,
          finalM2: r.finalN > 0 ? (r.finalStdPop ?? 0) ** 2 * r.finalN : 0,
          successes: r.successes,
          diverged: r.diverged,
          ettN: r.ettN,
          ettSum: r.ettSum,
          ettM2: r.ettN > 0 ? (r.ettStdPop ?? 0) ** 2 * r.ettN : 0,
          maxRepeat: r.maxRepeat,
        };
        return toPointSummary(r._id, params.get(r._id) ?? {}, moments);
      });
    });
  }

  async metricValues(study: string, metric: MetricName, options: { point?: number } = {}): Promise<Map<number, PointValues>> {
    if (!METRIC_NAMES.includes(metric)) throw new StoreError(`unknown metric "${String(metric)}"; metrics: ${METRIC_NAMES.join(', ')}`);
    return this.guard(async () => {
      await this.definition(study);
      const field = metric === 'totalLoss' ? 'loss' : metric; // the article's documents call totalLoss `loss`
      const filter = options.point !== undefined ? { study, point: options.point } : { study };
      const lists = new Map<number, { repeats: number[]; values: number[] }>();
      for await (const doc of this.results.find(filter, { projection: { _id: 0, point: 1, repeat: 1, [field]: 1 } }).sort({ point: 1, repeat: 1 })) {
        let list = lists.get(doc.point);
        if (!list) lists.set(doc.point, (list = { repeats: [], values: [] }));
        const v: unknown = (doc as Record<string, unknown>)[field];
        list.repeats.push(doc.repeat);
        list.values.push(v === null || v === undefined ? NaN : typeof v === 'boolean' ? (v ? 1 : 0) : Number(v));
      }
      return new Map([...lists].map(([point, l]) => [point, { repeats: Int32Array.from(l.repeats), values: Float64Array.from(l.values) }]));
    });
  }

  async *iterateTrials(study: string): AsyncGenerator<TrialRow> {
    await this.guard(() => this.definition(study));
    let afterPoint = -1;
    let afterRepeat = -1;
    while (true) {
      const docs = await this.guard(() =>
        this.results
          .find({ study, $or: [{ point: { $gt: afterPoint } }, { point: afterPoint, repeat: { $gt: afterRepeat } }] }, { projection: { _id: 0 } })
          .sort({ point: 1, repeat: 1 })
          .limit(ITERATE_PAGE)
          .toArray(),
      );
      for (const doc of docs) {
        yield fromArticleDocument({
          ...doc,
          seed: Number(doc.seed),
          loss: num(doc.loss),
          finalLoss: num(doc.finalLoss),
          hidden_std_dev: num(doc.hidden_std_dev),
          output_std_dev: num(doc.output_std_dev),
        });
      }
      if (docs.length < ITERATE_PAGE) return;
      afterPoint = docs[docs.length - 1].point;
      afterRepeat = docs[docs.length - 1].repeat;
    }
  }

  async reserveRepeats(study: string, counts: ReadonlyMap<number, number>): Promise<Map<number, number>> {
    this.requireWritable();
    return this.guard(async () => {
      await this.definition(study); // an unknown study is a StoreError
      const stored = new Map((await this.pointTotals(study)).map((p) => [p.point, p.maxRepeat]));
      const firsts = new Map<number, number>();
      for (const [point, count] of counts) {
        if (!isIndex(point) || !isIndex(count)) throw new StoreError(`reserveRepeats: point and count must be integers >= 0, got point ${point}, count ${count}`);
        if (count === 0) continue;
        const afterStored = (stored.get(point) ?? -1) + 1;
        // One atomic update per point: next = max(next, after the stored repeats) + count; the first reserved
        // index is what it was before the count was added.
        const doc = await this.reservations.findOneAndUpdate(
          { study, point },
          [{ $set: { study, point, next: { $add: [{ $max: [{ $ifNull: ['$next', 0] }, afterStored] }, count] } } }],
          { upsert: true, returnDocument: 'after' },
        );
        firsts.set(point, doc!.next - count);
      }
      return firsts;
    });
  }

  async deleteStudy(study: string): Promise<number> {
    this.requireWritable();
    return this.guard(async () => {
      await this.definition(study);
      const remove = async (session?: ClientSession): Promise<number> => {
        const trials = (await this.results.deleteMany({ study }, { session })).deletedCount;
        await this.blocks.deleteMany({ study }, { session });
        await this.points.deleteMany({ study }, { session });
        await this.reservations.deleteMany({ study }, { session });
        await this.studies.deleteOne({ _id: study }, { session });
        return trials;
      };
      const trials = await this.inTransaction(remove);
      this.definitions.delete(study);
      this.knownPoints.delete(study);
      return trials;
    });
  }

  async renameStudy(study: string, newName: string, definition: unknown): Promise<void> {
    this.requireWritable();
    await this.guard(async () => {
      await this.definition(study);
      const old = await this.studies.findOne({ _id: study });
      const move = async (session?: ClientSession): Promise<void> => {
        try {
          await this.studies.insertOne({ _id: newName, definition: JSON.stringify(definition ?? null), createdAt: old!.createdAt }, { session });
        } catch (error) {
          if (isDuplicateKey(error)) throw new StoreError(`there is already a study "${newName}" in ${this.location}; choose another name, or delete that one first`);
          throw error;
        }
        await this.results.updateMany({ study }, { $set: { study: newName } }, { session });
        await this.blocks.updateMany({ study }, { $set: { study: newName } }, { session });
        await this.points.updateMany({ study }, { $set: { study: newName } }, { session });
        await this.reservations.updateMany({ study }, { $set: { study: newName } }, { session });
        await this.studies.deleteOne({ _id: study }, { session });
      };
      await this.inTransaction(move);
      this.definitions.delete(study);
      this.knownPoints.delete(study);
    });
  }

  /** `work` in one transaction where the server has them; else step by step (a standalone server). */
  private async inTransaction<R>(work: (session?: ClientSession) => Promise<R>): Promise<R> {
    if (!this.transactions) return work();
    const session = this.client.startSession();
    try {
      return await session.withTransaction(() => work(session), { readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority' } });
    } finally {
      await session.endSession();
    }
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => undefined);
  }
}

/** The BSON types of a result document: doubles for the losses and stds (a whole number would be stored as an
 * int32), the seed an int64. */
function typed(doc: ArticleDocument): ResultDoc {
  const d = (x: number | null): Double | null => (x === null ? null : new Double(x));
  return { ...doc, hidden_std_dev: d(doc.hidden_std_dev), output_std_dev: d(doc.output_std_dev), loss: d(doc.loss), finalLoss: d(doc.finalLoss), seed: Long.fromNumber(doc.seed) };
}

function isIndex(x: number): boolean {
  return Number.isInteger(x) && x >= 0 && x <= 0x7fffffff;
}

/** Checks that the database is xorlab's (or, writing, makes it so: the marker and the indexes). */
async function prepareDatabase(db: Db, where: string, readonly: boolean): Promise<void> {
  const meta = db.collection<MetaDoc>('meta');
  const names = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  let marker = names.has('meta') ? await meta.findOne({ _id: 'xorlab' }) : null;
  if (!marker) {
    const ours = COLLECTIONS.filter((c) => names.has(c));
    if (ours.length) {
      throw new StoreError(`${where} has collections named like xorlab's (${ours.join(', ')}) but is not an xorlab database (no xorlab marker in "meta"); it was left as it is — use another database`);
    }
    if (readonly) throw new StoreError(`${where} holds no xorlab data; run xorlab sweep --db with this URL first`);
    try {
      await meta.insertOne({ _id: 'xorlab', application: 'xorlab', schemaVersion: MONGO_SCHEMA_VERSION });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error; // another process made it at the same moment
    }
    marker = await meta.findOne({ _id: 'xorlab' });
  }
  if (!marker || marker.application !== 'xorlab') throw new StoreError(`${where} is not an xorlab database (its meta marker is someone else's); it was left as it is`);
  if (marker.schemaVersion !== MONGO_SCHEMA_VERSION) {
    throw new StoreError(
      marker.schemaVersion > MONGO_SCHEMA_VERSION
        ? `${where} was written by a newer xorlab (schema ${marker.schemaVersion}; this one reads up to ${MONGO_SCHEMA_VERSION}); upgrade xorlab`
        : `${where} has the layout of an older xorlab (schema ${marker.schemaVersion}); it was left as it is`,
    );
  }
  if (readonly) return;
  const indexes: [string, Document][] = [
    ['results', { study: 1, point: 1, repeat: 1 }],
    ['points', { study: 1, point: 1 }],
    ['blocks', { study: 1, point: 1, block: 1 }],
    ['reservations', { study: 1, point: 1 }],
  ];
  for (const [name, keys] of indexes) await db.collection(name).createIndex(keys, { unique: true, name: 'xorlab_key' });
}

/** Whether the server runs multi-document transactions: a replica set member or a mongos. */
async function supportsTransactions(db: Db): Promise<boolean> {
  const hello = await db.admin().command({ hello: 1 });
  return typeof hello.setName === 'string' || hello.msg === 'isdbgrid';
}

/** Opens an xorlab store in a MongoDB database (the URL's path, else "xorlab"). For writing, the marker and the
 * unique indexes are created; for reading, nothing is written. Every problem is a StoreError with the password
 * masked; a server that cannot be reached is reported within MONGO_TIMEOUT_MS. */
export async function openMongoStore(url: string, options: OpenStoreOptions = {}): Promise<MongoStore> {
  const location = redact(url);
  registerSecret(passwordOf(url));
  const readonly = options.readonly ?? false;
  let client: MongoClient;
  try {
    client = new MongoClient(url, { serverSelectionTimeoutMS: MONGO_TIMEOUT_MS, connectTimeoutMS: MONGO_TIMEOUT_MS, appName: 'xorlab' });
  } catch (error) {
    // The constructor only parses the URL: whatever it throws (MongoParseError, or MongoRuntimeError for a bad port)
    // is about the URL.
    throw new StoreError(`not a valid MongoDB URL: ${location} (${redact(String((error as Error).message ?? error).split('\n')[0])})`);
  }
  try {
    await client.connect();
    const db = client.db(databaseOf(url) ?? MONGO_DEFAULT_DATABASE);
    await prepareDatabase(db, location, readonly);
    return new MongoStore(client, db, location, readonly, await supportsTransactions(db));
  } catch (error) {
    await client.close().catch(() => undefined);
    throw mongoError(error, location);
  }
}
