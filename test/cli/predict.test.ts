import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { train, type TrainingConfigInput } from '../../src/core-entry.js';
import { runCli, tempDir, usageErrorLine } from '../helpers/cli.js';

const stdoutOf = (r: { status: number | null; stdout: string; stderr: string }): string => (
  assert.equal(r.status, 0, r.stderr),
  r.stdout
);

/** A training's --json document and its saved weights, in a fresh directory: trained in process by train() of
 * xorlab/core (lighter to load than the whole library), whose document `train --json` prints (test/index.test.ts,
 * test/core-entry.test.ts), and written as `--json` and `--save-weights` write them (that predict reads what the CLI
 * saved: test/package/clone.test.ts runs the README's `train --save-weights`, then `predict --weights`). */
function trained(config: TrainingConfigInput = {}): { dir: string; weights: string; run: string; doc: any } {
  const dir = tempDir('xorlab-predict-');
  const report = train({ ...config, epochs: 3000 }, { seed: 1 });
  const weights = join(dir, 'w.json');
  writeFileSync(weights, `${JSON.stringify(report.finalParameters, null, 2)}\n`);
  const run = join(dir, 'run.json');
  writeFileSync(run, `${JSON.stringify(report, null, 2)}\n`);
  return { dir, weights, run, doc: JSON.parse(JSON.stringify(report)) };
}

test('predict evaluates saved weights without training: the same predictions and loss as the training ended with', () => {
  const { weights, doc } = trained();
  const r = runCli(['predict', '--weights', weights, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.predictions, doc.metrics.predictions);
  assert.equal(out.loss, doc.metrics.finalLoss);
  assert.equal(out.success, true);
  assert.deepEqual(out.inputs, [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ]);
  assert.deepEqual(out.targets, [[0], [1], [1], [0]]);
  assert.deepEqual(out.config.hidden, [2]);

  const text = runCli(['predict', '--weights', weights]);
  assert.equal(text.status, 0, text.stderr);
  const lines = text.stdout.trimEnd().split('\n');
  assert.deepEqual(lines[0].split(/\s+/), ['input', 'output', 'target']);
  assert.match(lines[1], /^0 0\s+0\.\d{4}\s+0$/);
  assert.match(
    lines[5],
    new RegExp(`^Loss: ${doc.metrics.finalLoss.toFixed(6)} \\(bce, mean over 4 samples\\); learned: yes`),
  );
});

test('predict takes a whole `train --json` document: its configuration gives the activations; flags override it', () => {
  const { run, doc } = trained({ activation: 'tanh', hidden: [3] });
  const r = runCli(['predict', '--weights', run, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.config.activation, 'tanh');
  assert.deepEqual(out.config.hidden, [3]);
  assert.deepEqual(out.predictions, doc.metrics.predictions);
  assert.equal(out.loss, doc.metrics.finalLoss);
  // The same weights read with sigmoid hidden units give other outputs; XNOR's targets are XOR's flipped.
  const sigmoid = JSON.parse(runCli(['predict', '--weights', run, '--json', '--activation', 'sigmoid']).stdout);
  assert.notDeepEqual(sigmoid.predictions, doc.metrics.predictions);
  const xnor = JSON.parse(runCli(['predict', '--weights', run, '--json', '--dataset', 'xnor']).stdout);
  assert.deepEqual(xnor.predictions, doc.metrics.predictions);
  assert.equal(xnor.success, false);
  assert.ok(xnor.loss > out.loss);
  // The text says what was found: every XOR-trained output is on the wrong side of XNOR's targets.
  const xnorText = runCli(['predict', '--weights', run, '--dataset', 'xnor']);
  assert.match(xnorText.stdout, /learned: no \(4 of 4 outputs on the wrong side of 0\.5\)\n$/);
  assert.match(
    stdoutOf(runCli(['predict', '--weights', run])),
    /learned: yes \(every output on the target's side of 0\.5\)\n$/,
  );
});

test('bad input to predict is one line and exit 2, naming the file and what is wrong', () => {
  const { dir, weights } = trained();
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const cases: [string[], RegExp][] = [
    [[], /give --weights <file>/],
    [['--weights', join(dir, 'missing.json')], /--weights: cannot read .*missing\.json \(no such file\)/],
    [['--weights', file('text.json', 'not json')], /--weights: .*text\.json is not valid JSON/],
    [['--weights', file('array.json', '[1, 2]')], /--weights: .*array\.json must hold a JSON object/],
    [['--weights', file('other.json', '{"a": 1}')], /neither a parameter file .* nor a `xorlab train --json` document/],
    [
      ['--weights', file('ragged.json', '{"layers": [{"weights": [[1, 2], [3]], "biases": [0, 0]}]}')],
      /ragged\.json: layer 1: "weights" must be a non-empty inputs x units array/,
    ],
    [
      [
        '--weights',
        file(
          'chain.json',
          '{"layers": [{"weights": [[1, 2], [3, 4]], "biases": [0, 0]}, {"weights": [[1], [2], [3]], "biases": [0]}]}',
        ),
      ],
      /chain\.json: layer 2 takes 3 inputs but layer 1 has 2 units/,
    ],
    [
      ['--weights', file('nan.json', '{"layers": [{"weights": [[1], ["x"]], "biases": [0]}]}')],
      /nan\.json: layer 1 has the wrong shape or non-numeric values/,
    ],
    [
      ['--weights', weights, '--dataset', 'parity3'],
      /w\.json: the network takes 2 input\(s\) per sample, but parity3 has 3$/,
    ],
    [['--weights', weights, '--dataset', 'nope'], /--dataset: unknown dataset "nope"/],
    [['--weights', weights, '--output-activation', 'tanh'], /bce needs a sigmoid output/],
    [['--weights', weights, '--epochs', '0'], /unknown option '--epochs'/],
    [
      ['--weights', file('badconfig.json', '{"config": {"lr": -1}, "finalParameters": {"layers": []}}')],
      /badconfig\.json: config\.lr must be > 0/,
    ],
  ];
  for (const [args, pattern] of cases)
    assert.match(usageErrorLine(runCli(['predict', ...args])), pattern, args.join(' '));
});

test("a two-output network is checked against the dataset's target columns", () => {
  const dir = tempDir('xorlab-predict-');
  const two = join(dir, 'two.json');
  writeFileSync(
    two,
    JSON.stringify({
      layers: [
        {
          weights: [
            [1, -1],
            [1, -1],
          ],
          biases: [0, 0],
        },
      ],
    }),
  );
  assert.match(
    usageErrorLine(runCli(['predict', '--weights', two])),
    /two\.json: the network gives 2 output\(s\) per sample, but xor has 1 target column\(s\)/,
  );
  const table = join(dir, 'two.csv');
  writeFileSync(table, '0,0,0,1\n1,1,1,0\n');
  // A CSV's last column is the target: this table has 3 inputs, so the shape check names them.
  assert.match(
    usageErrorLine(runCli(['predict', '--weights', two, '--dataset', table])),
    /takes 2 input\(s\) per sample, but .*two\.csv has 3/,
  );
});
