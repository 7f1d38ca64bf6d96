// `xorlab plot boundary --units`, `plot hidden-space` and `plot network` through the command line: the drawn
// lines, points and edges against the weights of the training they replay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir, usageErrorLine } from '../helpers/cli.js';

interface Layer {
  name?: string;
  data?: { values: Record<string, number | string>[] };
}

function layerNamed(spec: unknown, name: string): Layer {
  let found: Layer | undefined;
  const visit = (s: any) => {
    if (!s || typeof s !== 'object') return;
    if (s.name === name && s.mark) found = s;
    for (const key of ['layer', 'vconcat', 'hconcat', 'concat']) if (Array.isArray(s[key])) s[key].forEach(visit);
  };
  visit(spec);
  assert.ok(found, `layer ${name}`);
  return found;
}

/** A `train --json` file of a learned 2-2-1 XOR network, and its final parameters. */
function savedRun(
  dir: string,
  extra: string[] = [],
): { path: string; layers: { weights: number[][]; biases: number[] }[] } {
  const r = runCli(['train', '--seed', '1', '--json', ...extra]);
  assert.equal(r.status, 0, r.stderr);
  const path = join(dir, 'run.json');
  writeFileSync(path, r.stdout);
  return { path, layers: JSON.parse(r.stdout).finalParameters.layers };
}

function spec(args: string[]): unknown {
  const r = runCli(['plot', ...args, '--spec'], { maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test("plot boundary --units draws each hidden unit's line where its weights cross the view's edges; hidden-space puts the samples at the hidden outputs", () => {
  const dir = tempDir();
  const { path, layers } = savedRun(dir);
  const [hidden, output] = layers;
  const lines = layerNamed(spec(['boundary', '--units', '--from', path]), 'unit-lines').data!.values;
  assert.equal(lines.length, 2);
  for (const [j, line] of lines.entries()) {
    const [w1, w2, b] = [hidden.weights[0][j], hidden.weights[1][j], hidden.biases[j]];
    assert.equal(line.unit, `h${j + 1}`);
    for (const [x1, x2] of [
      [line.x1a, line.x2a],
      [line.x1b, line.x2b],
    ] as number[][]) {
      assert.ok(Math.abs(w1 * x1 + w2 * x2 + b) < 1e-9, 'on the line');
      assert.ok(
        [x1, x2].some((v) => Math.abs(v + 0.1) < 1e-12 || Math.abs(v - 1.1) < 1e-12),
        'on an edge of the view',
      );
    }
  }
  const space = spec(['hidden-space', '--from', path]);
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
  const points = layerNamed(space, 'hidden-points').data!.values;
  [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ].forEach(([x1, x2], s) => {
    const h = [0, 1].map((j) => sigmoid(x1 * hidden.weights[0][j] + x2 * hidden.weights[1][j] + hidden.biases[j]));
    assert.ok(Math.abs((points[s].ha as number) - h[0]) < 1e-12 && Math.abs((points[s].hb as number) - h[1]) < 1e-12);
  });
  const out = layerNamed(space, 'output-line').data!.values[0];
  assert.ok(
    Math.abs(
      output.weights[0][0] * (out.x1a as number) + output.weights[1][0] * (out.x2a as number) + output.biases[0],
    ) < 1e-9,
  );
});

test('plot network draws one edge per weight with its sign, for hidden=4,4 too, and writes PNG and SVG', () => {
  const dir = tempDir();
  const { path, layers } = savedRun(dir, ['--hidden', '4,4', '--epochs', '300']);
  const edges = layerNamed(spec(['network', '--from', path]), 'edges').data!.values;
  assert.equal(edges.length, 2 * 4 + 4 * 4 + 4);
  layers.forEach((layer, l) =>
    layer.weights.forEach((row, i) =>
      row.forEach((w, j) => {
        const edge = edges.find((e) => e.layer === l + 1 && e.input === i && e.unit === j)!;
        assert.equal(edge.weight, w);
        assert.equal(edge.sign, w < 0 ? 'negative' : 'positive');
      }),
    ),
  );
  for (const file of ['network.png', 'network.svg']) {
    const r = runCli(['plot', 'network', '--seed', '1', '--epochs', '200', '--out', join(dir, file)]);
    assert.equal(r.status, 0, r.stderr);
  }
  assert.equal(readFileSync(join(dir, 'network.png')).subarray(1, 4).toString(), 'PNG');
  assert.match(readFileSync(join(dir, 'network.svg'), 'utf8'), /^<svg/);
});

test('plot hidden-space --units chooses two units and the figure says which; bad choices are one line, exit 2', () => {
  const subtitle = (
    spec(['hidden-space', '--hidden', '4', '--units', '1,3', '--seed', '2', '--epochs', '300']) as {
      title: { subtitle: string[] };
    }
  ).title.subtitle.join(' ');
  assert.match(subtitle, /units 1 and 3 of the 4 in hidden layer 1/);
  const bad: [string[], RegExp][] = [
    [['hidden-space', '--hidden', '4', '--units', '1,1'], /--units must name two different units from 1 to 4/],
    [['hidden-space', '--hidden', '4', '--units', '1,5'], /--units must be an integer >= 1 and <= 4/],
    [['hidden-space', '--hidden', '4', '--units', '2'], /--units must name two different units/],
    [['hidden-space', '--hidden', '1'], /two units in the last hidden layer; it has 1/],
    [['boundary', '--units', '--dataset', 'parity3', '--hidden', '3'], /2 inputs/],
  ];
  for (const [args, message] of bad)
    assert.match(usageErrorLine(runCli(['plot', ...args, '--epochs', '10', '--spec'])), message);
});
