// `xorlab summary` as a child process: the JSON it prints is summarizeStudy's (whose numbers
// test/study/analysis/summary.test.ts checks in process), the aligned table and the CSV, the warnings on stderr,
// and the flags that are the command's own (one-line errors, exit 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSqliteStore } from '../../src/store/index.js';
import { summarizeStudy, type SummaryOptions } from '../../src/study/analysis/summary.js';
import { runCli, usageErrorLine } from '../helpers/cli.js';
import { studyDb, twoAxisDb } from '../study/analysis/summary-fixtures.js';

/** summarizeStudy's document as JSON gives it back (what `summary --json` must print). */
async function libraryJson(db: string, options: SummaryOptions = {}): Promise<unknown> {
  const store = openSqliteStore(db, { readonly: true });
  try {
    return JSON.parse(JSON.stringify(await summarizeStudy(store, 'article', options)));
  } finally {
    await store.close();
  }
}

test('summary --json prints summarizeStudy: the per-point table, the minimum, --compare by grid value', async () => {
  const db = await studyDb();
  const r = runCli(['summary', 'article', '--db', db, '--json', '--compare', '1', '0.7071']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.trials, 13);
  assert.equal(report.comparison.a.point, 2);
  assert.equal(report.comparison.b.point, 1);
  assert.deepEqual(report, await libraryJson(db, { compare: ['1', '0.7071'] }));
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

test('summary --recompute is the full scan; bad --compare and --level are one-line errors', async () => {
  const db = await studyDb();
  const again = runCli(['summary', 'article', '--db', db, '--json', '--recompute']);
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(JSON.parse(again.stdout), await libraryJson(db, { recompute: true }));
  // A point the study lacks: summarizeStudy's StudyError (test/study/analysis/summary.test.ts), one line here.
  for (const [args, pattern] of [
    [['--compare', '1'], /--compare takes two points/],
    [['--compare', 'point=9', '2'], /no point 9/],
    [['--level', '2'], /--level must be/],
    [['--csv', '--json'], /cannot be combined/],
  ] as const) {
    const r = runCli(['summary', 'article', '--db', db, ...args]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1);
  }
});

test('--compare: the same point twice is one line, exit 2; a value outside the grid is a warning on stderr', async () => {
  const db = await studyDb();
  // Which pairs are the same point, and which values are warned about: test/study/analysis/summary.test.ts.
  assert.match(
    usageErrorLine(runCli(['summary', 'article', '--db', db, '--compare', '1', 'point=2'])),
    /--compare: A \(1\) and B \(point=2\) are the same point, point 2 \(hiddenStd=1\); .*choose two different points/,
  );
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
  assert.equal(outside.stderr.trimEnd().split('\n').length, 2, outside.stderr);
});

test('summary --metric success and epochsToThreshold as tables, --quantiles as CSV; their bad uses', async () => {
  const db = await studyDb();
  const text = runCli(['summary', 'article', '--db', db, '--metric', 'success']).stdout;
  assert.match(text, /highest grid rate: point 0 \(hiddenStd=0\.5\): 66\.7%, 95% CI \[20\.8%, 93\.9%\], n=3/);
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

test('summary of a categorical x numeric study prints a fitted minimum per category beside the lowest grid mean', async () => {
  const text = runCli(['summary', 'two', '--db', await twoAxisDb()]).stdout;
  assert.match(text, /fitted minimum, activation=tanh: hiddenStd ≈ 0\.2\d*, 95% CI \[0\.1\d*, 0\.2\d*\]/);
  assert.match(text, /lowest grid mean: point \d+ \(activation=\w+, hiddenStd=[\d.]+\): mean totalLoss/);
});
