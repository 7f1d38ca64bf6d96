// The JSON API over real HTTP, against a database written by real `xorlab sweep`s: the same objects and bytes as
// the CLI (studies --json, summary --json, export, plot), one-line JSON errors, the event stream while another
// process writes, and `xorlab serve`'s own failures (missing/corrupt database, port in use: one line, exit 2).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, tempDir, usageErrorLine } from '../helpers/cli.js';
import { startServe, type Served } from '../helpers/serve.js';
import { until } from '../helpers/wait.js';

let dir: string;
let db: string;
let served: Served;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
}

function get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const { port } = new URL(served.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function getJson(path: string): Promise<unknown> {
  const answer = await get(path);
  assert.equal(answer.status, 200, `${path}: ${answer.text}`);
  assert.equal(answer.headers['content-type'], 'application/json; charset=utf-8');
  return JSON.parse(answer.text);
}

function cliJson(args: string[]): unknown {
  const r = runCli([...args, '--db', db]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** Checks the shape of every error answer: the status, one line of JSON {"error": ...}, no stack trace. */
async function expectError(path: string, status: number, pattern: RegExp): Promise<void> {
  const answer = await get(path);
  assert.equal(answer.status, status, `${path}: ${answer.status} ${answer.text}`);
  assert.equal(answer.headers['content-type'], 'application/json; charset=utf-8', path);
  assert.equal(answer.text.includes('\n'), false, `${path}: one line`);
  const body = JSON.parse(answer.text) as { error: string };
  assert.deepEqual(Object.keys(body), ['error']);
  assert.match(body.error, pattern, path);
  assert.doesNotMatch(answer.text, /\bat .+:\d+:\d+|node:internal|\.ts:\d+/, `${path}: no stack trace`);
}

before(() => {
  dir = tempDir('xorlab-api-');
  db = join(dir, 'studies.db');
  for (const args of [
    ['--name', 'curve', '--sweep', 'hiddenStd=exp:-3:4:8', '--repeats', '4'],
    ['--name', 'land', '--sweep', 'hiddenStd=0.5,1,2', '--sweep', 'lr=0.1,0.5', '--repeats', '3'],
  ]) {
    const r = runCli(['sweep', ...args, '--epochs', '300', '--workers', '1', '--db', db]);
    assert.equal(r.status, 0, r.stderr);
  }
});

before(async () => {
  served = await startServe(['--db', db]);
});

after(async () => {
  await served?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('GET /api/studies: the lines of xorlab studies --json, with planned trials and updatedAt', async () => {
  const lines = (await getJson('/api/studies')) as Record<string, unknown>[];
  const cli = cliJson(['studies', '--json']) as Record<string, unknown>[];
  assert.deepEqual(
    lines.map(({ planned: _p, updatedAt: _u, ...rest }) => rest),
    cli,
  );
  assert.deepEqual(
    lines.map((l) => l.planned),
    [
      { points: 8, trials: 32 },
      { points: 6, trials: 18 },
    ],
  );
  assert.deepEqual(
    lines.map((l) => l.updatedAt),
    [null, null],
    'no change since the server started',
  );
});

test('GET /api/studies/<name>/summary is the object of xorlab summary --json, with compare and level', async () => {
  assert.deepEqual(await getJson('/api/studies/curve/summary'), cliJson(['summary', 'curve', '--json']));
  assert.deepEqual(
    await getJson('/api/studies/curve/summary?compare=1&compare=0.368&level=0.9'),
    cliJson(['summary', 'curve', '--json', '--compare', '1', '0.368', '--level', '0.9']),
  );
  assert.deepEqual(
    await getJson('/api/studies/land/summary?compare=point%3D0&compare=hiddenStd%3D2%2Clr%3D0.5'),
    cliJson(['summary', 'land', '--json', '--compare', 'point=0', 'hiddenStd=2,lr=0.5']),
  );
});

test('GET /api/studies/<name>/trials streams the bytes of xorlab export, csv, jsonl and mongo', async () => {
  for (const format of ['csv', 'jsonl', 'mongo']) {
    const answer = await get(`/api/studies/curve/trials?format=${format}`);
    assert.equal(answer.status, 200);
    const cli = runCli(['export', 'curve', '--format', format, '--db', db]);
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal(answer.text, cli.stdout, format);
    const extension = format === 'mongo' ? 'mongo.json' : format;
    assert.equal(
      answer.headers['content-disposition'],
      `attachment; filename="curve.${extension}"; filename*=UTF-8''curve.${extension}`,
    );
  }
  assert.equal(
    (await get('/api/studies/land/trials')).text,
    runCli(['export', 'land', '--db', db]).stdout,
    'csv by default',
  );
  assert.equal((await get('/api/studies/curve/trials?format=csv')).headers['content-type'], 'text/csv; charset=utf-8');
});

test('the charts download as xorlab plot renders them; the study view carries the same specs', async () => {
  const svg = await get('/api/studies/curve/curve.svg');
  assert.equal(svg.status, 200);
  assert.equal(svg.headers['content-type'], 'image/svg+xml');
  const out = join(dir, 'curve.svg');
  assert.equal(runCli(['plot', 'curve', 'curve', '--db', db, '--out', out]).status, 0);
  assert.equal(svg.text, readFileSync(out, 'utf8'));
  const png = await get('/api/studies/land/heatmap.png');
  assert.equal(png.status, 200);
  assert.deepEqual([...png.body.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);

  const view = (await getJson('/api/studies/curve')) as {
    charts: { curve: unknown; heatmap: unknown };
    summary: unknown;
  };
  assert.deepEqual(view.charts.curve, cliJson(['plot', 'curve', 'curve', '--spec']));
  assert.equal(view.charts.heatmap, null);
  assert.deepEqual(view.summary, cliJson(['summary', 'curve', '--json']));
  const land = (await getJson('/api/studies/land')) as {
    charts: { curve: unknown; heatmap: unknown; note: string | null };
  };
  assert.deepEqual(land.charts.heatmap, cliJson(['plot', 'heatmap', 'land', '--spec']));
  assert.equal(land.charts.curve, null);
  await expectError('/api/studies/land/curve.svg', 404, /heatmap/);
});

test('bad requests: 4xx with one line of JSON, never a stack trace', async () => {
  await expectError('/api/studies/nope/summary', 404, /no study named "nope"/);
  await expectError('/api/studies/nope', 404, /no study named "nope"/);
  await expectError('/api/studies/nope/trials', 404, /no study named "nope"/);
  await expectError('/api/events?study=nope', 404, /no study named "nope"/);
  await expectError('/api/studies/curve/trials?format=xml', 400, /format must be one of csv, jsonl, mongo, got "xml"/);
  await expectError('/api/studies/curve/trials?format=csv&format=jsonl', 400, /more than once/);
  await expectError('/api/studies/curve/summary?compare=1', 400, /two points/);
  await expectError('/api/studies/curve/summary?compare=1&compare=2&compare=3', 400, /two points/);
  await expectError('/api/studies/curve/summary?compare=lr%3D1&compare=1', 400, /compare A: "lr" is not swept/);
  await expectError('/api/studies/curve/summary?compare=point%3D99&compare=1', 400, /no point 99/);
  await expectError('/api/studies/curve/summary?level=abc', 400, /level must be a number/);
  await expectError('/api/studies/curve/summary?level=1', 400, /level must be a number/);
  await expectError(
    '/api/studies/curve/summary?levle=0.9',
    400,
    /unknown query parameter "levle"; allowed: compare, level/,
  );
  await expectError('/api/studies?x=1', 400, /unknown query parameter "x"/);
  await expectError('/api/studies/curve/nope', 404, /no API route/);
  await expectError('/api/studies/curve/summary/more', 404, /no API route/);
  await expectError('/api/nope', 404, /no API route/);
  await expectError('/api/studies/%E0%A4%A', 400, /malformed %-escape/);
});

/** Reads Server-Sent Events from `path` until `done` says so (or the time runs out). */
function readEvents(
  path: string,
  done: (events: { event: string; data: any }[]) => boolean,
  timeoutMs = 60_000,
  seen: (events: { event: string; data: any }[]) => void = () => {},
): Promise<{ event: string; data: any }[]> {
  const { port } = new URL(served.url);
  return new Promise((resolve, reject) => {
    const events: { event: string; data: any }[] = [];
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
      let buffer = '';
      res.setEncoding('utf8').on('data', (d: string) => {
        buffer += d;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) });
          seen(events);
          if (done(events)) {
            clearTimeout(timer);
            req.destroy();
            resolve(events);
            return;
          }
        }
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`timed out; events so far: ${events.map((e) => e.event).join(', ')}`));
    }, timeoutMs);
    req.on('error', (error) => {
      if (!req.destroyed) reject(error);
    });
    req.end();
  });
}

test('GET /api/events: the listing and the watched study now, then what a sweep in another process writes', async () => {
  const first = await readEvents('/api/events?study=curve', (e) => e.length >= 2);
  assert.deepEqual(
    first.map((e) => e.event),
    ['studies', 'study'],
  );
  assert.equal(first[1].data.study.trials, 32);
  assert.deepEqual(first[1].data.summary, cliJson(['summary', 'curve', '--json']));

  // A refine in another process adds trials while the server reads: it must not be blocked, and the stream must
  // carry the new counts.
  let connected = (): void => {};
  const opened = new Promise<void>((resolve) => (connected = resolve));
  const stream = readEvents(
    '/api/events?study=curve',
    (e) => e.some((x) => x.event === 'study' && x.data.study.trials === 32 + 40),
    60_000,
    (e) => {
      if (e.length >= 2) connected();
    },
  );
  // The refine starts once the stream has sent what the study holds now (a stream that fails ends the wait too).
  await Promise.race([opened, stream]);
  const refine = runCli(['refine', 'curve', '--budget', '40', '--workers', '1', '--db', db]);
  assert.equal(refine.status, 0, refine.stderr);
  const events = await stream;
  const last = events.filter((e) => e.event === 'study').at(-1)!;
  assert.deepEqual(last.data.summary, cliJson(['summary', 'curve', '--json']));
  assert.match(last.data.study.updatedAt, /^\d{4}-\d\d-\d\dT/);
  const listing = events.filter((e) => e.event === 'studies').at(-1)!;
  assert.equal(listing.data.find((s: { name: string }) => s.name === 'curve').trials, 72);
});

test('the server never writes the database', async () => {
  const files = (): Record<string, string> =>
    Object.fromEntries(
      readdirSync(dir)
        .filter((f) => f.startsWith('studies.db'))
        .map((f) => [f, `${statSync(join(dir, f)).size}:${statSync(join(dir, f)).mtimeMs}`]),
    );
  const before = files();
  await getJson('/api/studies');
  await getJson('/api/studies/curve');
  await get('/api/studies/curve/trials');
  await readEvents('/api/events?study=land', (e) => e.length >= 2);
  assert.deepEqual(files(), before);
});

test('xorlab serve: a missing or foreign database, a busy port or a bad flag is one line, exit 2', async () => {
  const missing = join(dir, 'missing.db');
  assert.match(usageErrorLine(runCli(['serve', '--db', missing, '--port', '0'])), /no database at .*missing\.db/);
  assert.equal(existsSync(missing), false, 'no database was created');
  const junk = join(dir, 'junk.db');
  writeFileSync(junk, 'this is not a database at all, just text that is long enough to be a header of sorts......');
  assert.match(usageErrorLine(runCli(['serve', '--db', junk, '--port', '0'])), /junk\.db/);
  assert.equal(readFileSync(junk, 'utf8').startsWith('this is not'), true, 'left as it was');

  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  try {
    const r = runCli(['serve', '--db', db, '--port', String(port)]);
    assert.match(usageErrorLine(r), new RegExp(`port ${port} on 127.0.0.1 is in use; pass --port`));
  } finally {
    blocker.close();
  }
  assert.match(usageErrorLine(runCli(['serve', '--db', db, '--port', 'http'])), /--port/);
  assert.match(usageErrorLine(runCli(['serve', '--db', db, '--port', '70000'])), /--port/);
  assert.match(
    usageErrorLine(runCli(['serve', '--db', db, '--host', '203.0.113.7', '--port', '0'])),
    /cannot bind 203\.0\.113\.7/,
  );
});

test('--host 0.0.0.0 says that anyone who can reach the machine can read the studies', async () => {
  const open = await startServe(['--db', db, '--host', '0.0.0.0']);
  try {
    assert.match(open.url, /^http:\/\/0\.0\.0\.0:\d+\/$/);
    const warning = /anyone who can reach this machine on port \d+ can read the studies/;
    await until(
      () => warning.test(open.stderr()),
      () => `the warning on stderr (so far: ${open.stderr()})`,
    );
    assert.match(open.stderr(), warning);
  } finally {
    await open.stop();
  }
  assert.equal(served.stderr(), '', 'the default 127.0.0.1 prints no warning');
});
