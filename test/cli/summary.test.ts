import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/index.js';
import type { TrialRow } from '../../src/store/types.js';
import { runCli, tempDir, usageErrorLine } from '../helpers/cli.js';

const STDS = [0.5, Math.SQRT1_2, 1, 2];
const LOSSES = [
  [120, 130, 140],
  [81.5, 91.5, 101.5],
  [90, 100, 110],
  [200, 210, 220],
];

/** 4 points x 3 trials, plus one diverged trial at point 3. */
async function studyDb(): Promise<string> {
  const path = join(tempDir(), 'study.db');
  const store = openSqliteStore(path);
  await store.ensureStudy('article', { sweep: { hiddenStd: STDS }, repeats: 3 });
  const rows: TrialRow[] = LOSSES.flatMap((losses, point) =>
    losses.map((totalLoss, repeat) => ({
      study: 'article',
      point,
      repeat,
      params: { hiddenStd: STDS[point] },
      seed: point * 3 + repeat,
      totalLoss,
      finalLoss: 0.01,
      success: repeat !== 2,
      epochsToThreshold: 1000 * (repeat + 1),
      diverged: false,
      engine: 'fast',
      precision: 'f64',
    })),
  );
  rows.push({
    ...rows[rows.length - 1],
    repeat: 3,
    totalLoss: null,
    finalLoss: null,
    success: false,
    epochsToThreshold: null,
    diverged: true,
  });
  await store.insertTrials(rows);
  await store.close();
  return path;
}

test('summary --async json: the per-point table, the minimum with its t interval, --compare by grid value', async () => {
  const db = await studyDb();
  const r = runCli(['summary', 'article', '--db', db, '--json', '--compare', '1', '0.7071']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.trials, 13);
  assert.equal(report.points.length, 4);
  const p1 = report.points[1];
  assert.deepEqual(p1.params, { hiddenStd: Math.SQRT1_2 });
  assert.equal(p1.mean, 91.5);
  assert.ok(Math.abs(p1.std - 10) < 1e-12);
  assert.ok(Math.abs(p1.stderr - 10 / Math.sqrt(3)) < 1e-12);
  assert.ok(Math.abs(p1.successRate - 2 / 3) < 1e-15);
  assert.equal(p1.meanEpochsToThreshold, 2000);
  const p3 = report.points[3];
  assert.deepEqual([p3.count, p3.lossCount, p3.diverged, p3.mean], [4, 3, 1, 210]);
  // The minimum: point 1, 91.5 +- t(0.975, 2) x 10/sqrt(3) (scipy: 66.6586228824967).
  assert.equal(report.minimum.point, 1);
  assert.ok(Math.abs(report.minimum.low - 66.6586228824967) < 1e-9);
  assert.ok(Math.abs(report.minimum.high - (183 - 66.6586228824967)) < 1e-9);
  // "1" is the grid value 1 (point 2), "0.7071" the nearest grid value, 1/sqrt(2) (point 1): B is 8.5% better.
  const c = report.comparison;
  assert.equal(c.a.point, 2);
  assert.equal(c.b.point, 1);
  assert.ok(Math.abs(c.percent + 8.5) < 1e-9);
  // Delta method, t at Welch-Satterthwaite df 3.9688 (scipy t.ppf): [-30.2949, 13.2949].
  assert.ok(Math.abs(c.low + 30.294922352948923) < 1e-6);
  assert.ok(Math.abs(c.high - 13.294922352948923) < 1e-6);
});

test('summary prints the aligned table, the minimum and the comparison; --csv gives full precision', async () => {
  const db = await studyDb();
  const r = runCli(['summary', 'article', '--db', db, '--compare', 'point=2', 'hiddenStd=0.7']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0], /study article: 4 points, 13 trials/);
  assert.deepEqual(lines[1].trim().split(/\s+/), [
    'point',
    'hiddenStd',
    'mean',
    'std',
    'count',
    'stderr',
    'rse',
    'success',
    'diverged',
  ]);
  assert.deepEqual(lines[3].trim().split(/\s+/), ['1', '0.707107', '91.5', '10', '3', '5.774', '6.31%', '66.7%', '0']);
  assert.deepEqual(lines[5].trim().split(/\s+/).slice(-2), ['50.0%', '1']); // 2 of 4 trials succeeded, 1 diverged
  assert.match(
    r.stdout,
    /lowest grid mean: point 1 \(hiddenStd=0\.707107\): mean totalLoss 91\.5, 95% CI \[66\.6586, 116\.341\], n=3/,
  );
  // Four points are too few for a fitted minimum: none is claimed, and the summary says why.
  assert.doesNotMatch(r.stdout, /^fitted minimum/m);
  assert.match(
    r.stdout,
    /^no fitted minimum along hiddenStd: too few points: 4 with a mean and a standard error \(2 trials or more\), a fit needs 7$/m,
  );
  assert.match(
    r.stdout,
    /B - A: -8\.50% of A, 95% CI \[-30\.29%, \+13\.29%\]: B's mean total loss is 8\.50% lower \(better\)/,
  );

  const csv = runCli(['summary', 'article', '--db', db, '--csv']);
  assert.equal(csv.status, 0, csv.stderr);
  const rows = csv.stdout.trimEnd().split('\n');
  assert.equal(
    rows[0],
    'point,hiddenStd,count,lossCount,mean,excluded,marked,std,stderr,rse,successRate,diverged,meanEpochsToThreshold',
  );
  assert.equal(rows.length, 5);
  assert.equal(rows[2].split(',')[1], String(Math.SQRT1_2));
});

test('summary --recompute gives the same numbers from a full scan; bad --compare and --level are one-line errors', async () => {
  const db = await studyDb();
  const kept = JSON.parse(runCli(['summary', 'article', '--db', db, '--json']).stdout);
  const again = JSON.parse(runCli(['summary', 'article', '--db', db, '--json', '--recompute']).stdout);
  assert.deepEqual(
    again.points.map((p: { count: number; mean: number }) => [p.count, p.mean]),
    kept.points.map((p: { count: number; mean: number }) => [p.count, p.mean]),
  );
  for (const [args, pattern] of [
    [['--compare', '1'], /--compare takes two points/],
    [['--compare', 'outputStd=1', '2'], /"outputStd" is not swept/],
    [['--compare', 'point=9', '2'], /no point 9/],
    [['--compare', 'abc', '2'], /takes numbers/],
    [['--level', '2'], /--level must be/],
    [['--csv', '--json'], /cannot be combined/],
  ] as const) {
    const r = runCli(['summary', 'article', '--db', db, ...args]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1);
  }
});

test('--compare: A and B at the same point are refused; a value outside the grid or far from it is warned about', async () => {
  const db = await studyDb();
  // The grid is 0.5, 0.7071, 1, 2.
  for (const pair of [
    ['1', '1'],
    ['1', 'point=2'],
    ['1000', '2'],
    ['0.98', '1.02'],
  ]) {
    const line = usageErrorLine(runCli(['summary', 'article', '--db', db, '--compare', ...pair]));
    assert.match(
      line,
      new RegExp(
        `--compare: A \\(${pair[0]}\\) and B \\(${pair[1]}\\) are the same point, point \\d \\(hiddenStd=\\d+\\); .*choose two different points`,
      ),
    );
  }
  const outside = runCli(['summary', 'article', '--db', db, '--compare', '1000', '0.001']);
  assert.equal(outside.status, 0, outside.stderr);
  assert.match(
    outside.stderr,
    /^xorlab: warning: --compare A: hiddenStd=1000 lies outside the grid of hiddenStd \(0\.5 to 2\); using the nearest point, hiddenStd=2$/m,
  );
  assert.match(
    outside.stderr,
    /^xorlab: warning: --compare B: hiddenStd=0\.001 lies outside the grid of hiddenStd \(0\.5 to 2\); using the nearest point, hiddenStd=0\.5$/m,
  );
  const far = runCli(['summary', 'article', '--db', db, '--compare', '1.4', '0.5']);
  assert.match(
    far.stderr,
    /warning: --compare A: hiddenStd=1\.4 is far from every grid value of hiddenStd; using the nearest point, hiddenStd=(1|2)$/m,
  );
  // Values on the grid, or within 10% of a grid value, say nothing more.
  const near = runCli(['summary', 'article', '--db', db, '--compare', '1', '0.7']);
  assert.equal(near.status, 0, near.stderr);
  assert.equal(near.stderr, '');
});

test('--compare names a parameter as its key or its flag; a typo gets the nearest name', async () => {
  const db = await studyDb();
  const flag = runCli(['summary', 'article', '--db', db, '--json', '--compare', 'hidden-std=1', 'hiddenStd=0.7071']);
  assert.equal(flag.status, 0, flag.stderr);
  assert.equal(JSON.parse(flag.stdout).comparison.a.point, 2);
  assert.match(
    usageErrorLine(runCli(['summary', 'article', '--db', db, '--compare', 'hiddenstd=1', 'point=0'])),
    /"hiddenstd" is not swept in this study \(did you mean hiddenStd\?\)/,
  );
});

test('summary --metric success, epochsToThreshold and finalLoss, and --quantiles, against hand computations', async () => {
  const db = await studyDb();
  // Point 3: 2 of 4 trials succeeded (one diverged): 50%, Wilson 95% interval [15.0%, 85.0%].
  const success = JSON.parse(
    runCli(['summary', 'article', '--db', db, '--json', '--metric', 'success', '--compare', 'point=3', 'point=0'])
      .stdout,
  );
  assert.equal(success.metric, 'success');
  const p3 = success.points[3].value;
  assert.deepEqual([p3.n, p3.value], [4, 0.5]);
  assert.ok(
    Math.abs(p3.low - 0.15003898915214947) < 1e-12 && Math.abs(p3.high - 0.8499610108478505) < 1e-12,
    JSON.stringify(p3),
  );
  // The highest rate: point 0 (2 of 3), the first of the three points at 2/3.
  assert.equal(success.minimum.point, 0);
  // Point 0 (2/3) minus point 3 (2/4): +16.7 points, Newcombe's interval from the two Wilson intervals.
  assert.ok(Math.abs(success.comparison.difference - (2 / 3 - 0.5)) < 1e-12);
  assert.ok(success.comparison.low < 0 && success.comparison.high > 0);
  const text = runCli(['summary', 'article', '--db', db, '--metric', 'success']).stdout;
  assert.match(text, /highest grid rate: point 0 \(hiddenStd=0\.5\): 66\.7%, 95% CI \[20\.8%, 93\.9%\], n=3/);

  // epochsToThreshold: 1000, 2000, 3000 at every point (point 3's diverged trial never reached it): mean 2000,
  // std 1000, 3 of 4 reached.
  const ett = JSON.parse(
    runCli(['summary', 'article', '--db', db, '--json', '--metric', 'epochsToThreshold', '--quantiles']).stdout,
  );
  const e3 = ett.points[3];
  assert.deepEqual([e3.value.n, e3.value.value, e3.value.std, e3.quartiles], [3, 2000, 1000, [1500, 2000, 2500]]);
  const ettText = runCli(['summary', 'article', '--db', db, '--metric', 'epochsToThreshold']).stdout.split('\n');
  assert.deepEqual(ettText[1].trim().split(/\s+/).slice(2, 5), ['mean', 'std', 'reached']);
  assert.deepEqual(ettText[5].trim().split(/\s+/).slice(2, 6), ['2000', '†', '1000', '3/4']); // 1 of 4 diverged: marked

  // totalLoss quartiles, numpy's interpolation: point 1 holds 81.5, 91.5, 101.5.
  const total = runCli(['summary', 'article', '--db', db, '--quantiles', '--csv']).stdout.trimEnd().split('\n');
  assert.match(total[0], /,q25,median,q75$/);
  assert.match(total[2], /,86\.5,91\.5,96\.5$/);
  const r = runCli(['summary', 'article', '--db', db, '--metric', 'success', '--quantiles']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--quantiles needs a metric with values/);
  const bad = runCli(['summary', 'article', '--db', db, '--metric', 'accuracy']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--metric.*accuracy.*totalLoss, finalLoss, epochsToThreshold, success/);
});

test('summary of a categorical x numeric study: a fitted minimum per category beside the lowest grid mean', async () => {
  const path = join(tempDir(), 'two.db');
  const store = openSqliteStore(path);
  const stds = Array.from({ length: 30 }, (_, i) => Math.exp(-3 + (5 * i) / 29));
  await store.ensureStudy('two', { sweep: { activation: ['sigmoid', 'tanh'], hiddenStd: stds }, repeats: 4 });
  const rows: TrialRow[] = [];
  ['sigmoid', 'tanh'].forEach((activation, a) =>
    stds.forEach((std, i) => {
      // Parabolas in ln std with minima at 0.6 (sigmoid) and 0.2 (tanh); the repeats spread +-10 around them.
      const centre = 1000 + 500 * Math.log(std / (a === 0 ? 0.6 : 0.2)) ** 2;
      for (let r = 0; r < 4; r++) {
        rows.push({
          study: 'two',
          point: a * 30 + i,
          repeat: r,
          params: { activation, hiddenStd: std },
          seed: r,
          totalLoss: centre + [-15, -5, 5, 15][r],
          finalLoss: 0.01,
          success: true,
          epochsToThreshold: 10,
          diverged: false,
          engine: 'fast',
          precision: 'f32',
        });
      }
    }),
  );
  await store.insertTrials(rows);
  await store.close();
  const report = JSON.parse(runCli(['summary', 'two', '--db', path, '--json']).stdout);
  assert.deepEqual(
    report.fitted.map((f: { at: object }) => f.at),
    [{ activation: 'sigmoid' }, { activation: 'tanh' }],
  );
  assert.ok(
    Math.abs(report.fitted[0].x - 0.6) < 0.01 && Math.abs(report.fitted[1].x - 0.2) < 0.01,
    JSON.stringify(report.fitted.map((f: { x: number }) => f.x)),
  );
  const text = runCli(['summary', 'two', '--db', path]).stdout;
  assert.match(text, /fitted minimum, activation=tanh: hiddenStd ≈ 0\.2\d*, 95% CI \[0\.1\d*, 0\.2\d*\]/);
  assert.match(text, /lowest grid mean: point \d+ \(activation=\w+, hiddenStd=[\d.]+\): mean totalLoss/);
});
