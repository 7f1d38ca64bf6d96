import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { writeReport } from '../../src/article/write-report.js';
import { coveredData, labelItems, sceneItems } from '../helpers/scene.js';
import { TINY_NEXT } from '../helpers/scales.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinDataset } from '../../src/core/index.js';
import { openSqliteStore } from '../../src/store/sqlite/open.js';
import type { PointSummary } from '../../src/store/types.js';
import { curveMinimum, fitMinimum, fitQuadratic } from '../../src/study/analysis/minimum.js';
import { minimumPoint } from '../../src/study/analysis/stats.js';
import { articleClaims, improvement, reportMarkdown, summaryCsv } from '../../src/article/report.js';
import { metricPoint } from '../../src/study/analysis/metrics.js';
import { SCALES, runReproduction, type Scale } from '../../src/article/reproduce.js';
import { runPlan } from '../../src/study/run/run-plan.js';

test('fitQuadratic recovers an exact parabola; fitMinimum finds its vertex with an interval around it', () => {
  const u = [-1, -0.5, 0, 0.5, 1];
  const coef = fitQuadratic(
    u,
    u.map((x) => 3 - 2 * x + 4 * x * x),
    [1, 1, 1, 1, 1],
  )!;
  coef.forEach((c, i) => assert.ok(Math.abs(c - [3, -2, 4][i]) < 1e-9));
  // Mean total loss ~ 1300 + 900 (ln(x / 0.6))^2 on an exp grid, with stderr 20.
  const points = Array.from({ length: 40 }, (_, i) => {
    const x = Math.exp(-3 + (7 * i) / 39);
    return { x, mean: 1300 + 900 * Math.log(x / 0.6) ** 2, stderr: 20 };
  });
  const fit = fitMinimum(points)!;
  assert.ok(Math.abs(fit.x - 0.6) < 1e-6, `vertex ${fit.x}`);
  assert.ok(fit.low < 0.6 && fit.high > 0.6 && fit.high / fit.low < 1.5, `[${fit.low}, ${fit.high}]`);
  // A monotone curve has no interior minimum.
  assert.equal(fitMinimum(points.map((p) => ({ ...p, mean: 1000 / p.x }))), null);
});

test('one minimum rule: the fitted minimum where the fit finds one, else the lowest mean that summary reports', () => {
  const parabola = Array.from({ length: 40 }, (_, i) => {
    const x = Math.exp(-3 + (7 * i) / 39);
    return { x, mean: 1300 + 900 * Math.log(x / 0.6) ** 2, stderr: 20 };
  });
  const fitted = curveMinimum(parabola)!;
  assert.equal(fitted.x, fitMinimum(parabola)!.x);
  assert.match(fitted.label, /^fitted minimum ≈ 0\.6 \[/);
  // Falling to the grid's edge: no interior fit, so the lowest mean, named as such.
  const falling = parabola.map((p) => ({ ...p, mean: 1000 / p.x }));
  assert.deepEqual(curveMinimum(falling), { x: parabola[39].x, label: 'lowest grid mean at 54.6' });
  // The lowest mean is the same point for summary's minimum and the fit's centre, even one without a stderr
  // (a single trial) and next to an infinite mean.
  const points = parabola.map((p, i) => ({
    ...p,
    point: i,
    lossCount: 10,
    std: 60,
    ...(i === 14 ? { mean: 1, stderr: null, lossCount: 1, std: null } : {}),
    ...(i === 15 ? { mean: -Infinity } : {}),
  }));
  assert.equal(minimumPoint(points)!.point.point, 14);
  assert.equal(fitMinimum(points)!.lowestX, points[14].x);
});

function point(std: number, mean: number, sd: number, n: number): PointSummary {
  const none = { n: 0, mean: null, std: null, stderr: null };
  return {
    point: 0,
    params: { hiddenStd: std },
    count: n,
    lossCount: n,
    mean,
    std: sd,
    stderr: sd / Math.sqrt(n),
    successRate: 1,
    successes: n,
    diverged: 0,
    meanEpochsToThreshold: null,
    finalLoss: none,
    epochsToThreshold: none,
  };
}

test('improvement: a lower loss at the new std is a positive %, with an interval that shrinks with n', () => {
  const small = improvement([point(1, 1000, 300, 100), point(Math.SQRT1_2, 915, 300, 100)], 1, Math.SQRT1_2)!;
  assert.ok(Math.abs(small.percent - 8.5) < 1e-9);
  assert.ok(small.low < 8.5 && small.high > 8.5);
  const large = improvement([point(1, 1000, 300, 10_000), point(Math.SQRT1_2, 915, 300, 10_000)], 1, Math.SQRT1_2)!;
  assert.ok(large.high - large.low < (small.high - small.low) / 5);
  assert.equal(improvement([point(1, 1000, 300, 100)], 1, Math.SQRT1_2), null);
});

test('the claims table comes from a small real study run into SQLite: four claims, both update orders', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xorlab-report-'));
  const store = openSqliteStore(join(dir, 'r.db'));
  const tiny: Scale = {
    ...SCALES.quick,
    name: 'tiny',
    curvePoints: 8,
    curveRepeats: 3,
    curveTotal: 40,
    claimRepeats: 12,
    textbookPoints: 5,
    textbookRepeats: 3,
    textbookTotal: 15,
    textbookClaimRepeats: 6,
    epochs: 200,
    next: TINY_NEXT,
    goal: null,
  };
  const datasets = { xor: builtinDataset('xor') };
  const ran = await runReproduction(store, tiny, 't', (_label, study, plan) =>
    runPlan({ study, plan, store, datasets, workers: 1, engine: { engine: 'reference', precision: 'f64' } }),
  );
  // The first part's four studies, then the next questions': 5 x 2 x 2 activation, 2 x 1 x 2 x 2 loss, 4 x 2 x 2 schedule.
  assert.equal(ran.trainings, 40 + 36 + 15 + 18 + 20 + 8 + 16);
  const curve = await store.summarize('t-curve');
  assert.equal(
    curve.reduce((n, p) => n + p.count, 0),
    40,
  );
  const claims = articleClaims(
    { curve, claims: await store.summarize('t-claims') },
    { curve: await store.summarize('t-textbook-curve'), claims: await store.summarize('t-textbook-claims') },
    tiny.epochs,
  );
  assert.equal(claims.rows.length, 4);
  // The learns-nothing row is exact: 200 epochs x ln 2, and it disagrees with 27,000.
  assert.ok(Math.abs(claims.nothing.seed - 200 * Math.LN2) < 1e-9);
  assert.equal(claims.rows[3].seed.verdict, 'disagrees');
  for (const row of claims.rows.slice(1, 3)) assert.match(row.seed.text, /^−?\d+\.\d% \[−?\d+\.\d%, −?\d+\.\d%\]$/);
  // A rerun resumes: nothing left to run.
  assert.equal((await runReproduction(store, tiny, 't', () => assert.fail('nothing should run'))).trainings, 0);

  const md = reportMarkdown({
    scale: tiny,
    claims,
    studyNames: {
      curve: 't-curve',
      claims: 't-claims',
      textbookCurve: 't-textbook-curve',
      textbookClaims: 't-textbook-claims',
    },
    trials: { curve: 40, claims: 36, textbookCurve: 15, textbookClaims: 18 },
    seconds: 1,
    stored: { trainings: 153, studies: 15 },
    lossNote: 'the loss note',
    engine: 'reference',
    workers: 1,
    database: 'r.db',
    figures: {
      curve: 'curve.png',
      textbookCurve: 'curve-textbook.png',
      weightsSmall: 'w1.png',
      weightsLarge: 'w2.png',
      boundary: 'b.png',
      loss: 'l.png',
      neurons: 'n.png',
    },
    trajectorySeeds: { small: 1, large: 1, boundary: 1 },
    stuckSeed: 4,
    notLearned: [],
    command: 'xorlab reproduce',
  });
  // The hidden lines and hidden space of a learned network beside a stuck one, with the stuck one's seed.
  assert.match(md, /!\[Each hidden neuron's line and the hidden space\]\(n\.png\)/);
  assert.match(
    md,
    /hidden std 0\.05 with seed 4 \(the first seed from 1 up whose final mean loss is within 0\.01 of ln 2\)/,
  );
  const table = md
    .split('\n')
    .filter((l) => l.startsWith('| the ') || l.startsWith('| std ') || l.startsWith('| a network'));
  assert.equal(table.length, 4);
  assert.match(md, /\*\*Update order\.\*\*/);
  const csv = summaryCsv([{ name: 't-curve', order: 'seed', points: curve }])
    .trim()
    .split('\n');
  assert.equal(csv.length, 1 + 8);
  assert.equal(csv[0].split(',').length, csv[1].split(',').length);
  // Its intervals are `xorlab summary`'s (metricPoint), cut at 0, also for a heavy-tailed point of few trials.
  const heavy = { ...curve[0], lossCount: 3, mean: 10.1, std: 17.2, stderr: 17.2 / Math.sqrt(3) };
  const [header, row] = summaryCsv([{ name: 'h', order: 'seed', points: [heavy] }])
    .trim()
    .split('\n')
    .map((l) => l.split(','));
  assert.deepEqual(
    [row[header.indexOf('ci95_low')], row[header.indexOf('ci95_high')]],
    ['0', String(metricPoint(heavy, 'totalLoss').high)],
  );

  // The report written from the store: its count is the database's (both parts, all fifteen studies), and the loss
  // figure's legend says how many trainings learn at each std (its lines are trainings that learned).
  const figures = new Map<string, any>();
  await writeReport(
    store,
    dir,
    tiny,
    ran.studies,
    { engine: 'reference (f64)', workers: 1, database: 'r.db', command: 'xorlab reproduce', seconds: 7.4 },
    async (spec, _dir, file) => {
      figures.set(file, spec);
      return file;
    },
  );
  const report = readFileSync(join(dir, 'report.md'), 'utf8');
  const listed = await store.listStudies();
  const inDb = listed.reduce((n, s) => n + s.trialCount, 0);
  assert.equal(inDb, 153);
  assert.match(
    report,
    /: 153 trainings in 15 studies stored in `r\.db` \(109 for the article's claims, 44 for the questions it asks next\), 7 s of running/,
  );
  const legend: string[] = figures.get('loss.png').encoding.color.scale.domain;
  assert.equal(legend.length, 3);
  // Each line's share is the stored one: the curve study's point nearest 0.05 and 10, the claims study at 1/sqrt(2).
  const nearest = (std: number) =>
    curve.reduce((a, b) =>
      Math.abs(Math.log((b.params.hiddenStd as number) / std)) <
      Math.abs(Math.log((a.params.hiddenStd as number) / std))
        ? b
        : a,
    );
  const claimsPoints = await store.summarize('t-claims');
  const xavierPoint = claimsPoints.find((p) => Math.abs((p.params.hiddenStd as number) - Math.SQRT1_2) < 1e-12)!;
  const expected = [nearest(0.05), xavierPoint, nearest(10)].map(
    (p) => `${Math.round((100 * p.successes) / p.count)}% of ${p.count} trainings learn`,
  );
  for (const [k, label] of legend.entries()) assert.ok(label.endsWith(`: ${expected[k]}`), `${label} / ${expected[k]}`);
  assert.match(figures.get('loss.png').title.text, /how many trainings learn/);
  assert.match(report, /the legend says how many of the stored trainings at that std learn/);
  // Every figure of the report, laid out by vega: no label covers a data mark (see test/plot/labels.test.ts).
  assert.equal(figures.size, 11, [...figures.keys()].join(', '));
  // neurons.png included: the stuck network's four samples on one spot share one name placed clear of the line.
  for (const [file, spec] of figures) {
    const items = await sceneItems(spec);
    const covering = labelItems(items)
      .map((label) => [label.text, coveredData(label, items)])
      .filter(([, what]) => what !== null);
    assert.deepEqual(covering, [], `${file}: labels over data`);
  }
  await store.close();
});
