// Study charts: a line per category, labels from the study (dataset, layer shape, activation), the slices and
// panels of a study with more axes, and the same fitted minimum as summary's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinDataset } from '../../../src/core/index.js';
import { renderSvg } from '../../../src/plot/render.js';
import type { PointSummary, StudyRecord } from '../../../src/store/types.js';
import { ChartDataError, curveSpecOf, type DatasetShape } from '../../../src/study/views/charts.js';
import { curveBests, curvesAlong } from '../../../src/study/analysis/curves.js';
import { sceneItems } from '../../helpers/scene.js';

const shape: DatasetShape = (name) => {
  const d = builtinDataset(name);
  return { inputs: d.inputCount, outputs: d.outputCount };
};

const STDS = Array.from({ length: 24 }, (_, i) => Math.exp(-3 + (6 * i) / 23));

function summary(point: number, params: Record<string, number | string>, mean: number): PointSummary {
  const none = { n: 0, mean: null, std: null, stderr: null };
  return {
    point,
    params,
    count: 20,
    lossCount: 20,
    mean,
    std: 100,
    stderr: 100 / Math.sqrt(20),
    successRate: 0.8,
    successes: 16,
    diverged: 0,
    meanEpochsToThreshold: null,
    finalLoss: none,
    epochsToThreshold: none,
  };
}

/** A study over `axes` (in order) with the given values, means from `mean`. */
function study(
  name: string,
  config: object,
  sweep: Record<string, (number | string)[]>,
  mean: (p: Record<string, number | string>) => number,
): { record: StudyRecord; points: PointSummary[] } {
  const axes = Object.keys(sweep);
  const points: PointSummary[] = [];
  const total = axes.reduce((n, a) => n * sweep[a].length, 1);
  for (let p = 0; p < total; p++) {
    const params: Record<string, number | string> = {};
    let rest = p;
    for (let a = axes.length - 1; a >= 0; a--) {
      params[axes[a]] = sweep[axes[a]][rest % sweep[axes[a]].length];
      rest = Math.floor(rest / sweep[axes[a]].length);
    }
    points.push(summary(p, Object.fromEntries(axes.map((a) => [a, params[a]])), mean(params)));
  }
  return {
    record: {
      name,
      definition: { name, config, sweep, repeats: 20, seed: 1 },
      createdAt: '',
      trialCount: 20 * total,
      pointCount: total,
    },
    points,
  };
}

/** Every layer of a (possibly nested or faceted) spec. */
function layers(spec: any): any[] {
  const out: any[] = [];
  const visit = (s: any) => {
    if (!s || typeof s !== 'object') return;
    if (s.mark) out.push(s);
    for (const key of ['layer', 'vconcat', 'hconcat', 'concat']) if (Array.isArray(s[key])) s[key].forEach(visit);
    if (s.spec) visit(s.spec);
  };
  visit(spec);
  return out;
}

const bowl = (centre: number) => (p: Record<string, number | string>) =>
  1000 + 400 * Math.log((p.hiddenStd as number) / centre) ** 2;

test("a categorical axis beside the x-axis: one line per category, its fitted minimum (the same as summary's), Xavier and He rules", async () => {
  const centres: Record<string, number> = { sigmoid: 0.6, tanh: 0.15, relu: 1.2 };
  const { record, points } = study(
    'act',
    { activation: 'sigmoid' },
    { activation: ['sigmoid', 'tanh', 'relu'], hiddenStd: STDS },
    (p) => bowl(centres[p.activation as string])(p),
  );
  const spec: any = curveSpecOf(record, points, { datasetShape: shape });
  const rows = spec.data.values.filter((v: { kind: string }) => v.kind === 'point');
  assert.deepEqual([...new Set(rows.map((r: { series: string }) => r.series))], ['sigmoid', 'tanh', 'relu']);
  assert.equal(rows.length, 3 * 24);
  const lines = layers(spec).find((l) => l.name === 'lines');
  assert.equal(lines.mark.type, 'line');
  assert.equal(lines.encoding.color.field, 'series');
  assert.equal(lines.encoding.strokeDash.field, 'series');
  assert.deepEqual(lines.encoding.color.scale.domain, ['sigmoid', 'tanh', 'relu']);
  assert.equal(new Set(lines.encoding.color.scale.range).size, 3);
  assert.equal(new Set(lines.encoding.strokeDash.scale.range.map(String)).size, 3);
  // One fitted minimum per line, at the same place as summary's (study/analysis/curves.ts).
  const minima = spec.data.values.filter((v: { kind: string }) => v.kind === 'minimum');
  const fits = curveBests(curvesAlong(points, 'hiddenStd', ['activation']), 'hiddenStd', 'totalLoss');
  assert.deepEqual(
    minima.map((m: { series: string; x: number }) => [m.series, m.x]),
    fits.map((f) => [f.curve.at.activation, f.fit!.x]),
  );
  for (const m of minima) assert.ok(Math.abs(m.x / centres[m.series] - 1) < 0.02, `${m.series}: ${m.x}`);
  // The rules for the 2-2 hidden layer: Xavier for sigmoid and tanh, He for relu.
  const labels = spec.data.values
    .filter((v: { kind: string }) => v.kind === 'rule')
    .map((r: { label: string }) => r.label);
  assert.deepEqual(labels, ['Xavier/Glorot √(2/(2+2)) ≈ 0.707 (sigmoid, tanh)', 'He √(2/2) ≈ 1 (relu)']);
  assert.match(JSON.stringify(spec), /"title":"Learned XOR"/);
  assert.match(await renderSvg(spec), /role-legend/);
});

test('fitted minima are drawn apart from the measured means: a strip of their own below the curves, a row per line, titled as the fit', async () => {
  // A fit whose value lies below every mean (as the report's schedule figure had) must not sit among the means.
  const centres: Record<string, number> = { constant: 0.5, cosine: 0.3 };
  const { record, points } = study('schedules', {}, { schedule: ['constant', 'cosine'], hiddenStd: STDS }, (p) =>
    bowl(centres[p.schedule as string])(p),
  );
  const spec: any = curveSpecOf(record, points, { datasetShape: shape });
  const diamonds = layers(spec).find((l) => l.name === 'minimum_points');
  // Placed by the line they belong to, not by a loss value on the means' axis.
  assert.equal(diamonds.encoding.y.field, 'series');
  assert.equal(layers(spec).find((l) => l.name === 'minimum_intervals').encoding.y.field, 'series');
  const items = await sceneItems(spec);
  const means = items.filter((i) => i.name.startsWith('means') && i.type === 'symbol');
  const fits = items.filter((i) => i.name.startsWith('minimum_points') && i.type === 'symbol');
  assert.equal(fits.length, 2);
  // Below the lowest mean's mark and below the main panel's x-axis: in the strip.
  const axisBottom = Math.max(
    ...items
      .filter((i) => i.role === 'axis-label')
      .filter((i) => i.y1 < Math.min(...fits.map((f) => f.y1)))
      .map((i) => i.y2),
  );
  for (const f of fits) {
    assert.ok(f.y1 > Math.max(...means.map((m) => m.y2)), `fit at y ${f.y1} is among the means`);
    assert.ok(f.y1 > axisBottom, `fit at y ${f.y1} is above the main panel's axis labels (${axisBottom})`);
  }
  // The strip says what it is, above the diamonds, and each row is named by its line.
  const title = items.find(
    (i) => i.type === 'text' && /^Fitted minimum of each line \(not a measurement\)/.test(i.text),
  );
  assert.ok(title, 'the strip has a title naming the fit');
  assert.ok(title.y2 <= Math.min(...fits.map((f) => f.y1)));
  const rowNames = items.filter((i) => i.role === 'axis-label' && ['constant', 'cosine'].includes(i.text));
  assert.deepEqual(rowNames.map((i) => i.text).sort(), ['constant', 'cosine']);
  // The diamond's x is the fitted minimum, as before.
  const minima = spec.data.values.filter((v: { kind: string }) => v.kind === 'minimum');
  for (const m of minima) assert.ok(Math.abs(m.x / centres[m.series] - 1) < 0.02, `${m.series}: ${m.x}`);
  assert.match(spec.vconcat.map((v: any) => v.title?.text ?? '').join(' '), /Fitted minimum/);
});

test('a 3-input parity study is labelled as such: its own Xavier rule and success title, never XOR', () => {
  const { record, points } = study('p3', { dataset: 'parity3', hidden: [2] }, { hiddenStd: STDS }, bowl(0.6));
  const text = JSON.stringify(curveSpecOf(record, points, { datasetShape: shape }));
  assert.match(text, /Xavier\/Glorot √\(2\/\(3\+2\)\) ≈ 0\.632/);
  assert.match(text, /"title":"Learned 3-bit parity"/);
  assert.doesNotMatch(text, /XOR/);
  assert.match(text, /"datum":0\.6324555320336759/);
  // With ReLU hidden units the rule is He's, sqrt(2 / 3).
  const relu = study('p3r', { dataset: 'parity3', hidden: [4], activation: 'relu' }, { hiddenStd: STDS }, bowl(0.8));
  assert.match(JSON.stringify(curveSpecOf(relu.record, relu.points, { datasetShape: shape })), /He √\(2\/3\) ≈ 0\.816/);
  // The output layer's std: fan_in = hidden units, fan_out = 1.
  const out = study(
    'o',
    { dataset: 'parity3', hidden: [4] },
    { outputStd: STDS },
    (p) => 1000 + 400 * Math.log((p.outputStd as number) / 0.6) ** 2,
  );
  assert.match(
    JSON.stringify(curveSpecOf(out.record, out.points, { datasetShape: shape })),
    /Xavier\/Glorot √\(2\/\(4\+1\)\) ≈ 0\.632/,
  );
});

test('two numeric axes: the chart asks which to draw; --at holds one at a grid value, --facet makes panels', () => {
  const lrs = [0.1, 0.3, 1];
  const { record, points } = study(
    'grid',
    {},
    { loss: ['bce', 'mse'], hiddenStd: STDS, lr: lrs },
    (p) => (bowl(0.6)(p) * (p.loss === 'mse' ? 0.3 : 1)) / (p.lr as number),
  );
  assert.throws(
    () => curveSpecOf(record, points),
    (e: unknown) =>
      e instanceof ChartDataError && /sweeps hiddenStd and lr: choose the x-axis with --param/.test(e.message),
  );
  assert.throws(
    () => curveSpecOf(record, points, { param: 'hiddenStd' }),
    (e: unknown) =>
      e instanceof ChartDataError && /also sweeps lr: hold it at one value \(--at lr=<value>\)/.test(e.message),
  );
  // A slice at lr 0.3 (0.25 is nearest to 0.3 on a log scale): two lines, one per loss.
  const slice: any = curveSpecOf(record, points, { param: 'hiddenStd', at: { lr: '0.25' } });
  const rows = slice.data.values.filter((v: { kind: string }) => v.kind === 'point');
  assert.equal(rows.length, 2 * 24);
  assert.deepEqual([...new Set(rows.map((r: { series: string }) => r.series))], ['bce', 'mse']);
  assert.match(slice.title.text, /at lr=0\.3/);
  // A value far from every grid value (or outside the grid) is named, as summary --compare does; a near one is not.
  const warnings: string[] = [];
  curveSpecOf(record, points, { param: 'hiddenStd', at: { lr: '0.29' }, onWarning: (line) => warnings.push(line) });
  assert.equal(warnings.length, 0);
  curveSpecOf(record, points, { param: 'hiddenStd', at: { lr: '7' }, onWarning: (line) => warnings.push(line) });
  assert.deepEqual(warnings, ['--at: lr=7 lies outside the grid of lr (0.1 to 1); using the nearest point, lr=1']);
  // Means spanning orders of magnitude (here 1/lr^3 over lr 0.1-1 and the losses) get a log y-axis that says so.
  const steep = study(
    'steep',
    {},
    { loss: ['bce', 'mse'], hiddenStd: STDS },
    (p) => bowl(0.6)(p) * (p.loss === 'mse' ? 30 : 1),
  );
  const lines: any = curveSpecOf(steep.record, steep.points, { param: 'hiddenStd' });
  assert.equal(lines.vconcat[0].layer.find((l: any) => l.name === 'lines').encoding.y.scale.type, 'log');
  assert.match(lines.vconcat[0].layer.find((l: any) => l.name === 'lines').encoding.y.title, /\(log scale\)$/);
  const flat = study(
    'flat',
    {},
    { loss: ['bce', 'mse'], hiddenStd: STDS },
    (p) => 1000 + 100 * Math.log((p.hiddenStd as number) / 0.6) ** 2,
  );
  const linear: any = curveSpecOf(flat.record, flat.points, { param: 'hiddenStd' });
  assert.deepEqual(linear.vconcat[0].layer.find((l: any) => l.name === 'lines').encoding.y.scale, { zero: false });
  // Panels per learning rate, a line per loss, a y scale per panel.
  const faceted: any = curveSpecOf(record, points, { param: 'hiddenStd', facet: 'lr', independentY: true });
  assert.equal(faceted.facet.field, 'facet');
  assert.deepEqual(faceted.facet.sort, ['0.1', '0.3', '1']);
  assert.equal(faceted.resolve.scale.y, 'independent');
  assert.throws(
    () => curveSpecOf(record, points, { param: 'hiddenStd', at: { lr: 'fast' } }),
    /--at lr: takes a number/,
  );
  assert.throws(
    () => curveSpecOf(record, points, { param: 'hiddenStd', at: { loss: 'huber' }, facet: 'lr' }),
    /"huber" is not one of its values \(bce, mse\)/,
  );
  assert.throws(() => curveSpecOf(record, points, { param: 'loss' }), /loss is not numeric/);
});

test('--metric success draws the rate with its Wilson interval and no second success panel', () => {
  const { record, points } = study('s', {}, { hiddenStd: STDS }, bowl(0.6));
  const spec: any = curveSpecOf(record, points, { metric: 'success', datasetShape: shape });
  assert.equal(spec.vconcat.length, 1);
  const row = spec.data.values[0];
  assert.equal(row.mean, 0.8);
  assert.ok(
    Math.abs(row.lo - 0.5839825677481064) < 1e-9 && Math.abs(row.hi - 0.919342337420202) < 1e-9,
    JSON.stringify(row),
  );
  assert.match(JSON.stringify(spec), /share with its 95% Wilson interval/);
});
