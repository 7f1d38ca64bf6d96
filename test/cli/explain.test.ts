// `xorlab explain`: one epoch's arrays, checked against a transcription of the article's NumPy loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir, usageErrorLine } from '../helpers/cli.js';
import { articleLoop, relativeDifference, type ArticleParameters } from '../helpers/article-numpy.js';
import { formatNumpyArray } from '../../src/text/numpy.js';

interface ExplainJson {
  seed: number | null;
  epoch: number;
  updateOrder: string;
  learningRate: number;
  meanLoss: number;
  articleNames: boolean;
  initialParameters: { layers: { weights: number[][]; biases: number[] }[] };
  quantities: { key: string; name: string; code: string; note?: string; shape: [number, number]; rows: number[][] }[];
}

function explainJson(args: string[]): ExplainJson {
  const r = runCli(['explain', '--json', ...args]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as ExplainJson;
}

/** The document is the article loop's epoch from its own initial parameters: every array to 1e-12 relative. */
function assertArticleEpoch(doc: ExplainJson, seed: number, epoch: number, order: 'textbook' | 'seed'): void {
  assert.equal(doc.seed, seed);
  assert.equal(doc.epoch, epoch);
  assert.equal(doc.updateOrder, order);
  assert.equal(doc.articleNames, true);
  const [hidden, output] = doc.initialParameters.layers;
  const start: ArticleParameters = {
    hidden_weights: hidden.weights,
    hidden_bias: [hidden.biases],
    output_weights: output.weights,
    output_bias: [output.biases],
  };
  const want = articleLoop(start, epoch, 0.1, order)[epoch];
  assert.deepEqual(doc.quantities.map((q) => q.key).sort(), Object.keys(want).sort());
  for (const q of doc.quantities) {
    assert.ok(relativeDifference(q.rows, want[q.key]) <= 1e-12, `seed ${seed}, epoch ${epoch}, ${order}, ${q.key}`);
  }
  const losses = doc.quantities.find((q) => q.key === 'loss')!.rows.flat();
  assert.ok(Math.abs(doc.meanLoss - losses.reduce((a, b) => a + b, 0) / 4) < 1e-15);
}

// Both update orders through the CLI: textbook here, seed in the next test (on that test's document). The epochs'
// arithmetic for many seeds and epochs, both orders, is checked in process in test/core/epoch-trace.test.ts.
test("explain --json gives the article loop's arrays at full precision (1e-12 relative), for both update orders", () => {
  assertArticleEpoch(explainJson(['--seed', '1', '--epoch', '0', '--update-order', 'textbook']), 1, 0, 'textbook');
});

test("explain prints each array NumPy-style under its name and shape, the article's line beside it", () => {
  const args = ['--seed', '1', '--epoch', '3', '--update-order', 'seed'];
  const r = runCli(['explain', ...args]);
  assert.equal(r.status, 0, r.stderr);
  const doc = explainJson(args);
  assertArticleEpoch(doc, 1, 3, 'seed');
  const hiddenInput = doc.quantities.find((q) => q.key === 'hidden_input')!;
  assert.ok(
    r.stdout.includes(
      `hidden_input (4, 2)    # hidden_input = np.dot(inputs, hidden_weights) + hidden_bias\n${formatNumpyArray(hiddenInput.rows)}\n`,
    ),
    r.stdout,
  );
  assert.ok(
    r.stdout.includes(
      'inputs (4, 2)    # inputs = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])\n[[0 0]\n [0 1]\n [1 0]\n [1 1]]\n',
    ),
  );
  assert.match(
    r.stdout,
    /error_hidden \(4, 2\) {4}# error_hidden = d_predicted_output\.dot\(output_weights\.T\)\n {4}# output_weights as already updated above/,
  );
  for (const name of [
    'hidden_output (4, 2)',
    'final_input (4, 1)',
    'predicted_output (4, 1)',
    'loss (4, 1)',
    'd_predicted_output (4, 1)',
    'd_hidden (4, 2)',
    'hidden_weights (2, 2)',
    'hidden_bias (1, 2)',
    'output_weights (2, 1)',
    'output_bias (1, 1)',
  ]) {
    assert.ok(r.stdout.includes(`\n${name}`), name);
  }
  assert.match(r.stdout, /^Epoch 3 of a 2-2-1 network on xor/);
  assert.match(r.stdout, /np\.mean\(loss\) = 0\.\d+\nSeed: 1 \(repeat with --seed 1\)\n$/);
});

test('explain takes the training flags: a deeper relu network gets per-layer names; --init-weights starts from a file', () => {
  const doc = explainJson(['--seed', '2', '--hidden', '4,4', '--activation', 'relu', '--epoch', '1']);
  assert.equal(doc.articleNames, false);
  const byKey = new Map(doc.quantities.map((q) => [q.key, q]));
  assert.deepEqual(byKey.get('W2')!.shape, [4, 4]);
  assert.deepEqual(byKey.get('error1')!.shape, [4, 4]);
  assert.equal(byKey.get('a1')!.code, 'a1 = relu(z1)');
  const dir = tempDir();
  const file = join(dir, 'w.json');
  const start = {
    layers: [
      {
        weights: [
          [1, -1],
          [-1, 1],
        ],
        biases: [0.5, -0.5],
      },
      { weights: [[2], [-3]], biases: [0.25] },
    ],
  };
  writeFileSync(file, JSON.stringify(start));
  const fromFile = explainJson(['--init-weights', file]);
  assert.equal(fromFile.seed, null);
  const want = articleLoop(
    {
      hidden_weights: start.layers[0].weights,
      hidden_bias: [start.layers[0].biases],
      output_weights: start.layers[1].weights,
      output_bias: [start.layers[1].biases],
    },
    0,
    0.1,
    'textbook',
  )[0];
  for (const q of fromFile.quantities) assert.ok(relativeDifference(q.rows, want[q.key]) <= 1e-12, q.key);
});

test('explain refuses bad input in one line, exit 2', () => {
  const cases: [string[], RegExp][] = [
    [
      ['--epoch', '100', '--epochs', '100'],
      /--epoch 100 is past the training: with --epochs 100 the epochs are 0 \.\. 99/,
    ],
    [['--epoch', 'x'], /--epoch must be an integer >= 0, got "x"/],
    [['--seed', '-1'], /--seed must be an integer >= 0/],
    [['--init-weights', join(tempDir(), 'missing.json')], /--init-weights/],
    [
      [
        '--seed',
        '2',
        '--lr',
        '1e9',
        '--loss',
        'mse',
        '--output-activation',
        'linear',
        '--activation',
        'relu',
        '--epoch',
        '500',
      ],
      /the training diverged .* before epoch 500/,
    ],
    [['--hidden', '0'], /--hidden/],
  ];
  for (const [args, message] of cases) assert.match(usageErrorLine(runCli(['explain', ...args])), message);
});

test('explain --help says what it shows and how to check a notebook with it', () => {
  const r = runCli(['explain', '--help']);
  assert.equal(r.status, 0);
  for (const text of [
    '--epoch <n>',
    '--json',
    '--update-order',
    '--hidden-std',
    'error_hidden',
    'NumPy',
    'xorlab explain --seed 1 --epoch 0',
  ])
    assert.ok(r.stdout.includes(text), text);
  // The epoch's default is a number, printed as one (commander quotes string defaults: see cli/help.ts).
  assert.match(r.stdout.replace(/\s+/g, ' '), /--epoch <n> [^]*?\(default: 0\)/);
});
