// The PostgreSQL test harness itself (src/bench/postgres-server.ts, used through test/helpers/postgres.ts): a real server that needs its password, survives a restart with its data,
// and is cleaned up even when the process that started it is SIGKILLed.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { cleanStaleServers, startPostgres } from '../helpers/postgres.js';

const server = await startPostgres();
after(() => server.close());

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

test('the server is PostgreSQL 18 on 127.0.0.1 and needs its password', async (t) => {
  t.diagnostic(
    `PostgreSQL test server: initdb ${server.timings.initdbMs.toFixed(0)} ms, start ${server.timings.startMs.toFixed(0)} ms`,
  );
  const rows = await server.query<{ v: string }>("SELECT current_setting('server_version') AS v");
  assert.match(rows[0].v, /^18\./);
  await assert.rejects(connect(server.url('postgres', { password: 'wrong' })), /password authentication failed/);
  await assert.rejects(connect(server.url('postgres', { password: false })), /password/i);
  const client = await connect(server.url());
  await client.end();
});

test('createDatabase gives a fresh database; stop and start keep its data on the same port', async () => {
  const url = await server.createDatabase();
  const client = await connect(url);
  await client.query('CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)');
  await client.end();
  const port = server.port;
  for (const mode of ['fast', 'immediate'] as const) {
    await server.stop(mode);
    assert.equal(server.running, false);
    await assert.rejects(connect(url), /ECONNREFUSED/);
    await server.start();
    assert.equal(server.port, port);
    const again = await connect(url);
    assert.deepEqual((await again.query('SELECT x FROM kept')).rows, [{ x: 42 }]);
    await again.end();
  }
});

async function startChild(): Promise<{ child: ChildProcess; started: { pid: number; dir: string; url: string } }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./postgres-server-child.ts', import.meta.url))],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const started = await new Promise<{ pid: number; dir: string; url: string }>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(JSON.parse(text.split('\n')[0]));
    });
    child.on('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });
  return { child, started };
}

test('a test process ended by SIGTERM or SIGINT stops its server on the way out', async () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const { child, started } = await startChild();
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, sig) => resolve(sig)));
    child.kill(signal);
    assert.equal(await exited, signal, 'it still dies of the signal');
    for (let waited = 0; waited < 10_000 && existsSync(started.dir); waited += 100)
      await new Promise((r) => setTimeout(r, 100));
    assert.equal(existsSync(started.dir), false, signal);
    await assert.rejects(connect(started.url), /ECONNREFUSED/);
  }
});

test('a server orphaned by a SIGKILLed test process is stopped and removed at the next start', async () => {
  const { child, started } = await startChild();
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  // The orphan still serves: this is what the clean-up is for.
  const orphanClient = await connect(started.url);
  await orphanClient.end();
  assert.ok(existsSync(started.dir));
  assert.ok((await cleanStaleServers()) >= 1);
  assert.equal(existsSync(started.dir), false);
  assert.throws(() => process.kill(started.pid, 0), /ESRCH/);
  // Our own live server was left alone.
  assert.equal(server.running, true);
  await (await connect(server.url())).end();
});
