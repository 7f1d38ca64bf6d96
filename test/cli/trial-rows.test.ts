// The database as a pandas user sees it: the trial_rows view read by another program (Python's sqlite3, what
// pandas.read_sql uses underneath), the same view in a PostgreSQL store, and `xorlab export`, which carries the same
// columns: every configuration value, fixed or swept.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PARAMETER_NAMES } from '../../src/config/index.js';
import { openSqliteStore, openStore } from '../../src/store/index.js';
import { collect, runCli, tempDir } from '../helpers/cli.js';
import { startPostgres } from '../helpers/postgres.js';

const dir = tempDir();
const db = join(dir, 'rows.db');

// Three studies: one sweeps a number and a name, one the hidden units, one the lr on two hidden layers with a
// stepEvery past 2^31; their fixed settings differ from the defaults (lr, epochs, loss, output activation, schedule).
const SWEEPS = [
  [
    'sweep',
    '--name',
    'grid',
    '--sweep',
    'hidden-std=0.5,2',
    '--sweep',
    'activation=tanh,sigmoid',
    '--lr',
    '0.5',
    '--epochs',
    '40',
    '--repeats',
    '3',
  ],
  [
    'sweep',
    '--name',
    'units',
    '--sweep',
    'hidden=3,5',
    '--loss',
    'mse',
    '--output-activation',
    'tanh',
    '--epochs',
    '30',
    '--repeats',
    '2',
  ],
  [
    'sweep',
    '--name',
    'deep',
    '--hidden',
    '3,2',
    '--sweep',
    'lr=0.3,1',
    '--epochs',
    '20',
    '--repeats',
    '1',
    '--step-every',
    '3000000000',
    '--schedule',
    'step',
  ],
];

before(() => {
  for (const sweep of SWEEPS) {
    const r = runCli([...sweep, '--db', db]);
    assert.equal(r.status, 0, r.stderr);
  }
});

const METRICS = ['seed', 'totalLoss', 'finalLoss', 'success', 'epochsToThreshold', 'diverged', 'engine', 'precision'];
const COLUMNS = ['study', 'point', 'repeat', ...PARAMETER_NAMES, ...METRICS];

/** Reads trial_rows as pandas.read_sql does where pandas is installed, else with Python's sqlite3 (the module
 * pandas reads through). Null where there is no Python. */
function readWithPython(): { reader: string; columns: string[]; rows: unknown[][] } | null {
  const script = `
import json, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
query = "select * from trial_rows order by study, point, repeat"
try:
    import pandas
    df = pandas.read_sql(query, con)
    rows = json.loads(df.to_json(orient="values"))
    print(json.dumps({"reader": "pandas " + pandas.__version__, "columns": list(df.columns), "rows": rows}))
except ImportError:
    cur = con.execute(query)
    print(json.dumps({"reader": "sqlite3", "columns": [d[0] for d in cur.description], "rows": cur.fetchall()}))`;
  // The Python on PATH, or the system's (where pandas from Debian lives) when that one has pandas and PATH's not.
  let found: { reader: string; columns: string[]; rows: unknown[][] } | null = null;
  for (const python of ['python3', '/usr/bin/python3']) {
    const py = spawnSync(python, ['-c', script, db], { encoding: 'utf8' });
    if (py.error) continue;
    assert.equal(py.status, 0, py.stderr);
    const read = JSON.parse(py.stdout) as { reader: string; columns: string[]; rows: unknown[][] };
    if (!found || read.reader.startsWith('pandas')) found = read;
    if (read.reader.startsWith('pandas')) break;
  }
  return found;
}

test("trial_rows, read by pandas.read_sql (or Python's sqlite3): study, every configuration value as a column, repeat, seed, metrics", (t) => {
  const read = readWithPython();
  if (!read) {
    t.skip('python3 is not installed');
    return;
  }
  t.diagnostic(`read with ${read.reader}`);
  const { columns, rows } = read;
  assert.deepEqual(columns, COLUMNS);
  assert.equal(rows.length, 4 * 3 + 2 * 2 + 2);
  const at = (row: unknown[], name: string): unknown => row[columns.indexOf(name)];
  const grid = rows.filter((r) => at(r, 'study') === 'grid');
  // Swept values per point (row-major: hiddenStd outer, activation inner), fixed ones everywhere.
  assert.deepEqual(
    grid.map((r) => [at(r, 'point'), at(r, 'hiddenStd'), at(r, 'activation')]).filter((_, i) => i % 3 === 0),
    [
      [0, 0.5, 'tanh'],
      [1, 0.5, 'sigmoid'],
      [2, 2, 'tanh'],
      [3, 2, 'sigmoid'],
    ],
  );
  for (const r of grid) {
    assert.equal(at(r, 'lr'), 0.5);
    assert.equal(at(r, 'epochs'), 40);
    assert.equal(at(r, 'hidden'), '2');
    assert.equal(at(r, 'outputStd'), 1);
    assert.equal(at(r, 'dataset'), 'xor');
    assert.equal(at(r, 'engine'), 'fast');
  }
  const units = rows.filter((r) => at(r, 'study') === 'units');
  assert.deepEqual([...new Set(units.map((r) => at(r, 'hidden')))], ['3', '5']);
  for (const r of units) {
    assert.equal(at(r, 'loss'), 'mse');
    assert.equal(at(r, 'outputActivation'), 'tanh');
    assert.equal(at(r, 'lr'), 0.1);
  }
});

test('xorlab export has the same columns and values as trial_rows', () => {
  const con = new Database(db, { readonly: true });
  const view = con.prepare("SELECT * FROM trial_rows WHERE study = 'grid' ORDER BY point, repeat").all() as Record<
    string,
    unknown
  >[];
  con.close();
  const r = runCli(['export', 'grid', '--db', db]);
  assert.equal(r.status, 0, r.stderr);
  const [header, ...lines] = r.stdout.trimEnd().split('\n');
  assert.deepEqual(header.split(','), COLUMNS);
  assert.equal(lines.length, view.length);
  lines.forEach((line, i) => {
    const cells = line.split(',');
    COLUMNS.forEach((name, c) => {
      const value = view[i][name];
      assert.equal(cells[c], value === null ? '' : String(value as string | number), `row ${i}, ${name}`);
    });
  });
  const jsonl = runCli(['export', 'units', '--db', db, '--format', 'jsonl']);
  const first = JSON.parse(jsonl.stdout.split('\n')[0]) as {
    params: Record<string, unknown>;
    config: Record<string, unknown>;
  };
  assert.deepEqual(first.params, { hidden: 3 });
  assert.deepEqual(first.config.hidden, [3]);
  assert.equal(first.config.loss, 'mse');
});

test("a PostgreSQL store has the same trial_rows view: the same columns and values as SQLite's, typed", async () => {
  const server = await startPostgres();
  after(() => server.close());
  const url = await server.createDatabase();
  // The three studies as the sweeps stored them in SQLite (definitions and rows), written into PostgreSQL through
  // its store in process: three CLI sweeps less. (Sweeps through the CLI into PostgreSQL store what they store in
  // SQLite: test/cli/postgres.test.ts.)
  const source = openSqliteStore(db, { readonly: true });
  const target = await openStore(url);
  try {
    for (const study of await source.listStudies()) {
      await target.ensureStudy(study.name, study.definition);
      await target.insertTrials(await collect(source.iterateTrials(study.name)));
    }
  } finally {
    await source.close();
    await target.close();
  }
  const con = new Database(db, { readonly: true });
  const sqlite = con.prepare('SELECT * FROM trial_rows ORDER BY study, point, repeat').all() as Record<
    string,
    unknown
  >[];
  con.close();
  const postgres = await server.query(
    'SELECT * FROM xorlab.trial_rows ORDER BY study, point, repeat',
    [],
    new URL(url).pathname.slice(1),
  );
  assert.deepEqual(Object.keys(postgres[0]), COLUMNS);
  assert.equal(postgres.length, sqlite.length);
  // node-postgres gives a bigint (the seed; stepEvery, which has no upper bound) as a string.
  const asSqlite = postgres.map((row) =>
    Object.fromEntries(Object.entries(row).map(([k, v]) => [k, k === 'seed' || k === 'stepEvery' ? Number(v) : v])),
  );
  assert.deepEqual(asSqlite, sqlite);
  assert.deepEqual([...new Set(sqlite.map((r) => r.hidden))], ['3,2', '2', '3', '5']);
  assert.ok(sqlite.every((r) => r.study !== 'deep' || r.stepEvery === 3_000_000_000));
  // A writing open puts back a view that was dropped or is from another version; a reading one touches nothing.
  const database = new URL(url).pathname.slice(1);
  await server.query('DROP VIEW xorlab.trial_rows', [], database);
  assert.equal(runCli(['summary', 'grid', '--db', url]).status, 0);
  assert.deepEqual(
    await server.query(
      "SELECT 1 AS n FROM pg_views WHERE schemaname = 'xorlab' AND viewname = 'trial_rows'",
      [],
      database,
    ),
    [],
  );
  assert.equal(runCli(['sweep', '--name', 'grid', '--db', url]).status, 0);
  assert.equal(
    (await server.query('SELECT count(*)::integer AS n FROM xorlab.trial_rows', [], database))[0].n,
    sqlite.length,
  );
});
