// summarizeStudy on real SQLite files (summary.test.ts: summaryReport from folded rows, no database): the per-point table, the minimum, --compare's points and warnings, the other
// metrics and quartiles, a fitted minimum per category. What `xorlab summary` prints from it is
// test/cli/summary.test.ts's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSqliteStore } from '../../../src/store/index.js';
import { summarizeStudy, summaryCsv, type SummaryOptions } from '../../../src/study/analysis/summary.js';
import { StudyError } from '../../../src/study/definition/types.js';
import { studyDb, twoAxisDb } from './summary-fixtures.js';

const LABELS = ['--compare A', '--compare B'] as const;

/** The summary of `study` in `db`, with the warnings it gave. */
async function summarize(db: string, options: SummaryOptions = {}, study = 'article') {
  const warnings: string[] = [];
  const store = openSqliteStore(db, { readonly: true });
  try {
    const report = await summarizeStudy(store, study, { ...options, onWarning: (line) => warnings.push(line) }, LABELS);
    return { report, warnings };
  } finally {
    await store.close();
  }
}

test('the per-point table, the minimum with its t interval, --compare by grid value', async () => {
  const { report } = await summarize(await studyDb(), { compare: ['1', '0.7071'] });
  assert.equal(report.trials, 13);
  assert.equal(report.points.length, 4);
  const p1 = report.points[1];
  assert.deepEqual(p1.params, { hiddenStd: Math.SQRT1_2 });
  assert.equal(p1.mean, 91.5);
  assert.ok(Math.abs(p1.std! - 10) < 1e-12);
  assert.ok(Math.abs(p1.stderr! - 10 / Math.sqrt(3)) < 1e-12);
  assert.ok(Math.abs(p1.successRate - 2 / 3) < 1e-15);
  assert.equal(p1.meanEpochsToThreshold, 2000);
  const p3 = report.points[3];
  assert.deepEqual([p3.count, p3.lossCount, p3.diverged, p3.mean], [4, 3, 1, 210]);
  // The minimum: point 1, 91.5 +- t(0.975, 2) x 10/sqrt(3) (scipy: 66.6586228824967).
  assert.equal(report.minimum!.point, 1);
  assert.ok(Math.abs(report.minimum!.low! - 66.6586228824967) < 1e-9);
  assert.ok(Math.abs(report.minimum!.high! - (183 - 66.6586228824967)) < 1e-9);
  // "1" is the grid value 1 (point 2), "0.7071" the nearest grid value, 1/sqrt(2) (point 1): B is 8.5% better.
  const c = report.comparison!;
  assert.ok('percent' in c);
  assert.equal(c.a.point, 2);
  assert.equal(c.b.point, 1);
  assert.ok(Math.abs(c.percent + 8.5) < 1e-9);
  // Delta method, t at Welch-Satterthwaite df 3.9688 (scipy t.ppf): [-30.2949, 13.2949].
  assert.ok(Math.abs(c.low + 30.294922352948923) < 1e-6);
  assert.ok(Math.abs(c.high - 13.294922352948923) < 1e-6);
});

test('recompute gives the same numbers from a full scan; points to compare that the study lacks are StudyErrors', async () => {
  const db = await studyDb();
  const kept = (await summarize(db)).report;
  const again = (await summarize(db, { recompute: true })).report;
  assert.deepEqual(
    again.points.map((p) => [p.count, p.mean]),
    kept.points.map((p) => [p.count, p.mean]),
  );
  for (const [compare, pattern] of [
    [['outputStd=1', '2'], /^--compare A: "outputStd" is not swept/],
    [['point=9', '2'], /^--compare A: no point 9/],
    [['abc', '2'], /^--compare A: .*takes numbers/],
  ] as const) {
    await assert.rejects(
      summarize(db, { compare }),
      (error: Error) => error instanceof StudyError && pattern.test(error.message),
      compare.join(' '),
    );
  }
});

test('A and B at the same point are refused; a value outside the grid or far from it is warned about', async () => {
  const db = await studyDb();
  // The grid is 0.5, 0.7071, 1, 2.
  for (const pair of [
    ['1', '1'],
    ['1', 'point=2'],
    ['1000', '2'],
    ['0.98', '1.02'],
  ] as const) {
    await assert.rejects(summarize(db, { compare: pair }), (error: Error) => {
      assert.ok(error instanceof StudyError, String(error));
      assert.match(
        error.message,
        new RegExp(
          `^--compare: A \\(${pair[0]}\\) and B \\(${pair[1]}\\) are the same point, point \\d \\(hiddenStd=\\d+\\); .*choose two different points`,
        ),
      );
      return true;
    });
  }
  assert.deepEqual((await summarize(db, { compare: ['1000', '0.001'] })).warnings, [
    '--compare A: hiddenStd=1000 lies outside the grid of hiddenStd (0.5 to 2); using the nearest point, hiddenStd=2',
    '--compare B: hiddenStd=0.001 lies outside the grid of hiddenStd (0.5 to 2); using the nearest point, hiddenStd=0.5',
  ]);
  const far = (await summarize(db, { compare: ['1.4', '0.5'] })).warnings;
  assert.equal(far.length, 1, far.join('\n'));
  assert.match(
    far[0],
    /^--compare A: hiddenStd=1\.4 is far from every grid value of hiddenStd; using the nearest point, hiddenStd=(1|2)$/,
  );
  // Values on the grid, or within 10% of a grid value, say nothing.
  assert.deepEqual((await summarize(db, { compare: ['1', '0.7'] })).warnings, []);
});

test('a parameter to compare is named by its key or its flag; a typo gets the nearest name', async () => {
  const db = await studyDb();
  const { report } = await summarize(db, { compare: ['hidden-std=1', 'hiddenStd=0.7071'] });
  assert.equal(report.comparison!.a.point, 2);
  await assert.rejects(
    summarize(db, { compare: ['hiddenstd=1', 'point=0'] }),
    /"hiddenstd" is not swept in this study \(did you mean hiddenStd\?\)/,
  );
});

test('metric success, epochsToThreshold and totalLoss quartiles, against hand computations', async () => {
  const db = await studyDb();
  // Point 3: 2 of 4 trials succeeded (one diverged): 50%, Wilson 95% interval [15.0%, 85.0%].
  const success = (await summarize(db, { metric: 'success', compare: ['point=3', 'point=0'] })).report;
  assert.equal(success.metric, 'success');
  const p3 = success.points[3].value;
  assert.deepEqual([p3.n, p3.value], [4, 0.5]);
  assert.ok(
    Math.abs(p3.low! - 0.15003898915214947) < 1e-12 && Math.abs(p3.high! - 0.8499610108478505) < 1e-12,
    JSON.stringify(p3),
  );
  // The highest rate: point 0 (2 of 3), the first of the three points at 2/3.
  assert.equal(success.minimum!.point, 0);
  // Point 0 (2/3) minus point 3 (2/4): +16.7 points, Newcombe's interval from the two Wilson intervals.
  const difference = success.comparison!;
  assert.ok('difference' in difference);
  assert.ok(Math.abs(difference.difference - (2 / 3 - 0.5)) < 1e-12);
  assert.ok(difference.low < 0 && difference.high > 0);

  // epochsToThreshold: 1000, 2000, 3000 at every point (point 3's diverged trial never reached it): mean 2000,
  // std 1000, 3 of 4 reached.
  const ett = (await summarize(db, { metric: 'epochsToThreshold', quantiles: true })).report;
  const e3 = ett.points[3];
  assert.deepEqual([e3.value.n, e3.value.value, e3.value.std, e3.quartiles], [3, 2000, 1000, [1500, 2000, 2500]]);

  // totalLoss quartiles, numpy's interpolation: point 1 holds 81.5, 91.5, 101.5 (the CSV has them last).
  const total = summaryCsv((await summarize(db, { quantiles: true })).report)
    .trimEnd()
    .split('\n');
  assert.match(total[0], /,q25,median,q75$/);
  assert.match(total[2], /,86\.5,91\.5,96\.5$/);
});

test('a categorical x numeric study: a fitted minimum per category beside the lowest grid mean', async () => {
  const { report } = await summarize(await twoAxisDb(), {}, 'two');
  assert.deepEqual(
    report.fitted.map((f) => f.at),
    [{ activation: 'sigmoid' }, { activation: 'tanh' }],
  );
  assert.ok(
    Math.abs(report.fitted[0].x - 0.6) < 0.01 && Math.abs(report.fitted[1].x - 0.2) < 0.01,
    JSON.stringify(report.fitted.map((f) => f.x)),
  );
});
