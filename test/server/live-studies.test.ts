// The live event stream under clients that stop reading, over real sockets, against a real SQLite study that is
// written while they listen: what the server holds for each stream stays bounded (each socket's buffer, the
// process's memory), the same clients resumed get the current state (not the backlog), a stream that never drains is
// closed, and streams past the cap are a one-line JSON 503 that names the cap.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BUFFER_BOUND } from '../../src/server/live-studies.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { openSqliteStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { resolveStudy } from '../../src/study/definition/definition.js';
import { tempDir } from '../helpers/cli.js';
import { Stream, type Event } from '../helpers/event-stream.js';
import { trial } from '../store/fixtures.js';

/** A study name of 1 MiB (a crafted database): every listing event is over 1 MiB, so a client that stops reading
 * fills its socket's kernel buffers within a few events. */
const BIG_NAME = 'n'.repeat(1 << 20);
const WATCHED = 'w';

let path: string;
let writer: Store;
let written = 0;

before(async () => {
  path = join(tempDir('xorlab-live-'), 'studies.db');
  writer = openSqliteStore(path);
  const definition = (name: string): unknown =>
    resolveStudy({ name, sweep: { hiddenStd: 'exp:-3:4:4' }, repeats: 1000, seed: 1, config: { epochs: 10 } })
      .definition;
  await writer.ensureStudy(BIG_NAME, definition('big'));
  await writer.ensureStudy(WATCHED, definition(WATCHED));
  await writeMore();
});

after(async () => {
  await writer?.close();
});

/** Adds trials to the watched study (a real write to the file the server reads); returns its trial count. */
async function writeMore(): Promise<number> {
  const rows = [0, 1, 2, 3].map((point) => trial(WATCHED, point, written, 5 + point));
  written++;
  await writer.insertTrials(rows);
  return written * 4;
}

const watchedTrials = (e: Event): number | undefined =>
  e.event === 'studies'
    ? (e.data as { name: string; trials: number }[]).find((s) => s.name === WATCHED)?.trials
    : undefined;

// A full collection before each reading, so that what is measured is what the process holds, not garbage not yet
// collected (the resident size moved by tens of MiB with the machine's load).
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** The memory the process holds after a full collection: the JS heap and the buffers outside it (sockets' queues). */
function retained(): number {
  collectGarbage();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

/** The server's side of every connection it accepted. */
function trackSockets(running: RunningServer): Set<Socket> {
  const sockets = new Set<Socket>();
  running.server.on('connection', (socket: Socket) => sockets.add(socket));
  return sockets;
}

test('clients that stop reading while a study is written: bounded buffers and memory; resumed, they get the current state', async () => {
  const store = openSqliteStore(path, { readonly: true });
  const running = await startServer({ store, port: 0, pollMs: 20 });
  const sockets = trackSockets(running);
  const streams: Stream[] = [];
  try {
    const active = new Stream(running.port, '');
    streams.push(active);
    await active.opened;
    const paused: Stream[] = [];
    for (let k = 0; k < 10; k++) {
      const s = new Stream(running.port, k % 2 === 0 ? `?study=${WATCHED}` : '');
      streams.push(s);
      paused.push(s);
      await s.opened;
      await s.until((events) => events.some((e) => e.event === 'studies'), 'the first listing');
      s.pause();
    }
    const retainedBefore = retained();
    const largestEvent = BIG_NAME.length + 4096; // the listing with the long name, and the watched study's view
    let maxQueued = 0;
    const rounds = 20;
    let count = 0;
    for (let round = 0; round < rounds; round++) {
      count = await writeMore();
      // The reading client sees each change: the server has written it to every stream that takes it.
      await active.until(
        (events) => events.some((e) => watchedTrials(e) === count),
        `the listing with ${count} trials`,
      );
      for (const socket of sockets) maxQueued = Math.max(maxQueued, socket.writableLength);
    }
    const growth = retained() - retainedBefore;
    // 20 listings of 1 MiB to 10 clients that do not read would be 200 MiB, less what the kernel holds; what a socket
    // holds is at most the bound plus the one write that went over it.
    assert.ok(
      maxQueued <= BUFFER_BOUND + largestEvent,
      `a socket held ${maxQueued} bytes (bound ${BUFFER_BOUND} + one event of ${largestEvent})`,
    );
    assert.ok(growth < 64 * 2 ** 20, `the process holds ${(growth / 2 ** 20).toFixed(0)} MiB more`);

    // Resumed: each gets what its kernel buffers held, then the current state, not the listings it missed.
    for (const s of paused) s.resume();
    for (const [k, s] of paused.entries()) {
      await s.until(
        (events) => events.some((e) => watchedTrials(e) === count),
        `paused client ${k}: the current listing`,
      );
      if (k % 2 === 0)
        await s.until(
          (events) => events.some((e) => e.event === 'study' && e.data.study.trials === count),
          `paused client ${k}: the current view`,
        );
      const listings = s.events.filter((e) => e.event === 'studies').length;
      assert.ok(listings < rounds, `paused client ${k} got ${listings} listings: the backlog, not the current state`);
    }
  } finally {
    for (const s of streams) s.close();
    await running.close();
    await store.close();
  }
});

test('a client that never drains its stream is closed; the others go on', { timeout: 120_000 }, async () => {
  const store = openSqliteStore(path, { readonly: true });
  const running = await startServer({ store, port: 0, pollMs: 20, stallMs: 300 });
  const sockets = trackSockets(running);
  const streams: Stream[] = [];
  try {
    const active = new Stream(running.port, '');
    const stuck = new Stream(running.port, '');
    streams.push(active, stuck);
    await Promise.all([active.opened, stuck.opened]);
    await stuck.until((events) => events.length > 0, 'the first listing');
    stuck.pause();
    // The server's side of a connection closes (the paused client itself does not read its end).
    const closed = new Promise<void>((resolve) => {
      for (const socket of sockets) socket.once('close', () => resolve());
    });
    let ended = false;
    void closed.then(() => (ended = true));
    for (let round = 0; round < 60 && !ended; round++) {
      const count = await writeMore();
      await active.until(
        (events) => events.some((e) => watchedTrials(e) === count),
        `the listing with ${count} trials`,
      );
    }
    await closed;
    const count = await writeMore();
    await active.until((events) => events.some((e) => watchedTrials(e) === count), 'the reading client goes on');
  } finally {
    for (const s of streams) s.close();
    await running.close();
    await store.close();
  }
});

test('past the cap of event streams: a one-line JSON 503 that names the cap; a closed stream frees its place', async () => {
  const store = openSqliteStore(path, { readonly: true });
  const running = await startServer({ store, port: 0, maxStreams: 2 });
  const streams: Stream[] = [];
  const refused = (): Promise<{ status: number; type: string | undefined; text: string }> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: running.port, path: '/api/events', agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], text }));
      });
      req.on('error', reject);
      req.end();
    });
  try {
    for (let k = 0; k < 2; k++) {
      const s = new Stream(running.port, '');
      streams.push(s);
      assert.equal((await s.opened).statusCode, 200);
    }
    const answer = await refused();
    assert.equal(answer.status, 503);
    assert.equal(answer.type, 'application/json; charset=utf-8');
    assert.equal(answer.text.includes('\n'), false);
    assert.match((JSON.parse(answer.text) as { error: string }).error, /live event streams open, its cap \(2\)/);
    const closed = new Promise<void>((resolve) => streams[0].response.socket.once('close', () => resolve()));
    streams[0].close();
    await closed;
    // The server sees the close a moment later: ask until it has.
    let again: Stream;
    for (;;) {
      again = new Stream(running.port, '');
      streams.push(again);
      const res = await again.opened;
      if (res.statusCode === 200) break;
      res.resume();
    }
    await again.until((events) => events.some((e) => e.event === 'studies'), 'the listing on the freed place');
  } finally {
    for (const s of streams) s.close();
    await running.close();
    await store.close();
  }
});
