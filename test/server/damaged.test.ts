// A database made elsewhere, over real HTTP: one study whose stored definition is not JSON, one whose point params
// are broken, and studies named ".", "..", "a/b", "100%", "q?x", "h#1", "it's". Each bad study is its own one-line
// JSON error (listed, marked); every other study stays usable; every name round-trips through its URL; 404s say
// nothing of where the database is; Node's own 400/431 answers are JSON; `xorlab studies` marks the bad study too.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { openSqliteStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { studySegment } from '../../src/text/study-url.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { damagedDatabase, ODD_NAMES } from '../helpers/damaged.js';

let dir: string;
let db: string;
let store: Store;
let running: RunningServer;

before(async () => {
  dir = tempDir('xorlab-damaged-');
  db = join(dir, 'studies.db');
  await damagedDatabase(db);
  store = openSqliteStore(db, { readonly: true });
  running = await startServer({ store, port: 0 });
});

after(async () => {
  await running?.close();
  await store?.close();
});

function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: running.port, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The status, one line of JSON {"error"}, matching `pattern`, with nothing of the database's location. */
async function expectError(path: string, status: number, pattern: RegExp): Promise<string> {
  const answer = await get(path);
  assert.equal(answer.status, status, `${path}: ${answer.status} ${answer.text}`);
  assert.equal(answer.headers['content-type'], 'application/json; charset=utf-8', path);
  assert.equal(answer.text.includes('\n'), false, `${path}: one line`);
  const { error } = JSON.parse(answer.text) as { error: string };
  assert.match(error, pattern, path);
  assert.equal(error.includes(dir), false, `${path} tells where the database is: ${error}`);
  return error;
}

test('a study whose definition is not JSON is listed with its error; its own routes are one-line errors; the others work', async () => {
  const listing = await get('/api/studies');
  assert.equal(listing.status, 200, listing.text);
  const lines = JSON.parse(listing.text) as { name: string; trials: number; error?: string }[];
  assert.deepEqual(
    lines.map((l) => l.name),
    ['good', ...ODD_NAMES, 'baddef', 'badparams'],
  );
  assert.match(lines.find((l) => l.name === 'baddef')!.error!, /^its stored definition is not JSON \(/);
  assert.deepEqual(
    lines.filter((l) => l.error !== undefined).map((l) => l.name),
    ['baddef'],
  );
  for (const part of ['', '/summary', '/trials', '/curve.svg'])
    await expectError(
      `/api/studies/baddef${part}`,
      500,
      /^study "baddef" cannot be read: its stored definition is not JSON/,
    );
  await expectError('/api/events?study=baddef', 500, /^study "baddef" cannot be read/);
  assert.equal((await get('/api/studies/good')).status, 200);
  assert.equal((await get('/api/studies/good/trials')).status, 200);
});

test('a study whose point params are broken: its view, summary and trials are one-line errors, not an empty reply', async () => {
  for (const part of ['', '/summary', '/trials', '/trials?format=jsonl', '/curve.svg']) {
    await expectError(
      `/api/studies/badparams${part}`,
      500,
      /^study "badparams" cannot be read: the stored params of point 2 are not a JSON object/,
    );
  }
  const good = await get('/api/studies/good/summary');
  assert.equal(good.status, 200);
});

test('every odd name round-trips through /api/studies/<segment> and /studies/<segment>', async () => {
  for (const name of ODD_NAMES) {
    const segment = studySegment(name);
    assert.ok(segment !== '.' && segment !== '..' && !/^%2e(%2e)?$/i.test(segment), segment);
    const view = await get(`/api/studies/${segment}`);
    assert.equal(view.status, 200, `${name}: ${view.text}`);
    assert.equal((JSON.parse(view.text) as { study: { name: string } }).study.name, name);
    const page = await get(`/studies/${segment}`);
    assert.equal(page.status, 200, name);
    assert.match(page.headers['content-type'] as string, /text\/html/);
  }
  // filename* of RFC 8187 has no raw ' (it would end the charset part).
  const trials = await get(`/api/studies/${studySegment("it's")}/trials`);
  assert.match(trials.headers['content-disposition'] as string, /filename\*=UTF-8''it%27s\.csv$/);
});

test('404s name the study and nothing of the server: no path, no URL', async () => {
  for (const path of [
    '/api/studies/nope',
    '/api/studies/nope/summary',
    '/api/studies/nope/trials',
    '/api/events?study=nope',
  ]) {
    const error = await expectError(path, 404, /^no study named "nope"$/);
    assert.doesNotMatch(error, /\/|\.db|http/);
  }
});

test('level and compare as the CLI takes them: 1e-320 refused, a point far off the grid carries the warning', async () => {
  await expectError('/api/studies/good/summary?level=1e-320', 400, /level must be a number >= 0\.5 and <= 0\.9999/);
  const cli = runCli(['summary', 'good', '--level', '1e-320', '--db', db]);
  assert.equal(cli.status, 2);
  assert.match(cli.stderr, /--level must be a number >= 0\.5 and <= 0\.9999, got "1e-320"/);
  const answer = await get('/api/studies/good/summary?compare=hiddenStd%3D1000&compare=hiddenStd%3D0.5');
  assert.equal(answer.status, 200, answer.text);
  const body = JSON.parse(answer.text) as { warnings?: string[]; comparison?: unknown };
  assert.ok(body.comparison);
  const cliWarning = runCli([
    'summary',
    'good',
    '--compare',
    'hiddenStd=1000',
    '--compare',
    'hiddenStd=0.5',
    '--db',
    db,
  ]);
  assert.equal(cliWarning.status, 0, cliWarning.stderr);
  const warned = /xorlab: warning: (.*)/.exec(cliWarning.stderr)?.[1];
  assert.ok(warned, cliWarning.stderr);
  assert.deepEqual(body.warnings, [warned.replace(/^--compare/, 'compare')]); // the query's name for the option
  // Without a warning, the object is the CLI's, with no field added.
  const plain = JSON.parse((await get('/api/studies/good/summary?compare=1&compare=0.5')).text) as object;
  assert.equal('warnings' in plain, false);
});

/** What the server answers to raw bytes on a new connection. */
function rawAnswer(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(running.port, '127.0.0.1', () => socket.end(bytes));
    let text = '';
    socket.setEncoding('utf8').on('data', (d: string) => (text += d));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

test("Node's own 400 and 431 answers carry one line of JSON", async () => {
  const bad = await rawAnswer('NOT HTTP AT ALL\r\n\r\n');
  assert.match(bad, /^HTTP\/1\.1 400 /);
  assert.match(bad, /content-type: application\/json; charset=utf-8/i);
  assert.deepEqual(JSON.parse(bad.slice(bad.indexOf('\r\n\r\n') + 4)), {
    error: 'the request could not be parsed as HTTP',
  });
  const large = await rawAnswer(
    `GET / HTTP/1.1\r\nHost: 127.0.0.1:${running.port}\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`,
  );
  assert.match(large, /^HTTP\/1\.1 431 /);
  assert.deepEqual(JSON.parse(large.slice(large.indexOf('\r\n\r\n') + 4)), {
    error: 'the request headers are too large',
  });
});

test('xorlab studies lists the damaged study marked with its error, and every other study', () => {
  const r = runCli(['studies', '--db', db]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^baddef\s+4\s+12\s+damaged: its stored definition is not JSON \(/m);
  assert.match(r.stdout, /^good\s+4\s+12\s+hiddenStd/m);
  assert.match(r.stdout, /^\.\.\s+4\s+12\s/m);
  const json = JSON.parse(runCli(['studies', '--json', '--db', db]).stdout) as { name: string; error?: string }[];
  assert.match(json.find((s) => s.name === 'baddef')!.error!, /not JSON/);
});
