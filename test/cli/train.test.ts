import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir, usageErrorLine } from '../helpers/cli.js';

test('xorlab train prints the loss every 500 epochs and the predictions, as the article does', () => {
  const r = runCli(['train', '--seed', '1']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0], /^Epoch 0, Loss: \d\.\d{4}$/);
  assert.match(lines[1], /^Epoch 500, Loss: \d\.\d{4}$/);
  assert.equal(lines.filter((l) => l.startsWith('Epoch ')).length, 20);
  const at = lines.indexOf('Predicted Output:');
  assert.deepEqual(
    lines.slice(at + 1, at + 5).map((l) => l.replace(/\d\.\d{3}/, 'p')),
    ['[[p]', ' [p]', ' [p]', ' [p]]'],
  );
  assert.match(r.stdout, /learned: yes/);
  assert.match(r.stdout, /--seed 1/);
});

test('--json gives config, seed, parameters, trace and metrics at full precision; a seed repeats exactly', () => {
  const args = [
    'train',
    '--seed',
    '7',
    '--json',
    '--epochs',
    '2000',
    '--hidden-std',
    '0.7071',
    '--output-std',
    '0.8165',
    '--update-order',
    'seed',
  ];
  const a = JSON.parse(runCli(args).stdout);
  assert.deepEqual(Object.keys(a).sort(), [
    'config',
    'finalParameters',
    'initialParameters',
    'metrics',
    'seed',
    'trace',
  ]);
  assert.equal(a.seed, 7);
  assert.equal(a.config.updateOrder, 'seed');
  assert.equal(a.config.hiddenStd, 0.7071);
  assert.equal(a.initialParameters.layers[0].weights.length, 2);
  assert.equal(a.initialParameters.layers[1].weights[0].length, 1);
  assert.deepEqual(Object.keys(a.metrics).sort(), [
    'diverged',
    'epochsToThreshold',
    'finalLoss',
    'predictions',
    'success',
    'totalLoss',
  ]);
  assert.equal(a.trace[0].epoch, 0);
  assert.equal(a.trace[1].epoch, 500);
  // That a seed repeats exactly is checked in process in test/index.test.ts: this very command prints the library's
  // train() document, and train() with the same seed gives the same document.
});

test('--save-weights writes the final parameters, which --init-weights continues from', () => {
  const dir = tempDir();
  const saved = join(dir, 'w.json');
  const first = runCli(['train', '--seed', '3', '--epochs', '300', '--save-weights', saved, '--json']);
  assert.equal(first.status, 0, first.stderr);
  const file = JSON.parse(readFileSync(saved, 'utf8'));
  assert.deepEqual(file, JSON.parse(first.stdout).finalParameters);
  // `train --init-weights <those parameters> --epochs 5 --json` (initialParameters the file's, seed null, init
  // 'file', the library's continuation) and `train --dataset <a CSV truth table>` learning OR are checked in
  // test/index.test.ts, each with one CLI call beside the library's document.
});

const badInputs: [string, string[], RegExp][] = [
  ['negative std', ['--hidden-std', '-1'], /--hidden-std must be >= 0/],
  ['non-numeric std', ['--output-std', 'wide'], /--output-std must be a number, got "wide"/],
  ['zero epochs', ['--epochs', '0'], /--epochs must be >= 1/],
  ['fractional epochs', ['--epochs', '2.5'], /--epochs must be an integer/],
  ['zero learning rate', ['--lr', '0'], /--lr must be > 0/],
  ['negative learning rate', ['--lr', '-0.1'], /--lr must be > 0/],
  [
    'unknown activation',
    ['--activation', 'swish'],
    /--activation.*Allowed choices are sigmoid, tanh, relu, leaky-relu, elu, linear/,
  ],
  ['unknown loss', ['--loss', 'hinge'], /--loss.*Allowed choices are bce, mse/],
  ['unknown dataset', ['--dataset', 'xorr'], /--dataset: unknown dataset "xorr"; allowed: xor, and/],
  ['unknown option', ['--hiden-std', '1'], /unknown option '--hiden-std'/],
  ['bce with a tanh output', ['--output-activation', 'tanh'], /bce needs a sigmoid output/],
  [
    'missing weights file',
    ['--init-weights', '/nonexistent/w.json'],
    /--init-weights: cannot read \/nonexistent\/w.json \(no such file\)/,
  ],
  ['--init file without a file', ['--init', 'file'], /--init file needs --init-weights/],
  ['bad seed', ['--seed', '-4'], /--seed must be an integer >= 0/],
];

for (const [name, args, pattern] of badInputs) {
  test(`bad input is one line and exit 2: ${name}`, () => {
    assert.match(usageErrorLine(runCli(['train', ...args])), pattern);
  });
}

test('bad input files: not JSON, wrong shape, unreadable, unwritable output', () => {
  const dir = tempDir();
  const notJson = join(dir, 'a.json');
  writeFileSync(notJson, 'weights: 1');
  assert.match(usageErrorLine(runCli(['train', '--init-weights', notJson])), /is not valid JSON/);
  const wrongShape = join(dir, 'b.json');
  writeFileSync(
    wrongShape,
    JSON.stringify({
      layers: [
        { weights: [[1, 2, 3]], biases: [0] },
        { weights: [[1]], biases: [0] },
      ],
    }),
  );
  assert.match(
    usageErrorLine(runCli(['train', '--init-weights', wrongShape])),
    /layer 1 has the wrong shape.*2x2, 2x1/,
  );
  // A CSV cell that is not a number: test/cli/bad-input.test.ts ('a CSV dataset: ...', line and column named).
  if (process.getuid?.() !== 0) {
    const locked = join(dir, 'locked.json');
    writeFileSync(locked, '{}');
    chmodSync(locked, 0o000);
    assert.match(usageErrorLine(runCli(['train', '--init-weights', locked])), /permission denied/);
  }
  assert.match(
    usageErrorLine(runCli(['train', '--epochs', '5', '--save-weights', join(dir, 'missing-dir', 'w.json')])),
    /--save-weights: cannot write .*no such file/,
  );
});

test('--help lists the flags', () => {
  const r = runCli(['train', '--help']);
  assert.equal(r.status, 0);
  for (const flag of [
    '--dataset',
    '--hidden',
    '--activation',
    '--output-activation',
    '--loss',
    '--optimizer',
    '--schedule',
    '--lr',
    '--epochs',
    '--init',
    '--hidden-std',
    '--output-std',
    '--update-order',
    '--seed',
    '--init-weights',
    '--save-weights',
    '--json',
  ]) {
    assert.ok(r.stdout.includes(flag), flag);
  }
});
