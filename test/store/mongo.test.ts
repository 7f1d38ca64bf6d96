// The MongoDB store. What needs no server runs everywhere: bad URLs and an unreachable server are one-line
// StoreErrors within seconds, without the password. What needs a server runs against MONGODB_URL (none can be
// installed on these machines: without it those tests are skipped and say why); the store contract runs there too
// (contract.test.ts).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { openSqliteStore, openStore, StoreError, StoreUnavailableError } from '../../src/store/index.js';
import { tempDir } from '../helpers/cli.js';
import { dropMongoDatabases, freshMongoUrl, MONGODB_SKIP_REASON, MONGODB_URL } from '../helpers/mongo.js';
import { sampleRows } from './contract.js';
import { trial } from './fixtures.js';

after(() => dropMongoDatabases());

test('a malformed URL and an unreachable server are StoreErrors within seconds, password masked', async () => {
  const started = Date.now();
  await assert.rejects(
    openStore('mongodb://u:sekrit@127.0.0.1:1/experiment_db'),
    (e: unknown) =>
      e instanceof StoreUnavailableError &&
      /cannot reach MongoDB at mongodb:\/\/u:\*\*\*@127\.0\.0\.1:1\/experiment_db/.test(e.message) &&
      !e.message.includes('sekrit'),
  );
  assert.ok(Date.now() - started < 8000, `${Date.now() - started} ms`);
  await assert.rejects(
    openStore('mongodb://u:sekrit@host:notaport/db'),
    (e: unknown) =>
      e instanceof StoreError &&
      /not a valid MongoDB URL: mongodb:\/\/u:\*\*\*@host:notaport\/db/.test(e.message) &&
      !e.message.includes('sekrit'),
  );
  await assert.rejects(
    openStore('mongodb+srv://u:sekrit@no-such-host.invalid/db'),
    (e: unknown) => e instanceof StoreError && /unknown host/.test(e.message) && !e.message.includes('sekrit'),
  );
});

const server = { skip: MONGODB_SKIP_REASON ?? false };

test(
  "each trial is a document of `results` in the article's shape, with a unique (study, point, repeat)",
  server,
  async () => {
    const url = freshMongoUrl();
    const store = await openStore(url);
    await store.ensureStudy('a', { name: 'a', config: { outputStd: 0.8165 }, sweep: { hiddenStd: [0.5, 1] } });
    await store.insertTrials([trial('a', 0, 0, 6931), trial('a', 1, 0, 12.5, { params: { hiddenStd: 1 } })]);
    await store.close();
    const client = new MongoClient(MONGODB_URL!);
    try {
      const db = client.db(new URL(url).pathname.slice(1));
      const docs = await db
        .collection('results')
        .find({}, { projection: { _id: 0 } })
        .sort({ point: 1 })
        .toArray();
      assert.deepEqual(
        docs.map((d) => [d.hidden_std_dev, d.output_std_dev, d.loss, d.study, d.point, d.repeat]),
        [
          [0.5, 0.8165, 6931, 'a', 0, 0],
          [1, 0.8165, 12.5, 'a', 1, 0],
        ],
      );
      const types = await db
        .collection('results')
        .aggregate([{ $project: { _id: 0, loss: { $type: '$loss' }, seed: { $type: '$seed' } } }])
        .toArray();
      assert.deepEqual(types[0], { loss: 'double', seed: 'long' });
      const indexes = await db.collection('results').indexes();
      assert.ok(
        indexes.some((i) => i.unique && JSON.stringify(i.key) === JSON.stringify({ study: 1, point: 1, repeat: 1 })),
      );
    } finally {
      await client.close();
    }
  },
);

test('the same trials give the same summary bits in MongoDB as in SQLite', server, async () => {
  const rows = sampleRows();
  const sqlite = openSqliteStore(join(tempDir(), 'same.db'));
  await sqlite.ensureStudy('unit', {});
  await sqlite.insertTrials(rows);
  const mongo = await openStore(freshMongoUrl());
  await mongo.ensureStudy('unit', {});
  for (let at = 0; at < rows.length; at += 333) await mongo.insertTrials(rows.slice(at, at + 333));
  assert.deepEqual(await mongo.summarize('unit'), await sqlite.summarize('unit'));
  await sqlite.close();
  await mongo.close();
});

test('two writers on the same blocks at once lose no aggregate', server, async () => {
  const url = freshMongoUrl();
  const rows = sampleRows();
  const a = await openStore(url);
  const b = await openStore(url);
  await a.ensureStudy('unit', {});
  const write = async (store: typeof a, list: typeof rows): Promise<number> => {
    let n = 0;
    for (let at = 0; at < list.length; at += 30) n += await store.insertTrials(list.slice(at, at + 30));
    return n;
  };
  const [x, y] = await Promise.all([
    write(
      a,
      rows.filter((r) => r.repeat % 2 === 0),
    ),
    write(
      b,
      rows.filter((r) => r.repeat % 2 === 1),
    ),
  ]);
  assert.equal(x + y, rows.length);
  const kept = await a.summarize('unit');
  assert.deepEqual(
    kept.map((p) => p.count),
    (await a.recomputeSummary('unit')).map((p) => p.count),
  );
  assert.deepEqual(
    kept.map((p) => p.count),
    [700, 700, 700],
  );
  await a.close();
  await b.close();
});

test(
  "a database whose `results` is not xorlab's (the article's own) is refused and left alone; reading creates nothing",
  server,
  async () => {
    const url = freshMongoUrl();
    const client = new MongoClient(MONGODB_URL!);
    try {
      const db = client.db(new URL(url).pathname.slice(1));
      await db.collection('results').insertOne({ hidden_std_dev: 1, output_std_dev: 0.8165, loss: 5000 });
      for (const readonly of [false, true]) {
        await assert.rejects(
          openStore(url, { readonly }),
          /collections named like xorlab's \(results\) but is not an xorlab database/,
        );
      }
      assert.equal(await db.collection('results').countDocuments(), 1);
      const empty = freshMongoUrl();
      await assert.rejects(openStore(empty, { readonly: true }), /holds no xorlab data/);
      assert.deepEqual(await client.db(new URL(empty).pathname.slice(1)).listCollections().toArray(), []);
    } finally {
      await client.close();
    }
  },
);
