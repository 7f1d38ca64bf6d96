// The study summary in process (summaryReport: what `xorlab summary --json`, summarizeStudy and the dashboard all
// build), from per-point rows folded by the store's own fold (summarizeRows), no database and no subprocess.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarizeRows } from '../../../src/store/moments.js';
import type { TrialRow } from '../../../src/store/types.js';
import { summaryCsv, summaryReport } from '../../../src/study/analysis/summary.js';
import { trial } from '../../store/fixtures.js';

const params = (point: number) => ({ hiddenStd: [0.5, 1, 2][point] });
const row = (point: number, repeat: number, loss: number | null): TrialRow =>
  trial('s', point, repeat, loss, { params: params(point), success: loss !== null && loss < 5 });

/** Point 0: 1, 3 (mean 2, rse 0.5). Point 1: 4, 6, 4, 6 (mean 5). Point 2: 0.5, 1.5 and one diverged trial. */
const rows = [
  row(0, 0, 1),
  row(0, 1, 3),
  row(1, 0, 4),
  row(1, 1, 6),
  row(1, 2, 4),
  row(1, 3, 6),
  row(2, 0, 0.5),
  row(2, 1, 1.5),
  row(2, 2, null),
];
const points = summarizeRows(rows, params);

test('summaryReport: every trial counted, each point with its mean and relative standard error', () => {
  const summary = summaryReport('s', points);
  assert.equal(summary.study, 's');
  assert.equal(summary.metric, 'totalLoss');
  assert.equal(summary.trials, 9);
  assert.deepEqual(
    summary.points.map((p) => [p.point, p.count, p.lossCount, p.mean]),
    [
      [0, 2, 2, 2],
      [1, 4, 4, 5],
      [2, 3, 2, 1],
    ],
  );
  assert.ok(Math.abs(summary.points[0].rse! - 0.5) < 1e-12, String(summary.points[0].rse));
  assert.ok(Math.abs(summary.points[1].rse! - Math.sqrt(4 / 3) / 2 / 5) < 1e-12, String(summary.points[1].rse));
});

test('summaryReport: the lowest mean is the minimum, and a mean over a subset says how many trials it left out', () => {
  const summary = summaryReport('s', points, { level: 0.9 });
  assert.equal(summary.minimum?.point, 2);
  assert.deepEqual(summary.minimum?.params, { hiddenStd: 2 });
  assert.equal(summary.minimum?.mean, 1);
  assert.equal(summary.minimum?.count, 2);
  assert.equal(summary.minimum?.level, 0.9);
  // The diverged trial at point 2 is left out of its mean, and said: 1 of 3 is far past the share that is marked.
  assert.equal(summary.minimum?.excluded, 1);
  assert.equal(summary.excluded, 1);
  assert.deepEqual(
    summary.markedPoints.map((m) => m.point),
    [2],
  );
  assert.ok(summary.minimum.low! < 1 && summary.minimum.high! > 1);
});

test('summaryReport: the success rate counts every trial, diverged ones as failures', () => {
  const summary = summaryReport('s', points, { metric: 'success' });
  assert.equal(summary.metric, 'success');
  // Successes: point 0 both (1, 3 < 5), point 1 two of four (4, 4), point 2 two of three.
  assert.deepEqual(
    summary.points.map((p) => p.successRate),
    [1, 0.5, 2 / 3],
  );
  assert.equal(summary.minimum?.point, 0);
  assert.equal(summary.excluded, 0);
});

test('summaryReport: comparing two points, and a point the study does not have', () => {
  const summary = summaryReport('s', points, { compare: [0.5, 'point=1'] });
  assert.equal(summary.comparison?.a.point, 0);
  assert.equal(summary.comparison?.b.point, 1);
  assert.throws(() => summaryReport('s', points, { compare: [0.5, 'point=7'] }), /compare B/);
});

test('summaryCsv: one line per point with its moments', () => {
  const csv = summaryCsv(summaryReport('s', points)).trim().split('\n');
  assert.equal(csv.length, 4);
  assert.match(csv[0], /^point,hiddenStd,/);
  assert.match(csv[1], /^0,0\.5,/);
});
