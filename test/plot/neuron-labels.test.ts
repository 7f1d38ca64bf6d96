// The neuron charts' labels never cover data: the samples' names in the hidden space (one name for samples that land
// on one spot) and every unit's line label, laid out by vega and checked box by box against the points, the lines
// and their ticks, for a stuck network (all four samples on one spot, the output line through it) and a trained one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TopLevelSpec } from 'vega-lite';
import { builtinDataset, trainFromSeed, type TrainingConfig } from '../../src/core/index.js';
import { defaultConfig, type TrainingConfigInput } from '../../src/config/index.js';
import { boundaryUnitsChart, comparedNetworksChart, hiddenSpaceChart } from '../../src/plot/neuron-charts.js';
import { coveredData, labelItems, sceneItems } from '../helpers/scene.js';

const xor = builtinDataset('xor');

interface Network {
  config: TrainingConfig;
  parameters: Float64Array;
}

/**
 * A 2-2-1 network whose hidden weights and biases are all 0: every sample lands on (0.5, 0.5) (0 for tanh), and the
 * output neuron's line v1 h1 + v2 h2 + c = 0 runs through that spot (the ln 2 saddle at its plainest).
 */
function coincident(v2: number, activation: 'sigmoid' | 'tanh' = 'sigmoid'): Network {
  const config = defaultConfig({ activation });
  const centre = activation === 'sigmoid' ? 0.5 : 0;
  // w (inputs x units), the hidden biases, the output weights, the output bias.
  return { config, parameters: Float64Array.from([0, 0, 0, 0, 0, 0, 1, v2, -(1 + v2) * centre]) };
}

function trained(input: TrainingConfigInput, seed: number): Network {
  const config = defaultConfig(input);
  return { config, parameters: trainFromSeed(config, xor, seed).finalParameters };
}

/** The report's stuck network: hidden std 0.05, the first seed whose training ends at the ln 2 saddle. */
function stuckAtSaddle(): Network {
  const config = defaultConfig({ hiddenStd: 0.05, outputStd: 0.8165, updateOrder: 'seed' });
  for (let seed = 1; seed <= 50; seed++) {
    const run = trainFromSeed(config, xor, seed);
    if (!run.metrics.success && Math.abs((run.metrics.finalLoss ?? 0) - Math.LN2) < 0.01)
      return { config, parameters: run.finalParameters };
  }
  throw new Error('no seed of 50 ends at the ln 2 saddle');
}

async function labelsOverData(spec: TopLevelSpec): Promise<[string, string | null][]> {
  const items = await sceneItems(spec);
  return labelItems(items)
    .map((label): [string, string | null] => [label.text, coveredData(label, items)])
    .filter(([, what]) => what !== null);
}

const networks: Record<string, () => Network> = {
  'coincident samples, output line rising through them': () => coincident(-1),
  'coincident samples, output line falling through them': () => coincident(1),
  'coincident samples, tanh': () => coincident(-0.5, 'tanh'),
  'stuck at the ln 2 saddle (the report)': stuckAtSaddle,
  'trained, samples at the corners': () => trained({ hiddenStd: Math.SQRT1_2, updateOrder: 'seed' }, 1),
  'trained, default': () => trained({}, 1),
  'trained, 3 hidden units, tanh': () => trained({ hidden: [3], activation: 'tanh' }, 5),
};

for (const [name, make] of Object.entries(networks)) {
  test(`neuron charts, ${name}: no label covers a sample, a line or a tick`, async () => {
    const { config, parameters } = make();
    const charts: Record<string, TopLevelSpec> = {
      'hidden space': hiddenSpaceChart(config, xor, parameters, 1),
      'boundary with units': boundaryUnitsChart(config, xor, parameters, 1, null),
      compared: comparedNetworksChart([{ config, parameters, title: name }], xor, 't', []),
    };
    for (const [chart, spec] of Object.entries(charts))
      assert.deepEqual(await labelsOverData(spec), [], `${chart}: labels over data`);
  });
}

test('coincident samples share one label that names all four', async () => {
  const { config, parameters } = coincident(-1);
  const texts = labelItems(await sceneItems(hiddenSpaceChart(config, xor, parameters, 1))).map((l) => l.text);
  assert.ok(
    texts.some((t) => ['(0, 0)', '(0, 1)', '(1, 0)', '(1, 1)'].every((s) => t.includes(s))),
    JSON.stringify(texts),
  );
});

test("a line label with no clear place is left out and named in the panel's title and the chart's subtitle", async () => {
  // The default network's h1 crosses a corner of its 200-pixel panel with a sample in it: no room for "h1 > 0.5".
  const { config, parameters } = trained({}, 1);
  const spec = boundaryUnitsChart(config, xor, parameters, 1, null) as unknown as {
    title: { subtitle: string[] };
    vconcat: [unknown, { concat: { title: { text: string; subtitle?: string[] } }[] }];
  };
  const titles = spec.vconcat[1].concat.map((panel) => panel.title);
  const left = titles.filter((t) => t.subtitle !== undefined);
  assert.ok(left.length > 0, JSON.stringify(titles));
  for (const t of left) assert.match(t.subtitle!.join(' '), /^tick: towards h\d > 0\.5$/);
  const drawn = labelItems(await sceneItems(spec as unknown as TopLevelSpec)).map((l) => l.text);
  for (const t of left) {
    const side = t.subtitle![0].replace('tick: towards ', '');
    assert.equal(
      drawn.filter((text) => text === side).length,
      2,
      `${side}: drawn (with its halo) in the main view only`,
    );
  }
});
