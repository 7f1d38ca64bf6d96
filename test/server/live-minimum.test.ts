// The fitted minimum on the live event stream, against real SQLite studies written while a client listens: the
// `study` event carries each curve's fitted minimum as `summary` computes it (one per category), a study written
// as fast as the poll sees it has its view (the bootstrap) rebuilt at most once a second while its counts go out
// every poll, and trials replaced in place (what `xorlab recheck` writes; the count does not move) reach the page.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Rng } from '../../src/core/index.js';
import { DEFAULT_REFIT_MS } from '../../src/server/live-studies.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { openSqliteStore } from '../../src/store/index.js';
import type { Store, TrialRow } from '../../src/store/types.js';
import { summarizeStudy } from '../../src/study/analysis/summary.js';
import { tempDir } from '../helpers/cli.js';
import { Stream, type Event } from '../helpers/event-stream.js';

const STDS = Array.from({ length: 24 }, (_, i) => Math.exp(-3 + (5 * i) / 23));
/** Each activation's true minimum: the curves are parabolas in ln std around them. */
const CENTRES: Record<string, number> = { sigmoid: 0.6, tanh: 0.2 };

let path: string;
let writer: Store;
let running: RunningServer;
let reader: Store;

/** `repeats` more trials at every point of `study` (repeats from `from` on), noisy around the activations' curves;
 * at tanh's two lowest stds every fifth trial diverges. */
function rows(study: string, activations: readonly string[], from: number, repeats: number, seed: number): TrialRow[] {
  const rng = new Rng(seed);
  const out: TrialRow[] = [];
  activations.forEach((activation, a) =>
    STDS.forEach((std, i) => {
      const centre = 1000 + 500 * Math.log(std / CENTRES[activation]) ** 2;
      for (let r = from; r < from + repeats; r++) {
        const diverged = activation === 'tanh' && i < 2 && r % 5 === 0;
        out.push({
          study,
          point: a * STDS.length + i,
          repeat: r,
          params: activations.length > 1 ? { activation, hiddenStd: std } : { hiddenStd: std },
          seed: r,
          totalLoss: diverged ? null : centre + 40 * rng.nextNormal(),
          finalLoss: diverged ? null : 0.01,
          success: !diverged,
          epochsToThreshold: diverged ? null : 10,
          diverged,
          engine: 'fast',
          precision: 'f64',
        });
      }
    }),
  );
  return out;
}

before(async () => {
  path = join(tempDir('xorlab-live-minimum-'), 'studies.db');
  writer = openSqliteStore(path);
  await writer.ensureStudy('two', { sweep: { activation: ['sigmoid', 'tanh'], hiddenStd: STDS }, repeats: 6 });
  await writer.insertTrials(rows('two', ['sigmoid', 'tanh'], 0, 6, 1));
  for (const name of ['fast', 'rechecked']) {
    await writer.ensureStudy(name, { sweep: { hiddenStd: STDS }, repeats: 4 });
    await writer.insertTrials(rows(name, ['sigmoid'], 0, 4, 2));
  }
  reader = openSqliteStore(path, { readonly: true });
  running = await startServer({ store: reader, port: 0, pollMs: 20 });
});

after(async () => {
  await running?.close();
  await reader?.close();
  await writer?.close();
});

const studyEvents = (events: Event[]): Event[] => events.filter((e) => e.event === 'study');
const listedTrials = (e: Event, name: string): number | undefined =>
  e.event === 'studies'
    ? (e.data as { name: string; trials: number }[]).find((s) => s.name === name)?.trials
    : undefined;

test("a watched study's event carries each category's fitted minimum as summary computes it", async () => {
  const stream = new Stream(running.port, '?study=two');
  try {
    await stream.opened;
    await stream.until((events) => studyEvents(events).length > 0, 'the first view');
    const minimum = studyEvents(stream.events)[0].data.minimum;
    const summary = await summarizeStudy(writer, 'two');
    assert.equal(summary.fitted.length, 2);
    assert.equal(minimum.along, 'hiddenStd');
    assert.equal(minimum.level, 0.95);
    assert.equal(minimum.trials, 2 * 24 * 6);
    assert.equal(minimum.diverged, 4); // repeats 0 and 5 at tanh's two lowest stds
    assert.equal(minimum.note, null);
    assert.deepEqual(
      minimum.curves.map((c: { label: string }) => c.label),
      ['activation=sigmoid', 'activation=tanh'],
    );
    for (const [k, fit] of summary.fitted.entries()) {
      const curve = minimum.curves[k];
      assert.deepEqual(curve.at, fit.at);
      // The same seeded bootstrap as summary's: the same numbers, not nearly the same.
      assert.deepEqual([curve.x, curve.low, curve.high, curve.points], [fit.x, fit.low, fit.high, fit.points]);
      assert.equal(curve.width, fit.high - fit.low);
      assert.ok(curve.low < curve.x && curve.x < curve.high, JSON.stringify(curve));
      assert.ok(Math.abs(Math.log(curve.x / CENTRES[fit.at.activation as string])) < 0.2, JSON.stringify(curve));
      assert.equal(curve.reason, null);
      assert.equal(curve.trials, 24 * 6);
    }
    assert.deepEqual(
      minimum.curves.map((c: { excluded: number }) => c.excluded),
      [0, 4],
    );
  } finally {
    stream.close();
  }
});

test('a study written as fast as the poll sees it: counts every poll, its view (the fit) at most once per refit interval, and the last state at the end', async () => {
  const stream = new Stream(running.port, '?study=fast');
  try {
    await stream.opened;
    await stream.until((events) => studyEvents(events).length > 0, 'the first view');
    const started = performance.now();
    const firstEvent = stream.events.length;
    let repeats = 4;
    // Three refit intervals of writes, each one seen by a poll before the next (the counts event says so).
    while (performance.now() - started < 3 * DEFAULT_REFIT_MS) {
      await writer.insertTrials(rows('fast', ['sigmoid'], repeats, 1, 100 + repeats));
      repeats++;
      const count = repeats * STDS.length;
      await stream.until(
        (events) => events.some((e) => listedTrials(e, 'fast') === count),
        `the listing with ${count} trials`,
      );
    }
    const elapsed = performance.now() - started;
    const during = stream.events.slice(firstEvent);
    const counts = during.filter((e) => listedTrials(e, 'fast') !== undefined).length;
    const views = studyEvents(during);
    assert.ok(counts >= 20, `only ${counts} count changes were seen`);
    assert.ok(
      views.length <= Math.floor(elapsed / DEFAULT_REFIT_MS) + 1,
      `${views.length} views in ${elapsed.toFixed(0)} ms for ${counts} count changes`,
    );
    for (let k = 1; k < views.length; k++) {
      const gap = views[k].at - views[k - 1].at;
      assert.ok(gap >= DEFAULT_REFIT_MS * 0.9, `two views ${gap.toFixed(0)} ms apart`);
    }
    // The writes stop: the view of the last state still comes (no update is lost to the throttle).
    const last = repeats * STDS.length;
    await stream.until(
      (events) => events.some((e) => e.event === 'study' && e.data.study.trials === last),
      `the view with ${last} trials`,
    );
    const final = studyEvents(stream.events).at(-1)!.data;
    const summary = await summarizeStudy(writer, 'fast');
    assert.deepEqual(
      [final.minimum.curves[0].x, final.minimum.curves[0].low],
      [summary.fitted[0].x, summary.fitted[0].low],
    );
  } finally {
    stream.close();
  }
});

test('trials replaced in place (xorlab recheck: the count does not move) reach the watching page', async () => {
  const stream = new Stream(running.port, '?study=rechecked');
  try {
    await stream.opened;
    await stream.until((events) => studyEvents(events).length > 0, 'the first view');
    const before = studyEvents(stream.events)[0].data;
    const trials = before.study.trials;
    // Point 3's four trials get a loss 300 higher, as a recheck that retrained them would write.
    const replaced = rows('rechecked', ['sigmoid'], 0, 4, 2)
      .filter((r) => r.point === 3)
      .map((r) => ({ ...r, totalLoss: r.totalLoss! + 300 }));
    assert.equal(await writer.replaceTrials(replaced), 4);
    const expected = (await summarizeStudy(writer, 'rechecked')).points.find((p) => p.point === 3)!.mean;
    await stream.until(
      (events) =>
        events.some(
          (e) =>
            e.event === 'study' &&
            e.data.summary.points.find((p: { point: number }) => p.point === 3).mean === expected,
        ),
      'the view with the replaced trials',
      20_000,
    );
    const after = studyEvents(stream.events).at(-1)!.data;
    assert.equal(after.study.trials, trials);
    assert.ok(Math.abs(after.summary.points[3].mean - before.summary.points[3].mean - 300) < 1e-6);
  } finally {
    stream.close();
  }
});
