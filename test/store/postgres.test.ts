// What only the PostgreSQL store has to show: the same bits as SQLite, concurrent writers from several
// "machines" (pools), its schema beside others, read-only opening, the caller's transaction, a server restart,
// and where the password comes from. A real server (test/helpers/postgres.ts).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteStore, openStore, StoreError, StoreUnavailableError, type TrialRow } from '../../src/store/index.js';
import { openPostgresStore } from '../../src/store/postgres/open.js';
import { tempDir } from '../helpers/cli.js';
import { startPostgres } from '../helpers/postgres.js';
import { lcg, sampleRows } from './contract.js';
import { trial } from './fixtures.js';

const server = await startPostgres();
after(() => server.close());
const DEF = { name: 'unit', repeats: 700 };

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let at = 0; at < items.length; at += size) out.push(items.slice(at, at + size));
  return out;
}

test('the same trials give the same summary bits in PostgreSQL as in SQLite', async () => {
  const rows = sampleRows();
  const sqlite = openSqliteStore(join(tempDir(), 'same.db'));
  await sqlite.ensureStudy('unit', DEF);
  for (const chunk of chunks(rows, 500)) await sqlite.insertTrials(chunk);
  const postgres = await openStore(await server.createDatabase());
  await postgres.ensureStudy('unit', DEF);
  const random = lcg(99);
  for (const chunk of chunks(
    [...rows].sort(() => random() - 0.5),
    333,
  ))
    await postgres.insertTrials(chunk);
  const expected = await sqlite.summarize('unit');
  assert.deepEqual(await postgres.summarize('unit'), expected);
  assert.equal(expected.length, 3);
  assert.deepEqual(
    [...(await postgres.storedRuns('unit')).entries()],
    [...(await sqlite.storedRuns('unit')).entries()],
  );
  await sqlite.close();
  await postgres.close();
});

test('two writers (two pools, as two machines) on overlapping blocks neither deadlock nor lose aggregates', async () => {
  const url = await server.createDatabase();
  const rows = sampleRows();
  const reference = openSqliteStore(join(tempDir(), 'reference.db'));
  await reference.ensureStudy('unit', DEF);
  await reference.insertTrials(rows);
  const expected = await reference.summarize('unit');
  await reference.close();

  const a = await openStore(url);
  const b = await openStore(url);
  await a.ensureStudy('unit', DEF);
  assert.equal(await b.ensureStudy('unit', DEF), 'exists');
  // The two writers share every block: A writes the even repeats, B the odd ones, each chunk touching blocks that
  // the other is writing at the same moment (without the block locks, one writer's block aggregate overwrites the
  // other's: measured, 686 of 700 trials counted per point). Then both resend overlapping chunks (re-queued work).
  const write = async (store: typeof a, list: TrialRow[]): Promise<number> => {
    let inserted = 0;
    for (const chunk of chunks(list, 30)) inserted += await store.insertTrials(chunk);
    return inserted;
  };
  const random = lcg(4242);
  const [byA, byB] = await Promise.all([
    write(
      a,
      rows.filter((r) => r.repeat % 2 === 0),
    ),
    write(
      b,
      rows.filter((r) => r.repeat % 2 === 1),
    ),
  ]);
  assert.deepEqual(await a.summarize('unit'), expected);
  const again = await Promise.all([
    write(
      a,
      rows.filter((r) => r.repeat % 3 === 0),
    ),
    write(b, [...rows].sort(() => random() - 0.5).slice(0, 900)),
  ]);
  assert.deepEqual(again, [0, 0]);
  assert.equal(byA + byB, rows.length, 'each row inserted exactly once');
  assert.deepEqual(await a.summarize('unit'), expected);
  const recount = await b.recomputeSummary('unit');
  assert.deepEqual(
    (await b.summarize('unit')).map((p) => p.count),
    recount.map((p) => p.count),
  );
  await a.close();
  await b.close();
});

test('a database from before reservations gets the table once, however many processes open it at once', async () => {
  const url = await server.createDatabase();
  const database = new URL(url).pathname.slice(1);
  await (await openStore(url)).close();
  for (let round = 0; round < 3; round++) {
    await server.query('DROP TABLE xorlab.reservations', [], database);
    const stores = await Promise.all(Array.from({ length: 4 }, () => openStore(url)));
    await Promise.all(stores.map((store) => store.close()));
    assert.deepEqual(
      await server.query(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'xorlab' AND tablename = 'reservations'",
        [],
        database,
      ),
      [{ tablename: 'reservations' }],
    );
  }
});

test('a user who may write trials but not create objects in the schema works without (re)creating the trial_rows view', async () => {
  const url = await server.createDatabase();
  const database = new URL(url).pathname.slice(1);
  await (await openStore(url)).close();
  const role = `writer_${process.pid}`;
  await server.query(`CREATE ROLE ${role} LOGIN PASSWORD 'w-pass'`);
  await server.query(
    `GRANT USAGE ON SCHEMA xorlab TO ${role}; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA xorlab TO ${role}; ` +
      `GRANT USAGE ON ALL SEQUENCES IN SCHEMA xorlab TO ${role}; DROP VIEW xorlab.trial_rows`,
    [],
    database,
  );
  const writer = await openStore(server.url(database, { user: role, password: 'w-pass' }));
  try {
    await writer.ensureStudy('unit', DEF);
    assert.equal(await writer.insertTrials([trial('unit', 0, 0, 1.5), trial('unit', 0, 1, 2.5)]), 2);
  } finally {
    await writer.close();
  }
  assert.deepEqual(
    await server.query(
      "SELECT 1 AS n FROM pg_views WHERE schemaname = 'xorlab' AND viewname = 'trial_rows'",
      [],
      database,
    ),
    [],
  );
  await (await openStore(url)).close(); // the owner puts it back
  assert.equal((await server.query('SELECT count(*)::integer AS n FROM xorlab.trial_rows', [], database))[0].n, 2);
});

test('the xorlab schema sits beside other schemas; a schema of that name that is not ours is refused and left alone', async () => {
  const url = await server.createDatabase();
  const database = new URL(url).pathname.slice(1);
  await server.query('CREATE SCHEMA pgboss; CREATE TABLE pgboss.job (id int)', [], database);
  const store = await openStore(url);
  await store.close();
  const tables = await server.query<{ t: string }>(
    "SELECT schemaname || '.' || tablename AS t FROM pg_tables WHERE schemaname IN ('xorlab', 'pgboss') ORDER BY 1",
    [],
    database,
  );
  assert.deepEqual(
    tables.map((r) => r.t),
    [
      'pgboss.job',
      'xorlab.blocks',
      'xorlab.engines',
      'xorlab.meta',
      'xorlab.points',
      'xorlab.reservations',
      'xorlab.studies',
      'xorlab.trials',
    ],
  );

  const foreign = await server.createDatabase();
  const foreignDb = new URL(foreign).pathname.slice(1);
  await server.query(
    "CREATE SCHEMA xorlab; CREATE TABLE xorlab.notes (text text); INSERT INTO xorlab.notes VALUES ('keep me')",
    [],
    foreignDb,
  );
  for (const readonly of [false, true]) {
    await assert.rejects(
      openStore(foreign, { readonly }),
      (e: unknown) =>
        e instanceof StoreError &&
        /has a schema "xorlab" that is not xorlab's \(tables: notes\)/.test(e.message) &&
        !e.message.includes(server.password),
    );
  }
  assert.deepEqual(
    await server.query(
      "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'xorlab' AND c.relkind = 'r'",
      [],
      foreignDb,
    ),
    [{ relname: 'notes' }],
  );

  await server.query("UPDATE xorlab.meta SET value = '99' WHERE key = 'schema_version'", [], database);
  await assert.rejects(openStore(url), /written by a newer xorlab \(schema 99; this one reads up to 1\)/);
});

test('opening for reading creates nothing, not even the schema', async () => {
  const url = await server.createDatabase();
  const database = new URL(url).pathname.slice(1);
  await assert.rejects(
    openStore(url, { readonly: true }),
    (e: unknown) => e instanceof StoreError && /holds no xorlab data/.test(e.message),
  );
  assert.deepEqual(await server.query("SELECT nspname FROM pg_namespace WHERE nspname = 'xorlab'", [], database), []);
});

test("insertTrials({ client }) writes inside the caller's transaction: committed together, or not at all", async () => {
  const store = await openPostgresStore(await server.createDatabase());
  await store.ensureStudy('unit', DEF);
  await store.pool.query('CREATE TABLE public.jobs (id int PRIMARY KEY, state text)');
  await store.pool.query("INSERT INTO public.jobs VALUES (1, 'active'), (2, 'active')");
  await assert.rejects(
    store.withTransaction(async (client) => {
      assert.equal(await store.insertTrials([trial('unit', 0, 0, 1), trial('unit', 0, 1, 2)], { client }), 2);
      await client.query("UPDATE public.jobs SET state = 'completed' WHERE id = 1");
      throw new Error('the job could not be completed');
    }),
    /could not be completed/,
  );
  assert.equal((await store.getStudy('unit'))?.trialCount, 0);
  assert.deepEqual(await store.summarize('unit'), []);
  await store.withTransaction(async (client) => {
    await store.insertTrials([trial('unit', 0, 0, 1), trial('unit', 0, 1, 2)], { client });
    await client.query("UPDATE public.jobs SET state = 'completed' WHERE id = 2");
  });
  assert.equal((await store.getStudy('unit'))?.trialCount, 2);
  assert.deepEqual((await store.pool.query('SELECT id, state FROM public.jobs ORDER BY id')).rows, [
    { id: 1, state: 'active' },
    { id: 2, state: 'completed' },
  ]);
  const [p0] = await store.summarize('unit');
  assert.deepEqual(p0.params, { hiddenStd: 0.5 }, 'the point row rolled back with the first attempt was written again');
  await store.close();
});

test('a server restart: the write in flight fails as StoreUnavailableError (no crash), the next one reconnects', async () => {
  const store = await openStore(await server.createDatabase());
  await store.ensureStudy('unit', DEF);
  await store.insertTrials([trial('unit', 0, 0, 1)]);
  await server.stop('immediate');
  await assert.rejects(
    store.insertTrials([trial('unit', 0, 1, 2)]),
    (e: unknown) => e instanceof StoreUnavailableError && !e.message.includes(server.password),
  );
  await server.start();
  assert.equal(await store.insertTrials([trial('unit', 0, 1, 2)]), 1);
  assert.equal((await store.getStudy('unit'))?.trialCount, 2);
  await store.close();
});

test('the password may come from the URL, PGPASSWORD or a pgpass file; a wrong or missing one is a StoreError', async () => {
  const url = await server.createDatabase();
  const database = new URL(url).pathname.slice(1);
  const bare = server.url(database, { password: false });
  const saved = { PGPASSWORD: process.env.PGPASSWORD, PGPASSFILE: process.env.PGPASSFILE };
  try {
    delete process.env.PGPASSWORD;
    process.env.PGPASSFILE = join(tempDir(), 'absent');
    await assert.rejects(
      openStore(bare),
      (e: unknown) =>
        e instanceof StoreError &&
        /cannot connect to PostgreSQL at postgres:\/\/xorlab@127\.0\.0\.1.*password/.test(e.message),
    );
    await assert.rejects(
      openStore(server.url(database, { password: 'wrong' })),
      (e: unknown) =>
        e instanceof StoreError &&
        /password authentication failed.*PGPASSWORD/.test(e.message) &&
        !e.message.includes('wrong'),
    );
    process.env.PGPASSWORD = server.password;
    await (await openStore(bare)).close();
    delete process.env.PGPASSWORD;
    const pgpass = join(tempDir(), 'pgpass');
    const escaped = server.password.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
    writeFileSync(pgpass, `127.0.0.1:${server.port}:*:xorlab:${escaped}\n`, { mode: 0o600 });
    process.env.PGPASSFILE = pgpass;
    await (await openStore(bare)).close();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});

test('a missing database, a closed port and a malformed URL are one-line StoreErrors within seconds', async () => {
  const start = Date.now();
  await assert.rejects(
    openStore(server.url('no_such_db')),
    (e: unknown) => e instanceof StoreError && /database "no_such_db" does not exist/.test(e.message),
  );
  const closed = server.url('postgres').replace(`:${server.port}/`, ':1/');
  await assert.rejects(
    openStore(closed),
    (e: unknown) =>
      e instanceof StoreUnavailableError && /connection refused/.test(e.message) && e.message.includes(':***@'),
  );
  await assert.rejects(
    openStore('postgres://user:secret@host:notaport/db'),
    (e: unknown) =>
      e instanceof StoreError &&
      /not a valid PostgreSQL URL: postgres:\/\/user:\*\*\*@host:notaport\/db/.test(e.message),
  );
  assert.ok(Date.now() - start < 5000, `took ${Date.now() - start} ms`);
});
