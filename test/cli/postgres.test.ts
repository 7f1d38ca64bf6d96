// The CLI against a real PostgreSQL server: every command that takes --db takes a postgres:// URL (or XORLAB_DB,
// with PGPASSWORD), gives the same numbers as SQLite, reports a bad database in one line within seconds, and never
// prints the password: not in errors, --help, progress, the resume command after Ctrl-C, nor the report.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, cliStartSeconds, runCli, tempDir, usageErrorLine, type CliResult } from '../helpers/cli.js';
import { startPostgres } from '../helpers/postgres.js';

const server = await startPostgres();
after(() => server.close());
const dir = tempDir();

/** Every form the password could take in output: as typed, URL-encoded, or its random middle alone. */
function assertNoPassword(text: string, where: string): void {
  for (const form of [server.password, encodeURIComponent(server.password), server.password.slice(3, 15)]) {
    assert.ok(!text.includes(form), `${where} shows the password:\n${text}`);
  }
}

function run(args: string[], env: Record<string, string> = {}): CliResult {
  const r = runCli(args, { env: { ...process.env, ...env } });
  assertNoPassword(r.stdout + r.stderr, `xorlab ${args[0]}`);
  return r;
}

const SMALL = ['--sweep', 'hiddenStd=0.3,1,3', '--repeats', '6', '--epochs', '300', '--seed', '11', '--workers', '2'];

test('every command that takes --db works on a postgres:// URL, with the same numbers as SQLite', async () => {
  const url = await server.createDatabase();
  const sqlite = join(dir, 'same.db');
  assert.equal(run(['sweep', '--name', 's', ...SMALL, '--db', url]).status, 0);
  assert.equal(run(['sweep', '--name', 's', ...SMALL, '--db', sqlite]).status, 0);
  assert.equal(run(['refine', 's', '--budget', '9', '--workers', '2', '--db', url]).status, 0);
  assert.equal(run(['refine', 's', '--budget', '9', '--workers', '2', '--db', sqlite]).status, 0);
  const fromPg = run(['summary', 's', '--json', '--db', url]);
  assert.equal(fromPg.status, 0, fromPg.stderr);
  assert.deepEqual(
    JSON.parse(fromPg.stdout),
    JSON.parse(run(['summary', 's', '--json', '--db', sqlite]).stdout),
    'the same bits',
  );
  assert.equal(
    JSON.parse(fromPg.stdout).points.reduce((n: number, p: { count: number }) => n + p.count, 0),
    27,
  );
  const exported = run(['export', 's', '--db', url]);
  assert.equal(exported.stdout, run(['export', 's', '--db', sqlite]).stdout);
  assert.equal(exported.stdout.trim().split('\n').length, 28);
  assert.match(run(['studies', '--db', url]).stdout, /^s\s+3\s+27\s+hiddenStd 0\.3\.\.3 \(3\)/m);
  const svg = join(dir, 'curve.svg');
  assert.equal(run(['plot', 'curve', 's', '--db', url, '--out', svg]).status, 0);
  assert.match(readFileSync(svg, 'utf8'), /^<svg/);
  const out = join(dir, 'report');
  const reproduced = run([
    'reproduce',
    '--epochs',
    '50',
    '--points',
    '5',
    '--repeats',
    '2',
    '--workers',
    '2',
    '--out',
    out,
    '--db',
    url,
  ]);
  assert.equal(reproduced.status, 0, reproduced.stderr);
  for (const file of readdirSync(out).filter((f) => /\.(md|csv|svg)$/.test(f)))
    assertNoPassword(readFileSync(join(out, file), 'utf8'), file);
  assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /postgres:\/\/xorlab:\*\*\*@127\.0\.0\.1/);
});

test('XORLAB_DB gives the default --db, PGPASSWORD the password; --help shows the default with ***', async () => {
  const url = await server.createDatabase();
  const database = new URL(url).pathname.slice(1);
  assert.equal(run(['sweep', '--name', 'env', ...SMALL], { XORLAB_DB: url }).status, 0);
  const listed = run(['studies'], {
    XORLAB_DB: server.url(database, { password: false }),
    PGPASSWORD: server.password,
  });
  assert.equal(listed.status, 0, listed.stderr);
  assert.match(listed.stdout, /^env\s+3\s+18/m);
  const help = run(['summary', '--help'], { XORLAB_DB: url });
  assert.match(help.stdout.replace(/\s+/g, ' '), /default: \$XORLAB_DB = postgres:\/\/xorlab:\*\*\*@127\.0\.0\.1/);
  // --db beats XORLAB_DB.
  const file = run(['studies', '--db', join(dir, 'none.db')], { XORLAB_DB: url });
  assert.match(usageErrorLine(file), /no database at/);
});

test('a bad database is one line, exit 2, within a few seconds, without the password', async () => {
  const good = await server.createDatabase();
  const database = new URL(good).pathname.slice(1);
  const foreign = await server.createDatabase();
  await server.query(
    'CREATE SCHEMA xorlab; CREATE TABLE xorlab.notes (text text)',
    [],
    new URL(foreign).pathname.slice(1),
  );
  const empty = await server.createDatabase();
  const cases: [string, string[], RegExp][] = [
    [
      'wrong password',
      ['studies', '--db', server.url(database, { password: `${server.password}x` })],
      /password authentication failed for user "xorlab" \(check the user and the password/,
    ],
    [
      'no password',
      ['studies', '--db', server.url(database, { password: false })],
      /cannot connect to PostgreSQL at postgres:\/\/xorlab@127\.0\.0\.1:\d+\/t_\d+_\d+: .*password/,
    ],
    [
      'missing database',
      ['summary', 's', '--db', server.url('nope')],
      /database "nope" does not exist \(create it first/,
    ],
    [
      'closed port',
      ['sweep', '--name', 'x', ...SMALL, '--db', good.replace(`:${server.port}/`, ':1/')],
      /connection refused \(is the server running/,
    ],
    [
      'unknown host',
      ['studies', '--db', good.replace('127.0.0.1', 'no-such-host.invalid')],
      /unknown host "no-such-host\.invalid"/,
    ],
    [
      'malformed URL',
      ['export', 's', '--db', good.replace(`:${server.port}/`, ':99999/')],
      /not a valid PostgreSQL URL: postgres:\/\/xorlab:\*\*\*@127\.0\.0\.1:99999/,
    ],
    [
      "not xorlab's",
      ['sweep', '--name', 'x', ...SMALL, '--db', foreign],
      /has a schema "xorlab" that is not xorlab's \(tables: notes\); it was left as it is/,
    ],
    [
      "not xorlab's, reading",
      ['plot', 'curve', 's', '--db', foreign, '--out', join(dir, 'x.svg')],
      /that is not xorlab's/,
    ],
    [
      'nothing stored yet',
      ['summary', 's', '--db', empty],
      /holds no xorlab data \(no schema "xorlab"\); run xorlab sweep/,
    ],
    [
      'mistyped scheme',
      ['studies', '--db', `postgres:/xorlab:${server.password}@127.0.0.1/db`],
      /not a valid database URL: postgres:\/xorlab:\*\*\*@127\.0\.0\.1\/db/,
    ],
  ];
  for (const [what, args, expected] of cases) {
    const startup = cliStartSeconds(); // what a loaded machine adds to any command
    const started = Date.now();
    const r = run(args);
    const waited = (Date.now() - started) / 1000 - startup;
    assert.match(usageErrorLine(r), expected, what);
    assert.ok(waited < 8, `${what}: ${waited.toFixed(1)} s beyond the CLI's ${startup.toFixed(1)} s start`);
  }
  // Reading commands created nothing in the empty database; the foreign schema is as it was.
  assert.deepEqual(
    await server.query(
      "SELECT nspname FROM pg_namespace WHERE nspname = 'xorlab'",
      [],
      new URL(empty).pathname.slice(1),
    ),
    [],
  );
  assert.deepEqual(
    await server.query(
      "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'xorlab' AND relkind = 'r'",
      [],
      new URL(foreign).pathname.slice(1),
    ),
    [{ relname: 'notes' }],
  );
});

test('Ctrl-C mid-sweep into PostgreSQL: nothing printed shows the password; the resume command (password put back) completes it', async () => {
  const url = await server.createDatabase();
  const database = new URL(url).pathname.slice(1);
  const study = [
    '--name',
    'ctrlc',
    '--sweep',
    'hiddenStd=exp:-3:4:60',
    '--repeats',
    '10',
    '--seed',
    '5',
    '--epochs',
    '1500',
    '--engine',
    'reference',
    '--workers',
    '2',
    '--chunk-size',
    '7',
  ];
  const stopped = await new Promise<{ code: number | null; out: string; before: number }>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'sweep', ...study, '--db', url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    let before = 0;
    const poll = setInterval(() => {
      server
        .query<{ n: string }>(
          "SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'xorlab' AND tablename = 'trials'",
          [],
          database,
        )
        .then(async (rows) =>
          Number(rows[0].n)
            ? Number((await server.query<{ n: string }>('SELECT count(*) AS n FROM xorlab.trials', [], database))[0].n)
            : 0,
        )
        .then((n) => {
          if (n > 0 && before === 0) {
            before = n;
            clearInterval(poll);
            child.kill('SIGINT');
          }
        })
        .catch(() => undefined);
    }, 25);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      resolve({ code, out, before });
    });
  });
  assertNoPassword(stopped.out, 'the interrupted sweep');
  assert.equal(stopped.code, 130, stopped.out);
  const m = /Resume with:\n {2}xorlab (.+)\n/.exec(stopped.out);
  assert.ok(m, stopped.out);
  assert.match(m[1], /--db postgres:\/\/xorlab:\*\*\*@127\.0\.0\.1:\d+\/t_/);
  assert.match(stopped.out, /the password is not printed: put it in place of \*\*\*, or give it through PGPASSWORD/);
  const args = m[1].split(' ').map((a) => a.replace(':***@', `:${encodeURIComponent(server.password)}@`));
  const resumed = run(args);
  assert.equal(resumed.status, 0, resumed.stderr);
  const local = join(dir, 'ctrlc.db');
  assert.equal(run(['sweep', ...study, '--db', local]).status, 0);
  assert.deepEqual(
    JSON.parse(run(['summary', 'ctrlc', '--json', '--db', url]).stdout),
    JSON.parse(run(['summary', 'ctrlc', '--json', '--db', local]).stdout),
  );
});

test('rename, delete and two refines at once on a postgres:// URL: the same as on SQLite', async () => {
  const url = await server.createDatabase();
  assert.equal(run(['sweep', '--name', 'first', ...SMALL, '--db', url]).status, 0);
  const refine = (): Promise<number | null> =>
    new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        [BIN, 'refine', 'first', '--budget', '30', '--workers', '1', '--chunk-size', '3', '--db', url],
        { stdio: 'ignore' },
      );
      child.on('exit', (status) => resolve(status));
    });
  assert.deepEqual(await Promise.all([refine(), refine()]), [0, 0]);
  const listed = (): { name: string; trials: number }[] =>
    (JSON.parse(run(['studies', '--json', '--db', url]).stdout) as { name: string; trials: number }[]).map(
      ({ name, trials }) => ({ name, trials }),
    );
  // Both budgets spent: 18 + 2 x 30 trials, at different repeat indices.
  assert.deepEqual(listed(), [{ name: 'first', trials: 78 }]);
  const renamed = run(['rename', 'first', 'second', '--db', url]);
  assert.equal(renamed.status, 0, renamed.stderr);
  const resumed = run(['sweep', '--name', 'second', '--db', url]);
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stdout, /study second: all 18 trials are stored/);
  assert.match(usageErrorLine(run(['delete', 'second', '--db', url])), /cannot be undone; add --yes/);
  assert.equal(run(['delete', 'second', '--yes', '--db', url]).status, 0);
  assert.deepEqual(listed(), []);
});
