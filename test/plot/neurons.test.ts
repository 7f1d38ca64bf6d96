// Each neuron's line, the hidden space and the network diagram, checked against the weights they are drawn from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinDataset, lineCrossing, trainFromSeed, type TrainingConfig } from '../../src/core/index.js';
import { defaultConfig, type TrainingConfigInput } from '../../src/config/index.js';
import { boundaryUnitsChart, comparedNetworksChart, hiddenSpaceChart } from '../../src/plot/neuron-charts.js';
import { networkChart } from '../../src/plot/network-diagram.js';
import { INPUT_BOX, SAMPLE_HALF, hiddenSpace } from '../../src/plot/neurons.js';
import { markerRect, overlaps, rectAround, textSize, toPixel, type Frame } from '../../src/plot/labels.js';
import { renderSvg } from '../../src/plot/render.js';
import { boundaryChart } from '../../src/plot/charts.js';
import { outputMapLayer } from '../../src/plot/output-map.js';

const xor = builtinDataset('xor');

/** Every layer of a (possibly nested) spec, by name. */
function layersByName(spec: unknown): Map<string, { data: { values: Record<string, unknown>[] } }> {
  const out = new Map<string, { data: { values: Record<string, unknown>[] } }>();
  const visit = (s: any) => {
    if (!s || typeof s !== 'object') return;
    if (s.mark && s.name) out.set(s.name, s);
    for (const key of ['layer', 'vconcat', 'hconcat', 'concat']) if (Array.isArray(s[key])) s[key].forEach(visit);
  };
  visit(spec);
  return out;
}

function trained(input: TrainingConfigInput, seed: number): { config: TrainingConfig; parameters: Float64Array } {
  const config = defaultConfig(input);
  return { config, parameters: trainFromSeed(config, builtinDataset(config.dataset), seed).finalParameters };
}

/** Where w1 x1 + w2 x2 + b = 0 meets the box's edges, solved edge by edge (the test's own algebra). */
function edgeCrossings(w1: number, w2: number, b: number, lo: number, hi: number): [number, number][] {
  const points: [number, number][] = [];
  for (const x1 of [lo, hi]) {
    const x2 = (-b - w1 * x1) / w2;
    if (x2 >= lo && x2 <= hi) points.push([x1, x2]);
  }
  for (const x2 of [lo, hi]) {
    const x1 = (-b - w2 * x2) / w1;
    if (x1 >= lo && x1 <= hi) points.push([x1, x2]);
  }
  return points.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
}

test("lineCrossing: the two ends on the box's edges, null for a line that misses it, one point for a corner", () => {
  const box = { min: 0, max: 1 };
  assert.deepEqual(lineCrossing(1, 1, -1, box), [
    [0, 1],
    [1, 0],
  ]);
  assert.deepEqual(lineCrossing(1, 0, -0.25, box), [
    [0.25, 0],
    [0.25, 1],
  ]);
  assert.equal(lineCrossing(1, 1, -5, box), null);
  assert.equal(lineCrossing(0, 0, 1, box), null);
  // Through the corner (0, 0) and (1, 1): the diagonal, not four points.
  assert.deepEqual(lineCrossing(1, -1, 0, box), [
    [0, 0],
    [1, 1],
  ]);
  // Touching only the corner (1, 1): misses.
  assert.equal(lineCrossing(1, 1, -2, box), null);
});

test("boundary --units: each drawn line ends where the unit's weights cross the view's edges; a panel per unit", () => {
  for (const [input, seed] of [
    [{}, 1],
    [{ hidden: [4, 4] }, 1],
    [{ hidden: [3], activation: 'tanh' }, 5],
  ] as const) {
    const { config, parameters } = trained(input as TrainingConfigInput, seed);
    const layers = layersByName(boundaryUnitsChart(config, xor, parameters, seed, null));
    const units = config.hidden[0];
    const drawn = layers.get('unit-lines')!.data.values;
    let expected = 0;
    for (let j = 0; j < units; j++) {
      const [w1, w2, b] = [parameters[j], parameters[units + j], parameters[2 * units + j]];
      const ends = edgeCrossings(w1, w2, b, INPUT_BOX.min, INPUT_BOX.max);
      const name = config.hidden.length > 1 ? `h1.${j + 1}` : `h${j + 1}`;
      const line = drawn.find((d) => d.unit === name);
      if (ends.length < 2) {
        assert.equal(line, undefined, `${name} misses the view`);
        continue;
      }
      expected++;
      const got = [
        [line!.x1a, line!.x2a],
        [line!.x1b, line!.x2b],
      ] as number[][];
      for (const [k, end] of [ends[0], ends[ends.length - 1]].entries()) {
        assert.ok(
          Math.abs(got[k][0] - end[0]) < 1e-9 && Math.abs(got[k][1] - end[1]) < 1e-9,
          `${name}: ${got[k].join(', ')} vs ${end.join(', ')}`,
        );
      }
      // The tick points to the side where w.x + b > 0 (where a sigmoid unit's output is above 0.5).
      const side = (x1: number, x2: number) => w1 * x1 + w2 * x2 + b;
      assert.ok(side(line!.tickX1b as number, line!.tickX2b as number) > 0, `${name}'s tick`);
      assert.ok(side(line!.labelX1 as number, line!.labelX2 as number) > 0, `${name}'s label is on its positive side`);
      assert.ok(layers.has(`unit-map-${j + 1}`), `${name}'s panel`);
    }
    assert.equal(drawn.length, expected);
  }
});

test('the line labels cover none of the samples', () => {
  for (const seed of [1, 2, 3, 4]) {
    const { config, parameters } = trained({ hiddenStd: 0.7071 }, seed);
    const layers = layersByName(boundaryUnitsChart(config, xor, parameters, seed, null));
    const frame: Frame = { box: INPUT_BOX, width: 460, height: 460 };
    const samples = [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ] as [number, number][];
    for (const line of layers.get('unit-lines')!.data.values) {
      const label = rectAround(
        toPixel(frame, [line.labelX1 as number, line.labelX2 as number]),
        textSize(line.label as string, 14, true),
      );
      for (const s of samples)
        assert.ok(
          !overlaps(label, markerRect(frame, s, SAMPLE_HALF)),
          `seed ${seed}: ${String(line.label)} covers sample ${s.join(', ')}`,
        );
    }
  }
});

test("hidden space: each point is where the hidden layer sends the sample, sigmoid(x . W + b), and the output line is the output neuron's", () => {
  const { config, parameters } = trained({}, 1);
  const layers = layersByName(hiddenSpaceChart(config, xor, parameters, 1));
  const points = layers.get('hidden-points')!.data.values;
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
  [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ].forEach(([x1, x2], s) => {
    const h = [0, 1].map((j) => sigmoid(x1 * parameters[j] + x2 * parameters[2 + j] + parameters[4 + j]));
    assert.ok(
      Math.abs((points[s].ha as number) - h[0]) < 1e-12 && Math.abs((points[s].hb as number) - h[1]) < 1e-12,
      `sample ${s}`,
    );
  });
  const line = layers.get('output-line')!.data.values[0];
  const [v1, v2, c] = [parameters[6], parameters[7], parameters[8]];
  for (const [h1, h2] of [
    [line.x1a, line.x2a],
    [line.x1b, line.x2b],
  ] as [number, number][])
    assert.ok(Math.abs(v1 * h1 + v2 * h2 + c) < 1e-9);
  // A network that learned XOR separates the two targets by that line.
  for (const p of points) assert.equal(v1 * (p.ha as number) + v2 * (p.hb as number) + c > 0, p.target === 1);
});

test('hidden space with four units draws the two chosen, says so, and holds the others at their mean', () => {
  const { config, parameters } = trained({ hidden: [4] }, 2);
  const space = hiddenSpace(config, xor, parameters, [0, 2]);
  assert.deepEqual(space.names, ['h1', 'h3']);
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
  const h = [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ].map(([x1, x2]) =>
    [0, 1, 2, 3].map((j) => sigmoid(x1 * parameters[j] + x2 * parameters[4 + j] + parameters[8 + j])),
  );
  space.points.forEach((p, s) => assert.ok(Math.abs(p.ha - h[s][0]) < 1e-12 && Math.abs(p.hb - h[s][2]) < 1e-12));
  const mean = (j: number) => h.reduce((sum, row) => sum + row[j], 0) / 4;
  const v = (j: number) => parameters[12 + j];
  assert.ok(Math.abs(space.weights[2] - (parameters[16] + v(1) * mean(1) + v(3) * mean(3))) < 1e-12);
  const subtitle = (
    hiddenSpaceChart(config, xor, parameters, 2, [0, 2]) as { title: { subtitle: string[] } }
  ).title.subtitle.join(' ');
  assert.match(subtitle, /units 1 and 3 of the 4 in hidden layer 1/);
  assert.throws(() => hiddenSpace(config, xor, parameters, [1, 1]), /two different units/);
});

test("network diagram: one edge per weight, each with its weight's sign; every unit's bias (hidden=4,4 too)", () => {
  for (const hidden of [[2], [4, 4]]) {
    const { config, parameters } = trained({ hidden, epochs: 500 }, 3);
    const layers = layersByName(networkChart(config, xor, parameters, 3, 'after 500 epochs'));
    const edges = layers.get('edges')!.data.values;
    const sizes = [2, ...hidden, 1];
    assert.equal(
      edges.length,
      sizes.slice(1).reduce((sum, n, l) => sum + n * sizes[l], 0),
    );
    let offset = 0;
    for (let l = 1; l < sizes.length; l++) {
      for (let i = 0; i < sizes[l - 1]; i++) {
        for (let j = 0; j < sizes[l]; j++) {
          const w = parameters[offset + i * sizes[l] + j];
          const edge = edges.find((e) => e.layer === l && e.input === i && e.unit === j)!;
          assert.equal(edge.weight, w);
          assert.equal(edge.sign, w < 0 ? 'negative' : 'positive');
        }
      }
      offset += sizes[l - 1] * sizes[l] + sizes[l];
    }
    const biases = layers.get('biases')!.data.values;
    assert.equal(
      biases.length,
      sizes.slice(1).reduce((a, b) => a + b, 0),
    );
  }
});

test('the three charts render to SVG', async () => {
  const { config, parameters } = trained({ epochs: 300 }, 1);
  for (const spec of [
    boundaryUnitsChart(config, xor, parameters, 1, null),
    hiddenSpaceChart(config, xor, parameters, 1),
    networkChart(config, xor, parameters, 1, 'after 300 epochs'),
  ]) {
    assert.match(await renderSvg(spec), /^<svg/);
  }
});

test('networks side by side: each column draws its own network (every layer named apart)', () => {
  const a = trained({ hiddenStd: 0.7071, updateOrder: 'seed' }, 1);
  const b = trained({ hiddenStd: 0.05, updateOrder: 'seed' }, 1);
  const spec = comparedNetworksChart(
    [
      { ...a, title: 'learned' },
      { ...b, title: 'stuck' },
    ],
    xor,
    't',
    [],
  );
  const names: string[] = [];
  const visit = (s: any) => {
    if (!s || typeof s !== 'object') return;
    if (s.mark && s.name) names.push(s.name);
    for (const key of ['layer', 'vconcat', 'hconcat', 'concat']) if (Array.isArray(s[key])) s[key].forEach(visit);
  };
  visit(spec);
  assert.equal(new Set(names).size, names.length, 'layer names are unique');
  const layers = layersByName(spec);
  for (const [k, { parameters }] of [a, b].entries()) {
    const points = layers.get(`network-${k + 1}-hidden-points`)!.data.values;
    const h1 = 1 / (1 + Math.exp(-parameters[4]));
    assert.ok(Math.abs((points[0].ha as number) - h1) < 1e-12, `column ${k + 1} shows its own network`);
  }
});

test("one output map: the decision boundary, each unit's panel and the hidden space draw outputMapLayer's layer", () => {
  for (const activation of ['sigmoid', 'tanh'] as const) {
    const { config, parameters } = trained({ epochs: 300, activation }, 1);
    const boundary = layersByName(boundaryChart(config, xor, parameters, 1, null));
    const units = layersByName(boundaryUnitsChart(config, xor, parameters, 1, null));
    const space = layersByName(hiddenSpaceChart(config, xor, parameters, 1));
    const range: [number, number] | null = activation === 'sigmoid' ? [0, 1] : [-1, 1];
    const same = (layer: any, title: string, domain: [number, number] | null, legend?: object | null) => {
      const [x2, y2] = [layer.encoding.x2.field, layer.encoding.y2.field];
      const expected = outputMapLayer({
        name: layer.name,
        values: layer.data.values,
        x: layer.encoding.x,
        x2,
        y: layer.encoding.y,
        y2,
        title,
        domain,
        ...(legend !== undefined ? { legend } : {}),
      });
      assert.deepEqual(layer, expected);
    };
    same(boundary.get('output'), 'Output', [0, 1], { gradientLength: 300 });
    same(units.get('unit-map-1'), 'Output', range, activation === 'sigmoid' ? null : undefined);
    same(space.get('output-plane'), 'Output', [0, 1], { gradientLength: 300 });
    // Viridis over [0, 1] for the network's (sigmoid) output, over the unit's own range for a tanh unit.
    assert.deepEqual((boundary.get('output') as any).encoding.color.scale, { scheme: 'viridis', domain: [0, 1] });
    assert.deepEqual((units.get('unit-map-1') as any).encoding.color.scale.domain, range);
  }
});
