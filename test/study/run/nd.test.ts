// Studies of three and four axes, numeric and categorical mixed: point order, counts, the planner and a resume
// into a real SQLite file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { builtinDataset } from '../../../src/core/index.js';
import { openSqliteStore } from '../../../src/store/sqlite/open.js';
import { resolveStudy } from '../../../src/study/definition/definition.js';
import { TrialPlan, chunksOf, planMissing, trialSeed } from '../../../src/study/run/browser/plan.js';
import { runPlan } from '../../../src/study/run/run-plan.js';
import { collect, tempDir } from '../../helpers/cli.js';

const FOUR = {
  name: 'four',
  config: { epochs: 30 },
  sweep: { activation: 'sigmoid,tanh', hiddenStd: '0.5,1,2', lr: [0.1, 1], loss: 'bce,mse' },
  repeats: 2,
  seed: 3,
};

test('four axes: every combination, point index row-major over the axes in their order', () => {
  const s = resolveStudy(FOUR);
  assert.equal(s.pointCount, 2 * 3 * 2 * 2);
  assert.deepEqual(
    s.axes.map((a) => a.param),
    ['activation', 'hiddenStd', 'lr', 'loss'],
  );
  assert.deepEqual(s.pointParams(0), { activation: 'sigmoid', hiddenStd: 0.5, lr: 0.1, loss: 'bce' });
  assert.deepEqual(s.pointParams(1), { activation: 'sigmoid', hiddenStd: 0.5, lr: 0.1, loss: 'mse' });
  assert.deepEqual(s.pointParams(2), { activation: 'sigmoid', hiddenStd: 0.5, lr: 1, loss: 'bce' });
  assert.deepEqual(s.pointParams(4), { activation: 'sigmoid', hiddenStd: 1, lr: 0.1, loss: 'bce' });
  assert.deepEqual(s.pointParams(12), { activation: 'tanh', hiddenStd: 0.5, lr: 0.1, loss: 'bce' });
  assert.deepEqual(s.pointParams(23), { activation: 'tanh', hiddenStd: 2, lr: 1, loss: 'mse' });
  // Every point is a distinct combination.
  assert.equal(new Set(Array.from({ length: 24 }, (_, p) => JSON.stringify(s.pointParams(p)))).size, 24);
  const c = s.pointConfig(23);
  assert.deepEqual([c.activation, c.hiddenStd, c.lr, c.loss, c.epochs], ['tanh', 2, 1, 'mse', 30]);
  // The trial guard counts every combination.
  assert.throws(
    () => resolveStudy({ ...FOUR, sweep: { ...FOUR.sweep, lr: 'log:-3:0:1000' }, repeats: 10_000 }),
    /12,000 points x 10,000 repeats is 120,000,000 trials; a study holds at most 100,000,000/,
  );
  assert.throws(
    () =>
      resolveStudy({ ...FOUR, sweep: { ...FOUR.sweep, hiddenStd: 'exp:-3:4:1000', lr: 'log:-3:0:1000' }, repeats: 1 }),
    /the grid has 4000000 points; at most 1000000 are allowed/,
  );
});

test('planning a four-axis study: counts, chunk order and seeds per (point, repeat); a resume runs exactly the rest', async () => {
  const study = resolveStudy(FOUR);
  const plan = planMissing(study.pointCount, 2, new Map());
  assert.equal(plan.size, 48);
  const chunks = [...chunksOf(plan, 7, 3, (p) => study.pointConfig(p))];
  const order = chunks.flatMap((c) => Array.from(c.points, (p, i) => [p, c.repeats[i], c.seeds[i]]));
  assert.deepEqual(
    order,
    Array.from({ length: 48 }, (_, k) => [Math.floor(k / 2), k % 2, trialSeed(3, Math.floor(k / 2), k % 2)]),
  );
  for (const chunk of chunks)
    for (const [point, config] of Object.entries(chunk.configs))
      assert.deepEqual(config, study.pointConfig(Number(point)));

  // Run the first half into SQLite, then plan again: the missing half, in (point, repeat) order.
  const store = openSqliteStore(join(tempDir(), 'nd.db'));
  await store.ensureStudy('four', study.definition);
  const datasets = { xor: builtinDataset('xor') };
  const all = [...plan.trials()];
  const half = TrialPlan.build((add) => {
    for (const [point, repeat] of all.slice(0, 20)) add(point, repeat, repeat + 1);
  });
  await runPlan({ study, plan: half, store, datasets, workers: 1, engine: { engine: 'reference', precision: 'f64' } });
  const rest = planMissing(study.pointCount, 2, await store.storedRuns('four'));
  assert.deepEqual([...rest.trials()], all.slice(20));
  await runPlan({ study, plan: rest, store, datasets, workers: 1, engine: { engine: 'reference', precision: 'f64' } });
  assert.equal(planMissing(study.pointCount, 2, await store.storedRuns('four')).size, 0);
  // Every stored trial carries its point's four values and the seed of its (point, repeat).
  const rows = await collect(store.iterateTrials('four'));
  assert.equal(rows.length, 48);
  for (const row of rows) {
    assert.deepEqual(row.params, study.pointParams(row.point));
    assert.equal(row.seed, trialSeed(3, row.point, row.repeat));
  }
  const summary = await store.summarize('four');
  assert.equal(summary.length, 24);
  assert.deepEqual(summary[13].params, { activation: 'tanh', hiddenStd: 0.5, lr: 0.1, loss: 'mse' });
  await store.close();
});
