import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinDataset, trainFromSeed } from '../../src/core/index.js';
import { defaultConfig } from '../../src/config/index.js';
import { boundaryChart, lossChart, weightsChart } from '../../src/plot/charts.js';
import { curveSpec, type CurvePoint } from '../../src/plot/curve.js';
import { XAVIER as XAVIER_STD } from '../../src/article/config.js';
import { lowestMeanRule } from '../../src/study/analysis/minimum.js';
import { ChartDataError } from '../../src/plot/errors.js';
import { readGlyphWidths, fontFiles, textWidth } from '../../src/plot/fonts.js';
import { heatmapSpec } from '../../src/plot/landscape.js';
import { renderPng, renderSvg } from '../../src/plot/render.js';
import { outputGrid } from '../../src/plot/training.js';
import { readFileSync } from 'node:fs';
import { spreadLabels } from '../../src/plot/trajectories.js';
import { overlaps, sceneItems } from '../helpers/scene.js';

const xor = builtinDataset('xor');
const config = defaultConfig({ epochs: 300, hiddenStd: 10, outputStd: 0.8165, updateOrder: 'seed' });
const run = trainFromSeed(config, xor, 1, { snapshotEvery: 10, traceEvery: 10 });

function curvePoints(): CurvePoint[] {
  return Array.from({ length: 12 }, (_, i) => {
    const x = Math.exp(-3 + (7 * i) / 11);
    return { x, mean: 1300 + 300 * Math.log(x / 0.6) ** 2, stderr: 25, successRate: 0.9, count: 10 };
  });
}

/** Every layer of a (possibly nested) spec. */
function layers(spec: any): any[] {
  const out: any[] = [];
  const visit = (s: any) => {
    if (!s || typeof s !== 'object') return;
    if (s.mark) out.push(s);
    for (const key of ['layer', 'vconcat', 'hconcat', 'concat']) if (Array.isArray(s[key])) s[key].forEach(visit);
  };
  visit(spec);
  return out;
}

const markType = (l: any) => (typeof l.mark === 'string' ? l.mark : l.mark.type);

const charts = {
  curve: () => curveSpec({ parameter: 'hiddenStd', points: curvePoints() }),
  heatmap: () =>
    heatmapSpec({
      xParameter: 'hiddenStd',
      yParameter: 'lr',
      cells: [0.1, 1, 10].flatMap((x) =>
        [0.01, 0.1].map((y) => ({ x, y, mean: 1000 * x + y, successRate: 1, count: 3 })),
      ),
    }),
  weights: () => weightsChart(config, xor, run, 1),
  loss: () =>
    lossChart([
      { label: 'a', result: run },
      { label: 'b', result: trainFromSeed(config, xor, 2, { traceEvery: 10 }) },
    ]),
  boundary: () => boundaryChart(config, xor, run.finalParameters, 1, run.metrics.totalLoss),
};

for (const [name, make] of Object.entries(charts)) {
  test(`${name}: renders to an SVG with marks and text in the packaged font, and to a PNG`, async () => {
    const spec = make();
    const svg = await renderSvg(spec);
    assert.match(svg, /^<svg[^>]* width="(\d+)" height="(\d+)"/);
    const [, w, h] = /^<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number);
    assert.ok(w >= 400 && w <= 1000, `width ${w}`);
    assert.ok(h >= 250 && h <= 1400, `height ${h}`);
    assert.match(svg, /role-mark/);
    assert.match(svg, /<path|<line|<rect/);
    assert.match(svg, /font-family="DejaVu Sans"/);
    assert.ok(svg.trimEnd().endsWith('</svg>'));
    const png = await renderPng(spec);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // IHDR: width and height at scale 2.
    assert.equal(png.readUInt32BE(16), 2 * w);
    assert.equal(png.readUInt32BE(20), 2 * h);
    assert.ok(png.length > 10_000, `png of ${png.length} bytes`);
  });
}

test('the study curve has standard-error bars, the Xavier rule at 1/sqrt(2), the minimum rule and a success panel', () => {
  const spec: any = curveSpec({
    parameter: 'hiddenStd',
    points: curvePoints(),
    minimum: lowestMeanRule(curvePoints()),
  });
  const all = layers(spec);
  const bars = all.find((l) => markType(l) === 'errorbar');
  assert.ok(bars, 'an errorbar layer');
  assert.equal(bars.encoding.y.field, 'lo');
  assert.equal(bars.encoding.y2.field, 'hi');
  const row = spec.data.values[3];
  assert.equal(row.hi - row.lo, 50); // mean ± stderr
  const rules = all.filter((l) => markType(l) === 'rule');
  assert.ok(rules.some((r) => r.encoding.x.datum === XAVIER_STD && r.name === 'xavier_rule'));
  const lowest = curvePoints().reduce((a, b) => (b.mean! < a.mean! ? b : a));
  assert.ok(rules.some((r) => r.name === 'minimum_rule' && r.encoding.x.datum === lowest.x));
  const labels = all.filter((l) => markType(l) === 'text').map((l) => l.mark.text);
  assert.ok(labels.some((t: string) => /Xavier/.test(t)) && labels.some((t: string) => /lowest grid mean/.test(t)));
  assert.equal(spec.vconcat[0].layer[0].encoding.x.scale.type, 'log'); // exp grid spans e^-3..e^4
  assert.ok(all.some((l) => l.encoding?.y?.field === 'successRate'));
});

test('the curve: linear axis for a narrow grid, no Xavier rule for a parameter that is not an init std, a given minimum', () => {
  const points = [0.05, 0.1, 0.2].map((x) => ({ x, mean: 100 / x, stderr: 1, successRate: 1, count: 2 }));
  const spec: any = curveSpec({ parameter: 'lr', points, minimum: { x: 0.15, label: 'fit' } });
  const all = layers(spec);
  assert.notEqual(spec.vconcat[0].layer[0].encoding.x.scale.type, 'log');
  assert.ok(!all.some((l) => l.name === 'xavier_rule'));
  assert.equal(all.find((l) => l.name === 'minimum_rule').encoding.x.datum, 0.15);
});

test('weightsChart of a training that diverged at epoch 0 is a ChartDataError, with or without the start snapshot', () => {
  const huge = defaultConfig({ epochs: 50, hiddenStd: 1e308, outputStd: 1e308 });
  const diverged = trainFromSeed(huge, xor, 1, { snapshotEvery: 10 });
  assert.equal(diverged.metrics.diverged, true);
  // Whatever core keeps of the start (nothing, or the snapshot of the epoch that diverged), there is no trajectory.
  for (const snapshots of [
    diverged.snapshots,
    [],
    [{ epoch: 0, loss: NaN, parameters: Array.from(diverged.initialParameters) }],
  ]) {
    assert.throws(
      () => weightsChart(huge, xor, { ...diverged, snapshots }, 1),
      (e: unknown) =>
        e instanceof ChartDataError && /^the training diverged at epoch 0; nothing to draw/.test(e.message),
    );
  }
  // A training that diverges later still has its trajectory up to there.
  const later = {
    ...run,
    metrics: { ...run.metrics, diverged: true },
    snapshots: [...run.snapshots.slice(0, 5), { epoch: 50, loss: Infinity, parameters: run.snapshots[5].parameters }],
  };
  assert.ok(weightsChart(config, xor, later, 1));
});

test('the decision grid evaluates the trained network: its output at the XOR corners matches the training predictions', () => {
  const trained = defaultConfig({ hiddenStd: 10, outputStd: 0.8165, updateOrder: 'seed', epochs: 3000 });
  const good = trainFromSeed(trained, xor, 1);
  const grid = outputGrid(trained, xor, good.finalParameters, 60);
  assert.equal(grid.length, 3600);
  // Cell centres nearest to the corners (0,0) and (1,0) lie within half a cell; outputs follow the predictions.
  const near = (x: number, y: number) =>
    grid.reduce((a, b) => (Math.hypot(b.x1 - x, b.x2 - y) < Math.hypot(a.x1 - x, a.x2 - y) ? b : a));
  assert.equal(near(0, 0).output > 0.5, good.metrics.predictions![0][0] > 0.5);
  assert.equal(near(1, 0).output > 0.5, good.metrics.predictions![2][0] > 0.5);
  assert.ok(grid.some((c) => c.boundary));
});

test('glyph widths come from the font file: "W" is wider than "i", bold is wider than regular', () => {
  const widths = readGlyphWidths(readFileSync(fontFiles()[0]));
  assert.ok(widths.widths.get('W'.codePointAt(0)!)! > widths.widths.get('i'.codePointAt(0)!)!);
  assert.ok(textWidth('Mean total loss', 14, true) > textWidth('Mean total loss', 14));
  const w = textWidth('Epoch', 10);
  assert.ok(w > 20 && w < 40, `"Epoch" at 10 px is ${w} px`);
});

test('the heatmap colours means spanning orders of magnitude on a log scale (said in the legend) and marks all-diverged cells', async () => {
  // The article's landscape: 500-4,000 over most learning rates, one column at ~47,000, one cell where all diverged.
  const lrs = [0.2, 0.5, 1.26, 3.16];
  const cells = lrs.flatMap((x) =>
    [0.5, 1, 2].map((y) => ({
      x,
      y,
      mean: x === 3.16 ? (y === 2 ? null : 47_000) : (500 * y) / x + 400,
      successRate: 1,
      count: 3,
    })),
  );
  const spec: any = heatmapSpec({ xParameter: 'lr', yParameter: 'hiddenStd', cells });
  const color = spec.layer[0].encoding.color;
  assert.equal(color.scale.type, 'log');
  assert.deepEqual(color.title, ['Mean total loss', '(log scale)']);
  assert.ok(spec.layer.some((l: any) => l.name === 'diverged'));
  const svg = await renderSvg(spec);
  // The useful region (lr 0.2-1.26) gets many shades, not one: count the distinct cell fills.
  const fills = new Set(
    [...svg.matchAll(/<path aria-label="Learning rate \(lr\): (0\.2|0\.5|1\.26);[^"]*"[^>]*fill="([^"]+)"/g)].map(
      (m) => m[2],
    ),
  );
  assert.ok(fills.size >= 6, `${fills.size} shades in the useful region`);
  assert.match(svg, /×/);
  assert.match(svg, /every training there diverged/);
  // A narrow range keeps the linear scale.
  assert.equal(
    (heatmapSpec({ xParameter: 'lr', yParameter: 'hiddenStd', cells: cells.filter((c) => c.x !== 3.16) }) as any)
      .layer[0].encoding.color.scale.type,
    undefined,
  );
});

test('weights: lines differ by colour and dash (one field), and where a panel has at most 6 lines each is named at its end, apart from the others', async () => {
  const spec: any = weightsChart(config, xor, run, 1);
  const panels = spec.vconcat;
  assert.equal(panels.length, 2);
  for (const panel of panels) {
    const lines = panel.layer.find((l: any) => markType(l) === 'line');
    assert.equal(lines.encoding.strokeDash.field, lines.encoding.color.field);
    assert.equal(new Set(lines.encoding.strokeDash.scale.range.map(String)).size, lines.encoding.color.sort.length);
    const labels = panel.layer.find((l: any) => markType(l) === 'text');
    assert.deepEqual(
      labels.data.values.map((v: { parameter: string }) => v.parameter).sort(),
      [...lines.encoding.color.sort].sort(),
    );
    // Named at the line ends, so no legend.
    assert.equal(lines.encoding.color.legend, null);
  }
  const items = await sceneItems(spec);
  const names = items.filter((i) => i.type === 'text' && i.role === 'mark');
  assert.deepEqual(names.map((i) => i.text).sort(), [
    'L1.b[0]',
    'L1.b[1]',
    'L1.w[0][0]',
    'L1.w[0][1]',
    'L1.w[1][0]',
    'L1.w[1][1]',
    'L2.b[0]',
    'L2.w[0][0]',
    'L2.w[1][0]',
  ]);
  // In the margin right of the lines, and no two overlap.
  const rightmost = Math.max(...items.filter((i) => i.type === 'line').map((i) => i.x));
  for (const n of names)
    assert.ok(n.x1 >= rightmost, `${n.text} starts at ${n.x1}, left of the lines' end ${rightmost}`);
  for (const [k, a] of names.entries())
    for (const b of names.slice(k + 1)) assert.ok(!overlaps(a, b), `${a.text} overlaps ${b.text}`);
  // Many lines (a 2-4-1 network's 12 hidden parameters) keep the legend instead.
  const wide = defaultConfig({ epochs: 100, hidden: [4] });
  const many: any = weightsChart(wide, xor, trainFromSeed(wide, xor, 1, { snapshotEvery: 10 }), 1);
  assert.equal(many.vconcat[0].layer, undefined);
  assert.match(await renderSvg(many), /role-legend/);
});

test('spreadLabels keeps end labels a gap apart and inside the axis', () => {
  const placed = spreadLabels(
    [
      { name: 'a', value: 1 },
      { name: 'b', value: 1.01 },
      { name: 'c', value: 0 },
    ],
    0.5,
    0,
    2,
  );
  assert.deepEqual(placed, [
    { name: 'b', y: 1.01 },
    { name: 'a', y: 0.51 },
    { name: 'c', y: 0 },
  ]);
  const low = spreadLabels(
    [
      { name: 'a', value: 0 },
      { name: 'b', value: 0 },
    ],
    0.5,
    0,
    2,
  );
  assert.deepEqual(low, [
    { name: 'a', y: 0.5 },
    { name: 'b', y: 0 },
  ]);
});
