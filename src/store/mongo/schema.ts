// The MongoDB layout. Each trial is a document of `results` in the article's shape (hidden_std_dev, output_std_dev,
// loss = total loss; ../article-shape.ts) plus xorlab's fields, with a unique index on (study, point, repeat).
// Beside it:
//   studies       {_id: name, definition: text (compared exactly), createdAt}
//   points        {study, point, params}                       unique (study, point)
//   blocks        {study, point, block, rev, trials, ...}      unique (study, point, block): the aggregates of each
//                 block of 256 repeats, recomputed from the block's rows in repeat order by ../moments.ts (the same
//                 bits as SQL)
//   reservations  {study, point, next}                         unique (study, point): Store.reserveRepeats
//   meta          {_id: 'xorlab', schemaVersion}               marks the database as xorlab's
import { Double, Long, type Db, type Document } from 'mongodb';
import { type ArticleDocument } from '../article-shape.js';
import { StoreError, type ParamValue } from '../types.js';
import { isDuplicateKey } from './errors.js';

const MONGO_SCHEMA_VERSION = 1;
const COLLECTIONS = ['results', 'studies', 'points', 'blocks', 'meta'] as const;

export interface StudyDoc {
  _id: string;
  definition: string;
  createdAt: Date;
}
export interface PointDoc {
  study: string;
  point: number;
  params: Record<string, ParamValue>;
}
export interface BlockDoc {
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
export interface ReservationDoc {
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
export type ResultDoc = Omit<ArticleDocument, 'seed' | 'loss' | 'finalLoss' | 'hidden_std_dev' | 'output_std_dev'> & {
  seed: number | Long;
  loss: DoubleField;
  finalLoss: DoubleField;
  hidden_std_dev: DoubleField;
  output_std_dev: DoubleField;
};
export const num = (x: DoubleField): number | null => (x === null ? null : Number(x));

/** The BSON types of a result document: doubles for the losses and stds (a whole number would be stored as an
 * int32), the seed an int64. */
export function typed(doc: ArticleDocument): ResultDoc {
  const d = (x: number | null): Double | null => (x === null ? null : new Double(x));
  return {
    ...doc,
    hidden_std_dev: d(doc.hidden_std_dev),
    output_std_dev: d(doc.output_std_dev),
    loss: d(doc.loss),
    finalLoss: d(doc.finalLoss),
    seed: Long.fromNumber(doc.seed),
  };
}

/** Checks that the database is xorlab's (or, writing, makes it so: the marker and the indexes). */
export async function prepareDatabase(db: Db, where: string, readonly: boolean): Promise<void> {
  const meta = db.collection<MetaDoc>('meta');
  const names = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  let marker = names.has('meta') ? await meta.findOne({ _id: 'xorlab' }) : null;
  if (!marker) {
    const ours = COLLECTIONS.filter((c) => names.has(c));
    if (ours.length) {
      throw new StoreError(
        `${where} has collections named like xorlab's (${ours.join(', ')}) but is not an xorlab database (no xorlab marker in "meta"); it was left as it is — use another database`,
      );
    }
    if (readonly) throw new StoreError(`${where} holds no xorlab data; run xorlab sweep --db with this URL first`);
    try {
      await meta.insertOne({ _id: 'xorlab', application: 'xorlab', schemaVersion: MONGO_SCHEMA_VERSION });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error; // another process made it at the same moment
    }
    marker = await meta.findOne({ _id: 'xorlab' });
  }
  if (!marker || marker.application !== 'xorlab')
    throw new StoreError(
      `${where} is not an xorlab database (its meta marker is someone else's); it was left as it is`,
    );
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
export async function supportsTransactions(db: Db): Promise<boolean> {
  const hello = await db.admin().command({ hello: 1 });
  return typeof hello.setName === 'string' || hello.msg === 'isdbgrid';
}
