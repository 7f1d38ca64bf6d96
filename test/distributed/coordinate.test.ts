// Distributed studies in one process against a real PostgreSQL (test/helpers/postgres.ts): the coordinator and
// the queue's workers store exactly what a local run stores into SQLite, whatever the chunks, and the queue's
// at-least-once delivery (a chunk queued twice, a slow worker completing a job another worker took again after it
// expired) changes nothing. The faults with real processes are in test/cli/distributed.test.ts.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { builtinDataset } from '../../src/core/index.js';
import { openSqliteStore } from '../../src/store/sqlite/open.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/open.js';
import { StoreUnavailableError } from '../../src/store/types.js';
import { resolveStudy } from '../../src/study/definition/definition.js';
import { coordinate, distributedChunkSize } from '../../src/distributed/coordinate.js';
import {
  CHUNK_QUEUE,
  ChunkQueue,
  QUEUE_SCHEMA,
  expirySeconds,
  parseChunkJob,
  type ChunkJob,
} from '../../src/distributed/queue.js';
import { workOnQueue, type WorkOutcome } from '../../src/distributed/work.js';
import { beat, coordinatorRows, endBeat } from '../../src/distributed/coordinators.js';
import { planAdditional, planMissing } from '../../src/study/run/browser/plan.js';
import { runPlan } from '../../src/study/run/run-plan.js';
import type { PreparedRun } from '../../src/study/run/prepare.js';
import { runStudy } from '../../src/study/run/run-study.js';
import { refineToGoal, type GoalRefineOptions } from '../../src/study/goal/refine-goal.js';
import { collect, tempDir } from '../helpers/cli.js';
import { startPostgres } from '../helpers/postgres.js';

const server = await startPostgres();
after(() => server.close());

// Three points x 300 repeats: chunks cross the aggregates' 256-repeat blocks.
const DEFINITION = {
  name: 'dist',
  config: { epochs: 300, outputStd: 0.8165, updateOrder: 'seed' },
  sweep: { hiddenStd: 'exp:-1:1:3' },
  repeats: 300,
  seed: 5,
};
const datasets = { xor: builtinDataset('xor') };
const study = resolveStudy(DEFINITION);

async function openBoth(): Promise<{ store: PostgresStore; queue: ChunkQueue }> {
  const store = await openPostgresStore(await server.createDatabase(), { poolSize: 6 });
  const queue = await ChunkQueue.open(store);
  await store.ensureStudy(study.definition.name, study.definition);
  return { store, queue };
}

type Reference = { rows: unknown[]; summary: unknown[] };
let plainReference: Promise<Reference> | undefined;

/** The same study run locally into SQLite (one worker, chunks of 100): the reference. Without `extra` it is the same
 * every time: run once (a worker thread and 900 trainings) and shared by the tests that compare with it. */
function localReference(extra?: number[]): Promise<Reference> {
  if (extra) return runLocalReference(extra);
  plainReference ??= runLocalReference();
  return plainReference;
}

async function runLocalReference(extra?: number[]): Promise<Reference> {
  const sqlite = openSqliteStore(join(tempDir(), 'local.db'));
  try {
    await sqlite.ensureStudy(study.definition.name, study.definition);
    await runPlan({
      study,
      plan: planMissing(study.pointCount, 300, new Map()),
      store: sqlite,
      datasets,
      workers: 1,
      engine: { engine: 'fast', precision: 'f32' },
      chunkSize: 100,
    });
    if (extra)
      await runPlan({
        study,
        plan: planAdditional(extra, await sqlite.storedRuns('dist')),
        store: sqlite,
        datasets,
        workers: 1,
        engine: { engine: 'fast', precision: 'f32' },
        chunkSize: 64,
      });
    return { rows: await collect(sqlite.iterateTrials('dist')), summary: await sqlite.summarize('dist') };
  } finally {
    await sqlite.close();
  }
}

test('a distributed sweep and refine store the same bits as a local SQLite run', async () => {
  const { store, queue } = await openBoth();
  try {
    const sweep = await coordinate({
      store,
      queue,
      study,
      plan: planMissing(study.pointCount, 300, await store.storedRuns('dist')),
      datasets,
      engine: { engine: 'fast', precision: 'f32' },
      workers: 2,
      chunkSize: 37,
    });
    assert.equal(sweep.interrupted, false);
    assert.equal(sweep.stored, 900);
    assert.equal(sweep.local?.trained, 900);
    const extra = [5, 0, 300];
    const refine = await coordinate({
      store,
      queue,
      study,
      plan: planAdditional(extra, await store.storedRuns('dist')),
      datasets,
      engine: { engine: 'fast', precision: 'f32' },
      workers: 1,
      chunkSize: 29,
    });
    assert.equal(refine.stored, 305);
    const local = await localReference(extra);
    assert.deepEqual(await collect(store.iterateTrials('dist')), local.rows);
    assert.deepEqual(await store.summarize('dist'), local.summary);
    // Nothing of the study is left in the queue.
    assert.deepEqual(await queue.pendingOf('dist'), []);
  } finally {
    await queue.close();
    await store.close();
  }
});

test('at least once is exactly once: a chunk queued twice, and a slow worker completing a job taken again', async () => {
  const { store, queue } = await openBoth();
  try {
    const job = (runs: number[]): ChunkJob => ({ v: 1, study: 'dist', engine: 'fast', precision: 'f32', runs });
    // Every trial of the study in chunks, one of them twice, and a chunk overlapping two others.
    await queue.send(
      [job([0, 0, 300]), job([1, 0, 150]), job([1, 150, 300]), job([2, 0, 300]), job([1, 100, 200])],
      60,
    );
    // A job that a slow worker takes and then sits on until it expires.
    const [slowId] = await queue.send([job([2, 0, 300])], 1);
    const worked = await workOnQueue({ store, queue, workers: 2, untilEmpty: true });
    assert.ok(worked.trained >= 900, `trained ${worked.trained}`);
    assert.equal(worked.inserted, 900);
    assert.equal(worked.handedBack, 0);
    // The slow worker: its job expired (1 s) and was taken again by workOnQueue above, or is still waiting for its
    // retry; either way it now stores the same rows and completes the job in one transaction.
    const states = await queue.states([slowId]);
    assert.equal(states.length, 1);
    // Completing joins the caller's transaction: rolled back, the job is untouched (pg-boss's three-argument
    // complete() would have completed it on its own connection).
    const [probe] = await queue.send([job([0, 0, 1])], 60);
    const [taken] = await queue.fetch(1);
    assert.equal(taken.id, probe);
    await assert.rejects(
      store.withTransaction(async (client) => {
        await queue.complete(probe, client);
        throw new Error('rolled back');
      }),
      /rolled back/,
    );
    assert.equal((await queue.states([probe]))[0].state, 'active');
    await store.withTransaction((client) => queue.complete(probe, client));
    assert.equal((await queue.states([probe]))[0].state, 'completed');
    const rows = await collect(store.iterateTrials('dist'));
    const mine = rows.filter((r) => r.point === 2);
    const inserted = await store.withTransaction(async (client) => {
      const n = await store.insertTrials(mine, { client });
      await queue.complete(slowId, client);
      return n;
    });
    assert.equal(inserted, 0);
    const local = await localReference();
    assert.deepEqual(await collect(store.iterateTrials('dist')), local.rows);
    assert.deepEqual(await store.summarize('dist'), local.summary);
  } finally {
    await queue.close();
    await store.close();
  }
});

test('a stopped worker hands its unfinished chunks back; another worker finishes them', async () => {
  const { store, queue } = await openBoth();
  try {
    const chunks: ChunkJob[] = [];
    for (let p = 0; p < 3; p++)
      for (let r = 0; r < 300; r += 20)
        chunks.push({ v: 1, study: 'dist', engine: 'fast', precision: 'f32', runs: [p, r, r + 20] });
    await queue.send(chunks, 60);
    const controller = new AbortController();
    const first = await workOnQueue({
      store,
      queue,
      workers: 2,
      signal: controller.signal,
      graceMs: 0,
      onStored: () => controller.abort(),
    });
    assert.equal(first.interrupted, true);
    assert.ok(first.chunks >= 1 && first.chunks < chunks.length, `stored ${first.chunks} chunks`);
    assert.ok(first.handedBack >= 1, `handed back ${first.handedBack}`);
    // Handed back means waiting again at once (not active until it expires).
    assert.equal(await queue.waiting(), chunks.length - first.chunks);
    const second = await workOnQueue({ store, queue, workers: 1, untilEmpty: true });
    assert.equal(first.inserted + second.inserted, 900);
    assert.deepEqual(await store.summarize('dist'), (await localReference()).summary);
  } finally {
    await queue.close();
    await store.close();
  }
});

test('an interrupted coordinator takes its waiting chunks off the queue; a second one of the same study is refused', async () => {
  const { store, queue } = await openBoth();
  try {
    const controller = new AbortController();
    const plan = planMissing(study.pointCount, 300, new Map());
    const first = coordinate({
      store,
      queue,
      study,
      plan,
      datasets,
      engine: { engine: 'fast', precision: 'f32' },
      workers: 0,
      chunkSize: 10,
      signal: controller.signal,
    });
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        void queue.pendingOf('dist').then((ids) => {
          if (ids.length === 0) return;
          clearInterval(poll);
          resolve();
        });
      }, 50);
    });
    await assert.rejects(
      coordinate({ store, queue, study, plan, datasets, engine: { engine: 'fast', precision: 'f32' }, workers: 0 }),
      /study "dist" is already being run by another coordinator/,
    );
    controller.abort();
    const outcome = await first;
    assert.equal(outcome.interrupted, true);
    assert.ok(outcome.cancelled >= 32, `cancelled ${outcome.cancelled}`); // the first window: 32 chunks
    assert.deepEqual(await queue.pendingOf('dist'), []);
    assert.equal(await queue.waiting(), 0);
  } finally {
    await queue.close();
    await store.close();
  }
});

test('a chunk a worker cannot run is handed back with the reason, and the worker goes on', async () => {
  const { store, queue } = await openBoth();
  try {
    const lines: string[] = [];
    const [bad] = await queue.send(
      [{ v: 1, study: 'no-such-study', engine: 'fast', precision: 'f32', runs: [0, 0, 5] }],
      60,
    );
    await queue.send([{ v: 1, study: 'dist', engine: 'fast', precision: 'f32', runs: [0, 0, 10] }], 60);
    const worked = await workOnQueue({ store, queue, workers: 1, untilEmpty: true, log: (line) => lines.push(line) });
    assert.equal(worked.inserted, 10);
    const [state] = await queue.states([bad]);
    assert.equal(state.state, 'failed'); // handed back until its retries ran out
    assert.match(state.error ?? '', /study "no-such-study" is not in/);
    assert.ok(lines.some((l) => /cannot run here/.test(l)));
    assert.throws(
      () => parseChunkJob({ v: 1, study: 'x', engine: 'fast', precision: 'f32', runs: [0, 1] }),
      /not a chunk/,
    );
  } finally {
    await queue.close();
    await store.close();
  }
});

test('pg-boss fetch() answers [] when the server is down: the queue says unavailable instead', async () => {
  const { store, queue } = await openBoth();
  try {
    await server.stop('fast');
    try {
      await assert.rejects(queue.fetch(1), StoreUnavailableError);
    } finally {
      await server.start();
    }
    assert.deepEqual(await queue.fetch(1), []);
    // The queue lives in its own schema beside the store's.
    const { rows } = await store.pool.query<{ nspname: string }>(
      `SELECT nspname FROM pg_namespace WHERE nspname IN ('xorlab', '${QUEUE_SCHEMA}') ORDER BY 1`,
    );
    assert.deepEqual(
      rows.map((r) => r.nspname),
      ['xorlab', QUEUE_SCHEMA],
    );
  } finally {
    await queue.close();
    await store.close();
  }
});

test('--until-empty waits for a chunk held by a worker that died: it comes back at its expiry and is trained here', async () => {
  const { store, queue } = await openBoth();
  try {
    // Another worker took the study's last chunk (expiring after 1 s) and died: nothing is waiting now.
    const [id] = await queue.send([{ v: 1, study: 'dist', engine: 'fast', precision: 'f32', runs: [1, 0, 30] }], 1);
    assert.equal((await queue.fetch(1))[0].id, id);
    assert.equal(await queue.waiting(), 0);
    const lines: string[] = [];
    const progress: { trials: number; idle: boolean; seconds: number }[] = [];
    const worked = await workOnQueue({
      store,
      queue,
      workers: 1,
      untilEmpty: true,
      log: (line) => lines.push(line),
      onStored: (trials, _inserted, busy) => progress.push({ trials, ...busy }),
    });
    assert.equal(worked.inserted, 30);
    // The wait for the expiry is not busy time: a rate over busySeconds leaves it out.
    assert.ok(
      worked.busySeconds > 0 && worked.busySeconds < worked.seconds,
      `${worked.busySeconds} s busy of ${worked.seconds} s`,
    );
    assert.deepEqual(
      progress.map((p) => [p.trials, p.idle]),
      [[30, true]],
    ); // idle now: the CLI prints the true count
    assert.ok(Math.abs(progress[0].seconds - worked.busySeconds) < 0.05);
    assert.equal(worked.ended, 'no chunk is waiting or held in the queue and no coordinator is planning more');
    assert.deepEqual(lines, [
      'nothing waiting now; waiting for 1 chunk held by other workers (one comes back if its worker dies)',
    ]);
    assert.equal((await queue.states([id]))[0].state, 'completed');
  } finally {
    await queue.close();
    await store.close();
  }
});

test('--until-empty waits for a live coordinator (its heartbeat) and returns when it is done; a dead one is named', async () => {
  const { store, queue } = await openBoth();
  try {
    // A worker started as the coordinator starts, before its first window is queued: it works the whole study.
    const worker: { outcome?: Promise<WorkOutcome> } = {};
    const lines: string[] = [];
    const sweep = await coordinate({
      store,
      queue,
      study,
      plan: planMissing(study.pointCount, 300, new Map()),
      datasets,
      engine: { engine: 'fast', precision: 'f32' },
      workers: 0,
      chunkSize: 50,
      onStart: () => {
        worker.outcome = workOnQueue({ store, queue, workers: 2, untilEmpty: true, log: (line) => lines.push(line) });
      },
      signal: AbortSignal.timeout(60_000), // without the heartbeat the worker returns at once and nobody trains
    });
    assert.equal(sweep.interrupted, false);
    const worked = await worker.outcome!;
    assert.equal(worked.inserted, 900);
    assert.equal(worked.ended, 'no chunk is waiting or held in the queue and no coordinator is planning more');
    assert.deepEqual(await coordinatorRows(store.pool), []); // the coordinator took its row with it
    assert.deepEqual(await collect(store.iterateTrials('dist')), (await localReference()).rows);
    // A coordinator whose session is gone (killed), and one that stopped beating (a hung machine): not alive.
    const killed = await store.pool.connect();
    await beat(killed, 'dist', true);
    killed.release(true); // its connection closes
    const hung = await store.pool.connect();
    try {
      await beat(hung, 'other', true);
      for (
        let waited = 0;
        (await coordinatorRows(store.pool)).some((c) => c.study === 'dist' && c.alive);
        waited += 50
      ) {
        assert.ok(waited < 10_000, 'the closed session is still in pg_stat_activity');
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.deepEqual(
        (await coordinatorRows(store.pool)).map((c) => [c.study, c.alive]),
        [
          ['dist', false],
          ['other', true],
        ],
      );
      await hung.query(`UPDATE xorlab.coordinators SET beat_at = now() - interval '1 minute' WHERE study = 'other'`);
      const none = await workOnQueue({ store, queue, workers: 1, untilEmpty: true });
      assert.equal(none.chunks, 0);
      assert.equal(
        none.ended,
        'no chunk is waiting or held in the queue and no coordinator is planning more (the coordinator of studies "dist", "other" stopped before the end: run its command again to complete it)',
      );
    } finally {
      hung.release();
    }
  } finally {
    await queue.close();
    await store.close();
  }
});

test('a coordinator whose chunks nobody takes says how to start a worker, after the delay it is given', async () => {
  const { store, queue } = await openBoth();
  const controller = new AbortController();
  const lines: string[] = [];
  try {
    const started = performance.now();
    const running = coordinate({
      store,
      queue,
      study,
      plan: planMissing(study.pointCount, 300, new Map()),
      datasets,
      engine: { engine: 'fast', precision: 'f32' },
      workers: 0,
      chunkSize: 50,
      signal: controller.signal,
      log: (line) => lines.push(line),
      noWorkerNoteMs: 400,
      workerCommand: 'xorlab worker --db postgres://lab:***@db/x',
    });
    while (lines.length === 0 && performance.now() - started < 20_000) await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    assert.equal((await running).interrupted, true);
    assert.equal(lines.length, 1, lines.join('\n')); // not again before 10 times the delay
    assert.match(
      lines[0],
      /^no worker has taken a chunk for 0\.\ds: start `xorlab worker --db postgres:\/\/lab:\*\*\*@db\/x`$/,
    );
  } finally {
    await queue.close();
    await store.close();
  }
});

test('chunk sizes and expiry for distributed runs', () => {
  const fast = 0.4e-3; // s per training, 10,000 epochs
  assert.equal(distributedChunkSize(200_000, 2, fast), 3750); // about 1.5 s of estimated work
  assert.equal(distributedChunkSize(20_000, 2, fast), 625); // 4 per thread for 8 threads at least
  assert.equal(distributedChunkSize(2_000, 2, fast), 250); // but >= 0.1 s of work
  assert.equal(distributedChunkSize(100, 2, fast), 100); // never more than the plan
  assert.equal(distributedChunkSize(4_000_000, 64, 12e-6), 4096);
  assert.equal(expirySeconds(1.5), 15);
  assert.equal(expirySeconds(0.01), 8);
  assert.equal(expirySeconds(3), 30);
});

test('a queue open that PostgreSQL picks as a deadlock victim (another process creating the queue) starts again', async () => {
  // Seen in CI: a worker started beside its coordinator on a fresh database ended at once with "rolled back a
  // transaction that met another (deadlock detected)", exit 2. pg-boss's create_queue inserts the queue's row and
  // then adds its partition's foreign key to that table; a second create_queue waits to insert the same row. Here the
  // other process is played by hand, holding its row and then asking for the foreign key's lock.
  //
  // PostgreSQL checks a waiting session for a deadlock once, deadlock_timeout after it began to wait, and the first
  // check to find the cycle picks its own session as the victim. With the default 1 s, a loaded machine could let the
  // open's check pass before the other's lock request (no cycle yet), and the other became the victim (CI, once). So
  // the open's sessions check after 3 s, the other's only after 10 min: the open is the victim on any machine that
  // sends the lock request below within 3 s.
  const url = await server.createDatabase();
  await server.query(`ALTER DATABASE ${new URL(url).pathname.slice(1)} SET deadlock_timeout = '3s'`);
  const first = await openPostgresStore(url, { poolSize: 2 });
  const store = await openPostgresStore(url, { poolSize: 4 });
  const other = await first.pool.connect();
  try {
    await (await ChunkQueue.open(first)).close();
    await first.pool.query(`SELECT ${QUEUE_SCHEMA}.delete_queue($1)`, [CHUNK_QUEUE]);
    await other.query(`SET deadlock_timeout = '10min'`);
    await other.query('BEGIN');
    await other.query(`INSERT INTO ${QUEUE_SCHEMA}.queue (name, policy) VALUES ($1, 'standard')`, [CHUNK_QUEUE]);
    const opening = ChunkQueue.open(store);
    const outcome = opening.then(
      () => 'opened',
      (error: Error) => error.message,
    );
    // Once the open waits on that row, the other asks for what adding a foreign key to the queue table takes. The
    // open has waited longer, so its deadlock check runs first and it is the victim.
    for (let waited = 0; ; waited += 50) {
      const { rows } = await first.pool.query(
        `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%create_queue%'`,
      );
      if (rows.length > 0) break;
      assert.ok(
        waited < 10_000,
        `the open never waited on the other's row: ${await Promise.race([outcome, Promise.resolve('still opening')])}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await other.query(`LOCK TABLE ${QUEUE_SCHEMA}.queue IN SHARE ROW EXCLUSIVE MODE`);
    await other.query('ROLLBACK');
    assert.equal(await outcome, 'opened');
    const queue = await opening;
    const { rows } = await store.pool.query(`SELECT name FROM ${QUEUE_SCHEMA}.queue`);
    assert.deepEqual(rows, [{ name: CHUNK_QUEUE }]);
    await queue.close();
  } finally {
    other.release();
    await store.close();
    await first.close();
  }
});

test('processes that open the queue at once on a fresh database all get it (the first CREATE SCHEMA races)', async () => {
  // A coordinator and its workers usually start together; pg-boss serialises its migrations but not the creation of
  // its schema, and the loser of that race used to end with a unique violation on pg_namespace (exit 2).
  for (let round = 0; round < 4; round++) {
    const url = await server.createDatabase();
    const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore(url, { poolSize: 4 })));
    try {
      const queues = await Promise.all(stores.map((store) => ChunkQueue.open(store)));
      await Promise.all(queues.map((queue) => queue.close()));
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  }
});

// `refine --goal --distributed`: refineToGoal's rounds each through a coordinator (the CLI's runner does the same,
// src/cli/commands/refine-goal.ts). One numeric axis whose minimum the goal finds in two rounds (exploration, then the confirmatory batch). (A compare goal
// goes through the same loop and runner; test/cli/distributed.test.ts runs one through the CLI.)
const GOAL_STUDY = { name: 'g', config: { epochs: 2000 }, sweep: { hiddenStd: 'exp:-2:2:20' }, repeats: 10, seed: 3 };

/** The same goal on one machine, into SQLite (runStudyPlan runs each round): its trials and its answers. */
async function goalOnOneMachine(goal: Omit<GoalRefineOptions, 'store'>) {
  const sqlite = openSqliteStore(join(tempDir(), 'goal.db'));
  try {
    await runStudy(GOAL_STUDY, { store: sqlite, workers: 1 });
    const result = await refineToGoal('g', { ...goal, store: sqlite, workers: 1 });
    return { rows: await collect(sqlite.iterateTrials('g')), result };
  } finally {
    await sqlite.close();
  }
}

/** A goal's rounds run by coordinate() as `refine --goal --distributed` runs them (the heartbeat kept between rounds,
 * ended with endBeat after the last): `here(round)` is how many threads work here, and `elsewhere(round)` starts the
 * worker of another machine once the round's coordinator is up (in process: its own queue fetches), awaited with the
 * round when it returns one. Every round's outcome is kept. */
function coordinatedRounds(
  store: PostgresStore,
  queue: ChunkQueue,
  signal: AbortSignal,
  here: (round: number) => number,
  elsewhere: (round: number) => Promise<WorkOutcome> | null = () => null,
  chunkSize?: number,
) {
  const outcomes: Awaited<ReturnType<typeof coordinate>>[] = [];
  const runRound = async (run: PreparedRun) => {
    const round = outcomes.length + 1;
    const started: { worker?: Promise<WorkOutcome> | null } = {};
    const outcome = await coordinate({
      ...run,
      store,
      queue,
      workers: here(round),
      chunkSize,
      signal,
      keepBeat: true,
      onStart: () => {
        started.worker = elsewhere(round);
      },
    });
    await started.worker;
    outcomes.push(outcome);
    return { completed: outcome.stored, seconds: outcome.seconds };
  };
  return { outcomes, runRound };
}

test('a minimum goal with each round coordinated: stopped mid-round, resumed by a worker elsewhere, the same trials and answers as one machine', async () => {
  const goal = { goal: 'minimum', budget: 400 } as const;
  const reference = await goalOnOneMachine(goal);
  const store = await openPostgresStore(await server.createDatabase(), { poolSize: 6 });
  const queue = await ChunkQueue.open(store);
  const batch: { worker?: Promise<WorkOutcome> } = {};
  const stopBatch = new AbortController();
  try {
    await runStudy(GOAL_STUDY, { store, workers: 1 });
    // Round 1 by a worker "elsewhere" that is stopped, with the coordinator, by the first chunk it stores (Ctrl-C):
    // the call returns interrupted with round 1 part stored, so the same call again has at least two rounds to run.
    // (Training here is what the CLI test does: test/cli/distributed.test.ts.)
    const stop = new AbortController();
    const first = coordinatedRounds(
      store,
      queue,
      stop.signal,
      () => 0,
      (round) =>
        round === 1
          ? workOnQueue({ store, queue, workers: 1, signal: stop.signal, onStored: () => stop.abort() })
          : null,
      8, // round 1 in several chunks
    );
    const stopped = await refineToGoal('g', { ...goal, store, signal: stop.signal }, first.runRound);
    await endBeat(store.pool, 'g');
    assert.equal(stopped.interrupted, true);
    assert.deepEqual(
      first.outcomes.map((o) => [o.interrupted, o.local === null]),
      [[true, true]],
    );
    const held = (await store.getStudy('g'))!.trialCount;
    assert.ok(held > 200 && held < reference.rows.length, `${held} trials held after the stop`);
    // The same call again (--no-work): every round queued for a batch worker elsewhere (`xorlab worker --until-empty`)
    // started with the first round; the heartbeat kept between rounds keeps it waiting for the next.
    const again = coordinatedRounds(
      store,
      queue,
      AbortSignal.timeout(60_000), // should the batch worker leave between rounds, nobody would train the next
      () => 0,
      (round) => {
        if (round === 1)
          batch.worker = workOnQueue({ store, queue, workers: 1, untilEmpty: true, signal: stopBatch.signal });
        return null;
      },
    );
    // Between two rounds the study's coordinator still counts as alive, which is what such a worker waits on.
    const resumed = await refineToGoal('g', { ...goal, store }, async (run) => {
      if (again.outcomes.length > 0)
        assert.deepEqual(
          (await coordinatorRows(store.pool)).map((c) => [c.study, c.alive]),
          [['g', true]],
          'between two rounds',
        );
      return again.runRound(run);
    });
    assert.equal(resumed.interrupted, false);
    await endBeat(store.pool, 'g');
    const worked = await batch.worker!;
    assert.equal(worked.inserted, reference.rows.length - held);
    assert.equal(worked.ended, 'no chunk is waiting or held in the queue and no coordinator is planning more');
    // Several rounds, each its own coordinator: the study's lock released and taken again between them.
    assert.ok(again.outcomes.length >= 2, `${again.outcomes.length} rounds`);
    assert.ok(
      again.outcomes.every((o) => !o.interrupted && o.local === null && o.chunks > 0),
      JSON.stringify(again.outcomes),
    );
    assert.deepEqual(await coordinatorRows(store.pool), []);
    assert.deepEqual(await queue.pendingOf('g'), []);
    assert.deepEqual(resumed.answers, reference.result.answers);
    assert.ok(resumed.answers[0].minimum?.fit, 'a minimum was found');
    assert.deepEqual(await collect(store.iterateTrials('g')), reference.rows);
  } finally {
    stopBatch.abort(); // a failure above leaves it running
    await batch.worker?.catch(() => undefined);
    await queue.close();
    await store.close();
  }
});
