import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/index.js';
import { runCli, tempDir, usageErrorLine } from '../helpers/cli.js';

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A real SQLite study with 5 points on an exp grid, 3 trials each. */
async function storeWithStudy(dir: string): Promise<string> {
  const db = join(dir, 'study.db');
  const store = openSqliteStore(db);
  const xs = [-3, -1.25, 0.5, 2.25, 4].map(Math.exp);
  await store.ensureStudy('tiny', { name: 'tiny', sweep: { hiddenStd: 'exp:-3:4:5' }, repeats: 3, seed: 1 });
  await store.insertTrials(
    xs.flatMap((x, point) =>
      [0, 1, 2].map((repeat) => ({
        study: 'tiny',
        point,
        repeat,
        params: { hiddenStd: x },
        seed: point * 10 + repeat,
        totalLoss: 1000 + 200 * Math.log(x) ** 2 + repeat * 10,
        finalLoss: 0.01,
        success: repeat < 2,
        epochsToThreshold: 100,
        diverged: false,
        engine: 'reference' as const,
        precision: 'f64' as const,
      })),
    ),
  );
  await store.close();
  return db;
}

test('plot curve draws a stored study to PNG; --spec prints the Vega-Lite spec with its error bars and rules', async () => {
  const dir = tempDir();
  const db = await storeWithStudy(dir);
  const out = join(dir, 'curve.png');
  const r = runCli(['plot', 'curve', 'tiny', '--db', db, '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual([...readFileSync(out).subarray(0, 8)], PNG);
  const s = runCli(['plot', 'curve', 'tiny', '--db', db, '--spec']);
  assert.equal(s.status, 0, s.stderr);
  const spec = JSON.parse(s.stdout);
  assert.equal(spec.data.values.length, 5);
  assert.equal(spec.data.values[0].count, 3);
  const text = JSON.stringify(spec);
  assert.match(text, /"errorbar"/);
  assert.match(text, /xavier_rule/);
  assert.match(text, /minimum_rule/);
  assert.match(text, /"type":"log"/);
  // Five points an e^1.75 step apart are too few to fit a minimum: the rule is at the lowest mean (x = e^0.5, the
  // point summary calls the lowest grid mean), and its label says so.
  const rule = spec.vconcat[0].layer.find((l: { name?: string }) => l.name === 'minimum_rule');
  assert.equal(rule.encoding.x.datum, Math.exp(0.5));
  assert.match(text, /lowest grid mean at 1\.65/);
  const summary = runCli(['summary', 'tiny', '--db', db, '--json']);
  assert.equal(JSON.parse(summary.stdout).minimum.params.hiddenStd, Math.exp(0.5));
  // A one-parameter study has no heatmap; an unknown study is one line.
  assert.match(
    usageErrorLine(runCli(['plot', 'heatmap', 'tiny', '--db', db, '--out', join(dir, 'h.svg')])),
    /two parameters/,
  );
  assert.match(
    usageErrorLine(runCli(['plot', 'curve', 'nope', '--db', db, '--out', join(dir, 'c.svg')])),
    /no study named "nope"/,
  );
});

test('plot heatmap draws a stored two-parameter study', async () => {
  const dir = tempDir();
  const db = join(dir, 'land.db');
  const store = openSqliteStore(db);
  await store.ensureStudy('land', { name: 'land', sweep: { hiddenStd: '0.5,1,2', lr: '0.1,1' }, repeats: 2, seed: 1 });
  const rows = [];
  let point = 0;
  for (const hiddenStd of [0.5, 1, 2]) {
    for (const lr of [0.1, 1]) {
      for (const repeat of [0, 1]) {
        rows.push({
          study: 'land',
          point,
          repeat,
          params: { hiddenStd, lr },
          seed: point * 2 + repeat,
          totalLoss: 100 * hiddenStd + 10 * lr + repeat,
          finalLoss: 0.1,
          success: true,
          epochsToThreshold: 5,
          diverged: false,
          engine: 'reference' as const,
          precision: 'f64' as const,
        });
      }
      point++;
    }
  }
  await store.insertTrials(rows);
  await store.close();
  const out = join(dir, 'land.svg');
  const r = runCli(['plot', 'heatmap', 'land', '--db', db, '--out', out, '--spec']);
  assert.equal(r.status, 0, r.stderr);
  const spec = JSON.parse(r.stdout);
  assert.equal(spec.data.values.length, 6);
  assert.equal(spec.layer[0].mark.type, 'rect');
  assert.match(readFileSync(out, 'utf8'), /^<svg[\s\S]*Learning rate \(lr\)/);
  // Two numeric axes: the curve asks which one to draw (and how to hold the other), or points to the heatmap.
  assert.match(
    usageErrorLine(runCli(['plot', 'curve', 'land', '--db', db, '--spec'])),
    /sweeps hiddenStd and lr: choose the x-axis with --param.*--at lr=<value>.*--facet lr.*heatmap/,
  );
});

test('plot weights trains on the fly; boundary replays a `train --json` file; loss draws several trainings', () => {
  const dir = tempDir();
  const weights = join(dir, 'w.svg');
  const r = runCli([
    'plot',
    'weights',
    '--hidden-std',
    '10',
    '--epochs',
    '400',
    '--record-every',
    '20',
    '--out',
    weights,
  ]);
  assert.equal(r.status, 0, r.stderr);
  const svg = readFileSync(weights, 'utf8');
  assert.match(svg, /^<svg/);
  assert.match(svg, /L1\.w\[0\]\[1\]/);
  assert.match(svg, /hidden std 10/);

  const saved = join(dir, 'run.json');
  const t = runCli(['train', '--seed', '4', '--epochs', '500', '--json']);
  assert.equal(t.status, 0, t.stderr);
  writeFileSync(saved, t.stdout);
  const b = runCli(['plot', 'boundary', '--from', saved, '--spec'], { maxBuffer: 64 << 20 });
  assert.equal(b.status, 0, b.stderr);
  const spec = JSON.parse(b.stdout);
  assert.match(JSON.stringify(spec.title), /seed 4/);
  assert.equal(spec.layer[0].data.values.length, 3600);

  const l = runCli(['plot', 'loss', '--vary', 'hiddenStd=0.05,10', '--epochs', '200', '--spec']);
  assert.equal(l.status, 0, l.stderr);
  const runs = new Set(JSON.parse(l.stdout).data.values.map((v: { run: string }) => v.run));
  assert.deepEqual([...runs], ['hiddenStd 0.05', 'hiddenStd 10']);
});

test('plot: bad input is one line, exit 2', () => {
  const dir = tempDir();
  assert.match(usageErrorLine(runCli(['plot', 'weights', '--epochs', '10'])), /--out/);
  assert.match(usageErrorLine(runCli(['plot', 'weights', '--out', join(dir, 'w.pdf')])), /\.svg or \.png/);
  assert.match(
    usageErrorLine(runCli(['plot', 'weights', '--epochs', '10', '--out', join(dir, 'missing', 'w.png')])),
    /cannot write/,
  );
  assert.match(usageErrorLine(runCli(['plot', 'loss', '--vary', 'activation=relu', '--spec'])), /--vary/);
  assert.match(
    usageErrorLine(runCli(['plot', 'boundary', '--dataset', 'parity3', '--hidden', '3', '--epochs', '10', '--spec'])),
    /2 inputs/,
  );
  writeFileSync(join(dir, 'bad.json'), '{"config": {}}');
  assert.match(usageErrorLine(runCli(['plot', 'weights', '--from', join(dir, 'bad.json'), '--spec'])), /train --json/);
});

test('plot weights and train --plot-weights of a network that diverges at epoch 0: one line, exit 2, no file', () => {
  const dir = tempDir();
  const out = join(dir, 'w.svg');
  const diverges = ['--seed', '1', '--hidden-std', '1e308', '--output-std', '1e308', '--epochs', '50'];
  const expected = /^xorlab: the training diverged at epoch 0; nothing to draw — try a smaller std or learning rate$/;
  assert.match(usageErrorLine(runCli(['plot', 'weights', ...diverges, '--out', out])), expected);
  assert.match(usageErrorLine(runCli(['train', ...diverges, '--plot-weights', out])), expected);
  assert.equal(existsSync(out), false);
});

test('xorlab train --plot-weights draws the trajectories of that training; bad file names are one line', () => {
  const dir = tempDir();
  const out = join(dir, 'w.png');
  const r = runCli([
    'train',
    '--seed',
    '2',
    '--epochs',
    '300',
    '--hidden-std',
    '0.05',
    '--plot-weights',
    out,
    '--record-every',
    '5',
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Predicted Output:/);
  assert.deepEqual([...readFileSync(out).subarray(0, 8)], PNG);
  assert.match(
    usageErrorLine(runCli(['train', '--epochs', '10', '--plot-weights', join(dir, 'w.gif')])),
    /\.svg or \.png/,
  );
  assert.match(usageErrorLine(runCli(['train', '--epochs', '10', '--record-every', '5'])), /--plot-weights/);
});

test('plot loss says which seed it used: given or random, it is printed and in the subtitle', () => {
  const given = runCli(['plot', 'loss', '--epochs', '50', '--seed', '7', '--spec']);
  assert.equal(given.status, 0, given.stderr);
  assert.match(JSON.stringify(JSON.parse(given.stdout).title.subtitle), /seed 7/);
  assert.equal(given.stderr, '');
  const drawn = runCli(['plot', 'loss', '--vary', 'hidden-std=0.5,2', '--epochs', '50', '--spec']);
  assert.equal(drawn.status, 0, drawn.stderr);
  const seed = /^seed: (\d+) \(draw this figure again with --seed \1\)$/m.exec(drawn.stderr)?.[1];
  assert.ok(seed, drawn.stderr);
  const spec = JSON.parse(drawn.stdout);
  assert.match(JSON.stringify(spec.title.subtitle), new RegExp(`seed ${seed} \\(hiddenStd varies\\)`));
  // The printed seed draws the same figure.
  const again = runCli(['plot', 'loss', '--vary', 'hiddenStd=0.5,2', '--epochs', '50', '--seed', seed, '--spec']);
  assert.deepEqual(JSON.parse(again.stdout).data, spec.data);
  assert.match(
    usageErrorLine(runCli(['plot', 'loss', '--vary', 'hiden-std=1,2', '--spec'])),
    /--vary .*\(did you mean hiddenStd\?\)/,
  );
});

test('a study whose every trial diverged: plot curve and heatmap say so in one line instead of an empty chart', async () => {
  const dir = tempDir();
  const db = join(dir, 'nan.db');
  const store = openSqliteStore(db);
  await store.ensureStudy('nan', { name: 'nan', sweep: { lr: '1e300,1e301' }, repeats: 2, seed: 1 });
  await store.ensureStudy('nan2', {
    name: 'nan2',
    sweep: { lr: '1e300,1e301', hiddenStd: '1,2' },
    repeats: 1,
    seed: 1,
  });
  const diverged = {
    finalLoss: null,
    totalLoss: null,
    success: false,
    epochsToThreshold: null,
    diverged: true,
    engine: 'fast' as const,
    precision: 'f32' as const,
  };
  await store.insertTrials(
    [0, 1].flatMap((point) =>
      [0, 1].map((repeat) => ({
        study: 'nan',
        point,
        repeat,
        params: { lr: point ? 1e301 : 1e300 },
        seed: repeat,
        ...diverged,
      })),
    ),
  );
  await store.insertTrials(
    [0, 1, 2, 3].map((point) => ({
      study: 'nan2',
      point,
      repeat: 0,
      params: { lr: point < 2 ? 1e300 : 1e301, hiddenStd: point % 2 ? 2 : 1 },
      seed: point,
      ...diverged,
    })),
  );
  await store.close();
  const out = join(dir, 'c.svg');
  assert.match(
    usageErrorLine(runCli(['plot', 'curve', 'nan', '--db', db, '--out', out])),
    /every trial of study nan diverged \(4 trials at 2 points\): there is no total loss to draw/,
  );
  assert.match(
    usageErrorLine(runCli(['plot', 'heatmap', 'nan2', '--db', db, '--out', out])),
    /every trial of study nan2 diverged \(4 trials at 4 points\)/,
  );
  assert.equal(existsSync(out), false);
});

test('plot curve --param takes the key or the flag spelling; a typo gets the nearest swept name', async () => {
  const dir = tempDir();
  const db = await storeWithStudy(dir);
  const r = runCli(['plot', 'curve', 'tiny', '--db', db, '--param', 'hidden-std', '--spec']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    usageErrorLine(runCli(['plot', 'curve', 'tiny', '--db', db, '--param', 'hiddenstd', '--spec'])),
    /does not sweep "hiddenstd" \(did you mean hiddenStd\?\); it sweeps hiddenStd/,
  );
});

test('plot --from: keys a `train --json` file does not have are refused by name', () => {
  const dir = tempDir();
  const t = runCli(['train', '--seed', '4', '--epochs', '50', '--json']);
  const doc = JSON.parse(t.stdout) as Record<string, unknown>;
  const file = join(dir, 'run.json');
  writeFileSync(file, JSON.stringify({ ...doc, extra: 1 }));
  assert.match(
    usageErrorLine(runCli(['plot', 'boundary', '--from', file, '--spec'])),
    /unknown key "extra"; allowed: config, seed/,
  );
  writeFileSync(file, JSON.stringify({ ...doc, config: { ...(doc.config as object), learningRate: 2 } }));
  assert.match(usageErrorLine(runCli(['plot', 'boundary', '--from', file, '--spec'])), /unknown key "learningRate"/);
});

test('plot curve of a stored activation x hiddenStd study: one line per activation; --at and --facet from the command line', async () => {
  const dir = tempDir();
  const db = join(dir, 'act.db');
  const store = openSqliteStore(db);
  const stds = [0.1, 0.3, 1, 3];
  await store.ensureStudy('act', {
    name: 'act',
    sweep: { activation: ['sigmoid', 'tanh'], hiddenStd: stds, lr: [0.1, 1] },
    repeats: 2,
    seed: 1,
  });
  const rows = [];
  for (let point = 0; point < 16; point++) {
    const params = {
      activation: point < 8 ? 'sigmoid' : 'tanh',
      hiddenStd: stds[Math.floor(point / 2) % 4],
      lr: [0.1, 1][point % 2],
    };
    for (const repeat of [0, 1]) {
      rows.push({
        study: 'act',
        point,
        repeat,
        params,
        seed: point * 2 + repeat,
        totalLoss: 1000 + 100 * point + repeat,
        finalLoss: 0.1,
        success: repeat === 0,
        epochsToThreshold: 5,
        diverged: false,
        engine: 'fast' as const,
        precision: 'f32' as const,
      });
    }
  }
  await store.insertTrials(rows);
  await store.close();
  const r = runCli(['plot', 'curve', 'act', '--db', db, '--at', 'lr=1', '--spec']);
  assert.equal(r.status, 0, r.stderr);
  const spec = JSON.parse(r.stdout);
  const points = spec.data.values.filter((v: { kind: string }) => v.kind === 'point');
  assert.deepEqual([...new Set(points.map((p: { series: string }) => p.series))], ['sigmoid', 'tanh']);
  assert.equal(points.length, 8);
  const faceted = runCli([
    'plot',
    'curve',
    'act',
    '--db',
    db,
    '--facet',
    'lr',
    '--metric',
    'success',
    '--out',
    join(dir, 'f.png'),
  ]);
  assert.equal(faceted.status, 0, faceted.stderr);
  assert.deepEqual([...readFileSync(join(dir, 'f.png')).subarray(0, 8)], PNG);
  assert.match(
    usageErrorLine(runCli(['plot', 'curve', 'act', '--db', db, '--spec'])),
    /sweeps hiddenStd and lr: choose the x-axis with --param/,
  );
  assert.match(
    usageErrorLine(runCli(['plot', 'curve', 'act', '--db', db, '--param', 'hiddenStd', '--spec'])),
    /also sweeps lr: hold it at one value \(--at lr=<value>\)/,
  );
  assert.match(
    usageErrorLine(runCli(['plot', 'curve', 'act', '--db', db, '--at', 'lr', '--spec'])),
    /--at must look like name=value/,
  );
  assert.match(
    usageErrorLine(runCli(['plot', 'curve', 'act', '--db', db, '--at', 'momentum=1', '--spec'])),
    /momentum is not one of the study's swept parameters \(activation, hiddenStd, lr\)/,
  );
  assert.match(
    usageErrorLine(runCli(['plot', 'curve', 'act', '--db', db, '--at', 'lr=1', '--metric', 'speed', '--spec'])),
    /--metric/,
  );
});
