// Bad input that used to get through, hang or crash (issue 13): each is now one line, exit 2, nothing stored, through
// the real CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset } from '../../src/cli/files.js';
import { runCli, tempDir, usageErrorLine } from '../helpers/cli.js';

test('train --hidden with an empty value is refused (it trained a network without a hidden layer)', () => {
  for (const value of ['', ' ']) {
    assert.match(
      usageErrorLine(runCli(['train', '--hidden', value, '--epochs', '10', '--seed', '1'])),
      /--hidden needs a comma-separated list of integers from 1 to 1024 \(e\.g\. 2 or 4,4\), got an empty value/,
    );
  }
  const db = join(tempDir(), 'h.db');
  usageErrorLine(runCli(['sweep', '--name', 'h', '--hidden', '', '--sweep', 'hiddenStd=1', '--db', db]));
  assert.ok(!existsSync(db));
});

test('a study file with a prototype key is refused by name, wherever the key is; nothing is stored', () => {
  const dir = tempDir();
  const db = join(dir, 'p.db');
  const cases: [string, RegExp][] = [
    ['{"name": "p", "sweep": {"__proto__": "0.5"}, "repeats": 1}', /the key "__proto__" \(in sweep\) is not allowed/],
    ['{"name": "p", "config": {"__proto__": {"lr": 5}}}', /the key "__proto__" \(in config\) is not allowed/],
    ['{"name": "p", "constructor": 1}', /the key "constructor" is not allowed/],
    ['{"name": "p", "sweep": {"hiddenStd": "1", "prototype": "2"}}', /the key "prototype" \(in sweep\) is not allowed/],
  ];
  for (const [text, message] of cases) {
    const file = join(dir, 'study.json');
    writeFileSync(file, text);
    assert.match(usageErrorLine(runCli(['sweep', '--study-file', file, '--epochs', '10', '--db', db])), message);
  }
  assert.ok(!existsSync(db), 'a database was created');
});

test('unknown keys in a study file are refused by name with the nearest known one', () => {
  const dir = tempDir();
  const file = join(dir, 'study.json');
  writeFileSync(file, '{"name": "u", "config": {"hidenStd": 2}}');
  assert.match(
    usageErrorLine(runCli(['sweep', '--study-file', file, '--db', join(dir, 'u.db')])),
    /unknown key "hidenStd" in config \(did you mean hiddenStd\?\)/,
  );
  writeFileSync(file, '{"name": "u", "sweeps": {"hiddenStd": "1,2"}}');
  assert.match(
    usageErrorLine(runCli(['sweep', '--study-file', file, '--db', join(dir, 'u.db')])),
    /unknown key "sweeps" \(did you mean sweep\?\)/,
  );
  writeFileSync(file, '{"name": "u", "sweep": {"hidden-std": "1,2"}}');
  assert.match(
    usageErrorLine(runCli(['sweep', '--study-file', file, '--db', join(dir, 'u.db')])),
    /cannot sweep "hidden-std" \(did you mean hiddenStd\?\)/,
  );
  assert.ok(!existsSync(join(dir, 'u.db')));
});

test('JSON datasets and parameter files: prototype and unknown keys are refused by name', () => {
  const dir = tempDir();
  const dataset = join(dir, 'd.json');
  writeFileSync(
    dataset,
    '{"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [0, 1, 1, 0], "__proto__": {"inputs": []}}',
  );
  assert.match(
    usageErrorLine(runCli(['train', '--dataset', dataset, '--epochs', '5', '--seed', '1'])),
    /d\.json: the key "__proto__" is not allowed/,
  );
  writeFileSync(
    dataset,
    '{"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [0, 1, 1, 0], "target": [1, 1, 1, 1]}',
  );
  assert.match(
    usageErrorLine(runCli(['train', '--dataset', dataset, '--epochs', '5', '--seed', '1'])),
    /unknown key "target"; allowed: inputs, targets/,
  );

  const layer = '{"weights": [[1, 2], [3, 4]], "biases": [0, 0]}';
  const out = '{"weights": [[1], [2]], "biases": [0]}';
  const weights = join(dir, 'bad-weights.json');
  for (const [text, message] of [
    [`{"layers": [${layer}, ${out}], "__proto__": {}}`, /the key "__proto__" is not allowed/],
    [`{"layers": [${layer}, ${out}], "note": "x"}`, /unknown key "note"; allowed: layers/],
    [
      `{"layers": [{"weights": [[1, 2], [3, 4]], "biases": [0, 0], "bias": [1, 1]}, ${out}]}`,
      /unknown key "bias" \(in layers\[0\]\); allowed: weights, biases/,
    ],
  ] as const) {
    writeFileSync(weights, text);
    assert.match(usageErrorLine(runCli(['train', '--init-weights', weights, '--epochs', '5'])), message);
  }
});

test('a CSV dataset: a first row of numbers is data, even out of range; bad cells are named by line and column', () => {
  const dir = tempDir();
  const csv = join(dir, 'd.csv');
  const train = () => runCli(['train', '--dataset', csv, '--epochs', '5', '--seed', '1']);
  // 1e400 is not a representable number: the row used to be taken as a header and training ran on 3 rows.
  writeFileSync(csv, '1e400,0,0\n0,1,1\n1,0,1\n1,1,0\n');
  assert.match(usageErrorLine(train()), /d\.csv: line 1, column 1: 1e400 is out of range/);
  writeFileSync(csv, '# a comment\na,b,y\n0,0,0\n0,1,1\n1,0,oops\n1,1,0\n');
  assert.match(usageErrorLine(train()), /line 5, column 3: "oops" is not a number/);
  writeFileSync(csv, 'a,b,y\n0,0,0\n0,1,2\n');
  assert.match(usageErrorLine(train()), /line 3, column 3: the target 2 is outside \[0, 1\]/);
  writeFileSync(csv, '0,0,0\n0,,1\n');
  assert.match(usageErrorLine(train()), /line 2, column 2: the cell is empty/);
  // A header (not numbers) is still recognised, and a table of numbers is data on every row: read in process by
  // the loader `train --dataset` uses (that `train --dataset <csv> --json` trains on it: test/index.test.ts).
  writeFileSync(csv, 'x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n');
  assert.equal(loadDataset(csv).size, 4);
  writeFileSync(csv, '0,0,0\n0,1,1\n1,0,1\n1,1,0\n');
  assert.deepEqual([...loadDataset(csv).inputs], [0, 0, 0, 1, 1, 0, 1, 1]);
});

test('what is recorded and printed is bounded: one line naming the limit, before any training', () => {
  const started = performance.now();
  assert.match(
    usageErrorLine(
      runCli([
        'plot',
        'weights',
        '--epochs',
        '100000000',
        '--record-every',
        '1',
        '--seed',
        '1',
        '--out',
        join(tempDir(), 'w.svg'),
      ]),
    ),
    /--record-every 1 over 100,000,000 epochs gives 900,000,018 points on the chart \(100,000,002 records x 9\); at most 200,000 are allowed; use --record-every 4,501 or more/,
  );
  assert.match(
    usageErrorLine(runCli(['train', '--epochs', '100000000', '--log-every', '1', '--seed', '1'])),
    /--log-every 1 over 100,000,000 epochs gives 100,000,002 losses to print; at most 1,000,000 are allowed; use --log-every 101 or more/,
  );
  const wide = Array.from({ length: 16 }, () => '1024').join(',');
  assert.match(
    usageErrorLine(runCli(['train', '--epochs', '1', '--hidden', wide, '--json', '--seed', '1'])),
    /--json writes 2 x 15,748,097 parameters; at most 2,000,000 numbers/,
  );
  assert.match(
    usageErrorLine(
      runCli(['train', '--epochs', '1', '--hidden', wide, '--save-weights', join(tempDir(), 'w.json'), '--seed', '1']),
    ),
    /--save-weights writes 15,748,097 parameters/,
  );
  assert.match(
    usageErrorLine(
      runCli([
        'plot',
        'loss',
        '--vary',
        'hiddenStd=1,2',
        '--seed',
        '1,2',
        '--epochs',
        '100000',
        '--record-every',
        '1',
        '--spec',
      ]),
    ),
    /--record-every 1 over 100,000 epochs gives 400,008 points on the chart \(100,002 records x 4\)/,
  );
  // Refused before training: 100 million epochs would take minutes.
  assert.ok(performance.now() - started < 60_000);
  // Within the bounds, the same commands run.
  const ok = runCli([
    'plot',
    'weights',
    '--epochs',
    '1000',
    '--record-every',
    '1',
    '--seed',
    '1',
    '--out',
    join(tempDir(), 'w.svg'),
  ]);
  assert.equal(ok.status, 0, ok.stderr);
});
