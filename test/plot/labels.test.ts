// Labels never cover data: every chart of the report, drawn from data shaped like the report's, is laid out by vega
// and each label's box (the text the chart's own layers draw: reference-rule labels, unit names) is checked against
// every data mark (points, error bars, interval bars, every segment of every line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TopLevelSpec } from 'vega-lite';
import { builtinDataset, trainFromSeed } from '../../src/core/index.js';
import { defaultConfig } from '../../src/config/index.js';
import { lossChart, weightsChart, boundaryChart } from '../../src/plot/charts.js';
import { curveSpec } from '../../src/plot/curve.js';
import { comparedNetworksChart } from '../../src/plot/neuron-charts.js';
import type { PointSummary, StudyRecord } from '../../src/store/types.js';
import { curveSpecOf } from '../../src/study/views/charts.js';
import { coveredData, labelItems, sceneItems } from '../helpers/scene.js';

const grid = (from: number, to: number, n: number) =>
  Array.from({ length: n }, (_, i) => Math.exp(from + ((to - from) * i) / (n - 1)));

/** A stored study over `sweep` whose points have the mean and success share `at` gives them. */
function study(
  sweep: Record<string, (number | string)[]>,
  at: (p: Record<string, number | string>) => { mean: number; learned: number },
): { record: StudyRecord; points: PointSummary[] } {
  const axes = Object.keys(sweep);
  const combos: Record<string, number | string>[] = [{}];
  for (const axis of axes) {
    const next = combos.splice(0).flatMap((c) => sweep[axis].map((v) => ({ ...c, [axis]: v })));
    combos.push(...next);
  }
  const count = 40;
  const none = { n: 0, mean: null, std: null, stderr: null };
  const points = combos.map((params, point): PointSummary => {
    const { mean, learned } = at(params);
    const successes = Math.round(learned * count);
    return {
      point,
      params,
      count,
      lossCount: count,
      mean,
      std: mean / 5,
      stderr: mean / 5 / Math.sqrt(count),
      successRate: successes / count,
      successes,
      diverged: 0,
      meanEpochsToThreshold: null,
      finalLoss: none,
      epochsToThreshold: none,
    };
  });
  const record: StudyRecord = {
    name: 'report-like',
    definition: { name: 'report-like', config: {}, sweep, repeats: count, seed: 1 },
    createdAt: '',
    trialCount: count * points.length,
    pointCount: points.length,
  };
  return { record, points };
}

const bowl = (x: number, centre: number) => 1300 + 500 * Math.log(x / centre) ** 2;
const xor = builtinDataset('xor');
const config = (hiddenStd: number) =>
  defaultConfig({ epochs: 2000, hiddenStd, outputStd: 0.8165, updateOrder: 'seed' });
const every = { snapshotEvery: 20, traceEvery: 20 };

const charts: Record<string, () => TopLevelSpec> = {
  // The report's curve.png: a curve whose ends reach the top, the Xavier rule, the fitted minimum and the lowest mean.
  curve: () => {
    const xs = grid(-3, 4, 60);
    return curveSpec({
      parameter: 'hiddenStd',
      points: xs.map((x) => ({ x, mean: bowl(x, 0.6), stderr: 120, successRate: 0.7, count: 80 })),
      logX: true,
      minimum: { x: 0.65, label: 'minimum 0.650 [0.54, 0.75]' },
      minimumInterval: { low: 0.54, high: 0.75 },
      lowest: { x: 0.6, label: 'lowest grid mean at 0.6' },
    });
  },
  // next-loss.png: the share that learned, a panel per learning rate, near 1 at small stds (where the label was).
  'next-loss': () => {
    const { record, points } = study({ loss: ['bce', 'mse'], lr: [0.3, 1, 3, 10], hiddenStd: grid(-2, 1, 8) }, (p) => ({
      mean: 1000,
      learned: Math.max(0, 0.98 - 0.2 * Math.log((p.hiddenStd as number) / 0.135)),
    }));
    return curveSpecOf(record, points, { param: 'hiddenStd', series: 'loss', facet: 'lr', metric: 'success' });
  },
  // next-activation.png: a line per activation, the Xavier rule and He's, means high at both ends.
  'next-activation': () => {
    const centres: Record<string, number> = { sigmoid: 0.6, tanh: 0.3, relu: 1, 'leaky-relu': 1, elu: 0.5 };
    const { record, points } = study({ activation: Object.keys(centres), hiddenStd: grid(-3, 2, 10) }, (p) => ({
      mean: bowl(p.hiddenStd as number, centres[p.activation as string]),
      learned: 0.8,
    }));
    return curveSpecOf(record, points, { param: 'hiddenStd', series: 'activation' });
  },
  // next-schedule.png: a line per schedule against the learning rate.
  'next-schedule': () => {
    const { record, points } = study(
      { schedule: ['constant', 'step', 'exponential', 'cosine'], lr: grid(-3.5, 0.2, 8) },
      (p) => ({ mean: bowl(p.lr as number, 0.3), learned: 0.7 }),
    );
    return curveSpecOf(record, points, { param: 'lr', series: 'schedule' });
  },
  weights: () => weightsChart(config(10), xor, trainFromSeed(config(10), xor, 1, every), 1),
  loss: () =>
    lossChart(
      [0.05, Math.SQRT1_2, 10].map((std) => ({
        label: `hidden std ${std}`,
        result: trainFromSeed(config(std), xor, 1, every),
      })),
    ),
  boundary: () => {
    const run = trainFromSeed(config(Math.SQRT1_2), xor, 1);
    return boundaryChart(config(Math.SQRT1_2), xor, run.finalParameters, 1, run.metrics.totalLoss);
  },
  neurons: () =>
    comparedNetworksChart(
      [
        {
          config: config(Math.SQRT1_2),
          parameters: trainFromSeed(config(Math.SQRT1_2), xor, 1).finalParameters,
          title: 'learned',
        },
      ],
      xor,
      'neurons',
      ['subtitle'],
    ),
};

for (const [name, make] of Object.entries(charts)) {
  test(`${name}: no label covers a data mark`, async () => {
    const items = await sceneItems(make());
    const covering = labelItems(items)
      .map((label) => [label.text, coveredData(label, items)])
      .filter(([, what]) => what !== null);
    assert.deepEqual(covering, [], `labels over data: ${JSON.stringify(covering)}`);
  });
}

test('the scene check sees a label over a line: a text layer placed on the data is caught', async () => {
  const spec: TopLevelSpec = {
    data: {
      values: [
        { x: 0, y: 0 },
        { x: 1, y: 1 },
      ],
    },
    width: 200,
    height: 200,
    layer: [
      { mark: 'line', encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } },
      { mark: { type: 'text', text: 'on the line' }, encoding: { x: { datum: 0.5 }, y: { datum: 0.5 } } },
    ],
  };
  const items = await sceneItems(spec);
  const [label] = labelItems(items);
  assert.equal(label.text, 'on the line');
  assert.match(String(coveredData(label, items)), /line/);
});
