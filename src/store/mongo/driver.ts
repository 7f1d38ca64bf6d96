// The article's database: MongoDB, with the official driver; the layout in ./schema.ts.
//
// Writes: a trial is inserted with an upsert that only sets on insert (an existing (study, point, repeat) is left
// as it is). Then each touched block is recomputed from its rows and written with compare-and-set on its `rev`
// (read before the rows; retried when another writer changed it): the last successful write of a block has read
// every row inserted before it, so concurrent writers never leave a block short. On a replica set or sharded
// cluster the rows and blocks of a chunk are written in one transaction as well (atomic: a killed writer leaves
// nothing half-done). On a standalone server (no transactions) a writer killed between its rows and its blocks
// leaves those blocks behind until the next write to them; `xorlab summary --recompute` reads the rows.
import { quote } from '../../text/quote.js';
import { Double, type ClientSession, type Collection, type Db, type MongoClient } from 'mongodb';
import { articleStds, fromArticleDocument, toArticleDocument } from '../article-shape.js';
import type { StoreDriver, StudyEntry, TrialBatch, TrialPageReader } from '../core/driver.js';
import { studyTaken, unknownStudy } from '../core/errors.js';
import { runsOf } from '../core/rows.js';
import { BLOCK_REPEATS, blockMoments, type BlockRow, type Moments } from '../moments.js';
import { StoreError, type MetricName, type ParamValue } from '../types.js';
import { isDuplicateKey, mongoError } from './errors.js';
import {
  num,
  typed,
  type BlockDoc,
  type PointDoc,
  type ReservationDoc,
  type ResultDoc,
  type StudyDoc,
} from './schema.js';

/** Compare-and-set attempts on one block before giving up (each one follows another writer's success). */
const CAS_ATTEMPTS = 1000;

/** A study as the driver keys it: its name (the documents' `study` field) and how its documents name the stds. */
interface MongoStudy {
  name: string;
  stds: ReturnType<typeof articleStds>;
}

export class MongoDriver implements StoreDriver<MongoStudy> {
  private readonly results: Collection<ResultDoc>;
  private readonly studiesCollection: Collection<StudyDoc>;
  private readonly points: Collection<PointDoc>;
  private readonly blocks: Collection<BlockDoc>;
  private readonly reservations: Collection<ReservationDoc>;
  private readonly knownPoints = new Map<string, Set<number>>();

  constructor(
    private readonly client: MongoClient,
    db: Db,
    readonly location: string,
    /** Whether the server runs transactions (a replica set or mongos). */
    readonly transactions: boolean,
  ) {
    this.results = db.collection<ResultDoc>('results');
    this.studiesCollection = db.collection<StudyDoc>('studies');
    this.points = db.collection<PointDoc>('points');
    this.blocks = db.collection<BlockDoc>('blocks');
    this.reservations = db.collection<ReservationDoc>('reservations');
  }

  toStoreError(error: unknown): Error {
    return mongoError(error, this.location);
  }

  async studyKey(name: string): Promise<MongoStudy | null> {
    const doc = await this.studiesCollection.findOne({ _id: name });
    return doc ? { name, stds: articleStds(JSON.parse(doc.definition) as unknown) } : null;
  }

  async studyNames(limit: number): Promise<string[]> {
    return (
      await this.studiesCollection
        .find({}, { projection: { _id: 1 } })
        .sort({ _id: 1 })
        .limit(limit)
        .toArray()
    ).map((d) => d._id);
  }

  async createStudy(name: string, definition: string): Promise<string | null> {
    try {
      await this.studiesCollection.insertOne({ _id: name, definition, createdAt: new Date() });
      return null;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    return (await this.studiesCollection.findOne({ _id: name }))!.definition;
  }

  async studies(name?: string): Promise<StudyEntry[]> {
    const docs =
      name === undefined
        ? await this.studiesCollection.find().sort({ createdAt: 1, _id: 1 }).toArray()
        : await this.studiesCollection.find({ _id: name }).toArray();
    if (docs.length === 0) return [];
    const counts = await this.blocks
      .aggregate<{ _id: string; points: unknown[]; trials: number }>([
        ...(name === undefined ? [] : [{ $match: { study: name } }]),
        { $group: { _id: '$study', points: { $addToSet: '$point' }, trials: { $sum: '$trials' } } },
      ])
      .toArray();
    const byStudy = new Map(counts.map((c) => [c._id, c]));
    return docs.map((doc) => ({
      name: doc._id,
      definition: doc.definition,
      createdAt: doc.createdAt.toISOString(),
      trialCount: byStudy.get(doc._id)?.trials ?? 0,
      pointCount: byStudy.get(doc._id)?.points.length ?? 0,
    }));
  }

  async deleteStudy(study: MongoStudy): Promise<number> {
    const name = study.name;
    const trials = await this.inTransaction(async (session) => {
      const deleted = (await this.results.deleteMany({ study: name }, { session })).deletedCount;
      await this.blocks.deleteMany({ study: name }, { session });
      await this.points.deleteMany({ study: name }, { session });
      await this.reservations.deleteMany({ study: name }, { session });
      await this.studiesCollection.deleteOne({ _id: name }, { session });
      return deleted;
    });
    this.knownPoints.delete(name);
    return trials;
  }

  async renameStudy(_study: MongoStudy, name: string, newName: string, definition: string): Promise<void> {
    const old = await this.studiesCollection.findOne({ _id: name });
    if (!old) throw unknownStudy(name, this.location, await this.studyNames(11)); // deleted by another process since
    await this.inTransaction(async (session) => {
      try {
        await this.studiesCollection.insertOne({ _id: newName, definition, createdAt: old.createdAt }, { session });
      } catch (error) {
        if (isDuplicateKey(error)) throw studyTaken(newName, this.location);
        throw error;
      }
      await this.results.updateMany({ study: name }, { $set: { study: newName } }, { session });
      await this.blocks.updateMany({ study: name }, { $set: { study: newName } }, { session });
      await this.points.updateMany({ study: name }, { $set: { study: newName } }, { session });
      await this.reservations.updateMany({ study: name }, { $set: { study: newName } }, { session });
      await this.studiesCollection.deleteOne({ _id: name }, { session });
    });
    this.knownPoints.delete(name);
  }

  async pointParams(study: MongoStudy): Promise<Map<number, Record<string, ParamValue>>> {
    const docs = await this.points.find({ study: study.name }).sort({ point: 1 }).toArray();
    return new Map(docs.map((d) => [d.point, d.params]));
  }

  async pointTotals(study: MongoStudy): Promise<[number, number, number][]> {
    const rows = await this.blocks
      .aggregate<{ _id: number; count: number; maxRepeat: number }>([
        { $match: { study: study.name } },
        { $group: { _id: '$point', count: { $sum: '$trials' }, maxRepeat: { $max: '$maxRepeat' } } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    return rows.map((r) => [r._id, r.count, r.maxRepeat]);
  }

  async repeatRuns(study: MongoStudy, points: readonly number[]): Promise<Map<number, number[]>> {
    const runs = new Map<number, number[]>();
    for (const point of points) {
      const docs = await this.results
        .find({ study: study.name, point }, { projection: { _id: 0, repeat: 1 } })
        .sort({ repeat: 1 })
        .toArray();
      runs.set(point, runsOf(docs.map((d) => d.repeat)));
    }
    return runs;
  }

  async readBlocks(study: MongoStudy): Promise<[number, Moments][]> {
    const docs = await this.blocks.find({ study: study.name }).sort({ point: 1, block: 1 }).toArray();
    return docs.map((b) => [
      b.point,
      {
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
      },
    ]);
  }

  async scanMoments(study: MongoStudy): Promise<[number, Moments][]> {
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
        { $match: { study: study.name } },
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
    return rows.map((r) => [
      r._id,
      {
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
      },
    ]);
  }

  async readMetric(study: MongoStudy, metric: MetricName, point: number): Promise<unknown[][]> {
    const field = metric === 'totalLoss' ? 'loss' : metric; // the article's documents call totalLoss `loss`
    const docs = await this.results
      .find({ study: study.name, point }, { projection: { _id: 0, repeat: 1, [field]: 1 } })
      .sort({ repeat: 1 })
      .toArray();
    return docs.map((doc) => [doc.repeat, (doc as Record<string, unknown>)[field]]);
  }

  trialPages(study: MongoStudy): TrialPageReader {
    return async (afterPoint, afterRepeat, limit) => {
      const docs = await this.results
        .find(
          {
            study: study.name,
            $or: [{ point: { $gt: afterPoint } }, { point: afterPoint, repeat: { $gt: afterRepeat } }],
          },
          { projection: { _id: 0 } },
        )
        .sort({ point: 1, repeat: 1 })
        .limit(limit)
        .toArray();
      return docs.map((doc) =>
        fromArticleDocument({
          ...doc,
          seed: Number(doc.seed),
          loss: num(doc.loss),
          finalLoss: num(doc.finalLoss),
          hidden_std_dev: num(doc.hidden_std_dev),
          output_std_dev: num(doc.output_std_dev),
        }),
      );
    };
  }

  async writeTrials(batch: TrialBatch<MongoStudy>): Promise<number> {
    const docs = batch.rows.map((row) => typed(toArticleDocument(row, batch.keys.get(row.study)!.stds)));
    const touched = batch.blocks;
    const write = async (session?: ClientSession): Promise<number> => {
      const newPoints = touched.filter(
        (b, i) =>
          !this.knownPoints.get(b.study)?.has(b.point) &&
          (i === 0 || touched[i - 1].study !== b.study || touched[i - 1].point !== b.point),
      );
      if (newPoints.length) {
        await this.points.bulkWrite(
          newPoints.map((b) => ({
            updateOne: {
              filter: { study: b.study, point: b.point },
              update: { $setOnInsert: { params: b.params } },
              upsert: true,
            },
          })),
          { ordered: false, session },
        );
      }
      const result = await this.results.bulkWrite(
        // The key fields come from the filter into a new document; $setOnInsert adds the rest.
        docs.map(({ study, point, repeat, ...rest }) => ({
          updateOne: { filter: { study, point, repeat }, update: { $setOnInsert: rest }, upsert: true },
        })),
        { ordered: true, session },
      );
      for (const b of touched) await this.refold(b.study, b.point, b.block, session);
      return result.upsertedCount;
    };
    const inserted = await this.retryDuplicates(() => this.inTransaction(write));
    for (const b of touched) {
      let known = this.knownPoints.get(b.study);
      if (!known) this.knownPoints.set(b.study, (known = new Set()));
      known.add(b.point);
    }
    return inserted;
  }

  async replaceTrials(batch: TrialBatch<MongoStudy>): Promise<number> {
    const docs = batch.rows.map((row) => typed(toArticleDocument(row, batch.keys.get(row.study)!.stds)));
    return this.inTransaction(async (session?: ClientSession) => {
      // Only stored keys are matched (no upsert); seed and the swept values stay as stored.
      const result = await this.results.bulkWrite(
        docs.map(
          ({ study, point, repeat, loss, finalLoss, success, epochsToThreshold, diverged, engine, precision }) => ({
            updateOne: {
              filter: { study, point, repeat },
              update: { $set: { loss, finalLoss, success, epochsToThreshold, diverged, engine, precision } },
            },
          }),
        ),
        { ordered: true, session },
      );
      for (const b of batch.blocks) await this.refold(b.study, b.point, b.block, session);
      return result.matchedCount;
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

  /** Recomputes one block from its rows in repeat order and writes it with compare-and-set on `rev` (inside the
   * caller's transaction when there is a session). */
  async refold(study: string, point: number, block: number, session?: ClientSession): Promise<void> {
    const first = block * BLOCK_REPEATS;
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const current = await this.blocks.findOne({ study, point, block }, { projection: { rev: 1 }, session });
      const rows = await this.results
        .find(
          { study, point, repeat: { $gte: first, $lt: first + BLOCK_REPEATS } },
          {
            projection: { _id: 0, repeat: 1, loss: 1, finalLoss: 1, success: 1, diverged: 1, epochsToThreshold: 1 },
            session,
          },
        )
        .sort({ repeat: 1 })
        .toArray();
      const m = blockMoments(
        rows.map((r): BlockRow => ({
          repeat: r.repeat,
          totalLoss: num(r.loss),
          finalLoss: num(r.finalLoss),
          success: r.success,
          diverged: r.diverged,
          epochsToThreshold: r.epochsToThreshold,
        })),
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
        const done = await this.blocks.updateOne(
          { study, point, block, rev },
          { $set: { ...fields, rev: rev + 1 } },
          { upsert: current === null, session },
        );
        if (done.matchedCount === 1 || done.upsertedCount === 1) return;
      } catch (error) {
        // Another writer created the block first (the upsert met the unique index): read it again.
        if (!isDuplicateKey(error) || session) throw error;
      }
      if (session)
        throw new StoreError(`${this.location}: block ${block} of point ${point} changed inside a transaction`);
    }
    throw new StoreError(
      `${this.location}: could not update block ${block} of point ${point} of study ${quote(study)} (too many concurrent writers)`,
    );
  }

  async reserve(study: MongoStudy, wanted: readonly (readonly [number, number])[]): Promise<Map<number, number>> {
    const name = study.name;
    const stored = new Map((await this.pointTotals(study)).map(([point, , maxRepeat]) => [point, maxRepeat]));
    const firsts = new Map<number, number>();
    for (const [point, count] of wanted) {
      const afterStored = (stored.get(point) ?? -1) + 1;
      // One atomic update per point: next = max(next, after the stored repeats) + count (firstFree, on the server);
      // the first reserved index is what it was before the count was added.
      const doc = await this.reservations.findOneAndUpdate(
        { study: name, point },
        [{ $set: { study: name, point, next: { $add: [{ $max: [{ $ifNull: ['$next', 0] }, afterStored] }, count] } } }],
        { upsert: true, returnDocument: 'after' },
      );
      firsts.set(point, doc!.next - count);
    }
    return firsts;
  }

  /** `work` in one transaction where the server has them; else step by step (a standalone server). */
  private async inTransaction<R>(work: (session?: ClientSession) => Promise<R>): Promise<R> {
    if (!this.transactions) return work();
    const session = this.client.startSession();
    try {
      // withTransaction retries on write conflicts (another writer's block) with a fresh snapshot.
      return await session.withTransaction(() => work(session), {
        readConcern: { level: 'snapshot' },
        writeConcern: { w: 'majority' },
      });
    } finally {
      await session.endSession();
    }
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => undefined);
  }
}
