// Success rates, paired comparisons, quantiles and the per-metric view of a point (intervals of means cut at 0), against hand computations
// (Wilson 1927; Newcombe 1998a/b with Altman et al.'s phi; numpy's default quantile).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PointSummary } from '../../../src/store/types.js';
import { metricPoint, metricSample } from '../../../src/study/analysis/metrics.js';
import { outcomeTable, pairUp, pairedCompare } from '../../../src/study/analysis/paired.js';
import { pairedRateDifference, rateDifference, wilsonInterval } from '../../../src/study/analysis/proportions.js';
import { quantiles, tCdf } from '../../../src/study/analysis/stats.js';

function near(actual: number | null | undefined, expected: number, tolerance = 1e-9): void {
  assert.ok(
    typeof actual === 'number' && Math.abs(actual - expected) <= tolerance,
    `expected ${expected}, got ${actual}`,
  );
}

test('Wilson interval: 81 of 263, and the edges 0 and n (bounds exactly 0 and 1)', () => {
  const w = wilsonInterval(81, 263);
  near(w.rate, 81 / 263);
  near(w.low, 0.2552885198782743);
  near(w.high, 0.3662095769828001);
  assert.equal(wilsonInterval(0, 10).low, 0);
  near(wilsonInterval(0, 10).high, 0.27753279986288915);
  near(wilsonInterval(10, 10).low, 0.7224672001371109);
  assert.equal(wilsonInterval(10, 10).high, 1);
  assert.deepEqual([wilsonInterval(0, 0).low, wilsonInterval(0, 0).high], [0, 1]);
});

test("Newcombe's difference of two rates: independent (56/70 vs 48/80) and paired by seed", () => {
  const d = rateDifference({ successes: 48, n: 80 }, { successes: 56, n: 70 })!;
  near(d.difference, 0.2);
  near(d.low, 0.05243147240236498); // Newcombe 1998a, method 10: 0.0524 to 0.3339
  near(d.high, 0.3338726540369059);
  // Paired: B succeeded in 48 of 50 pairs, A in 38 (36 both, 12 only B, 2 only A, none neither).
  const p = pairedRateDifference({ both: 36, onlyA: 2, onlyB: 12, neither: 0 })!;
  near(p.difference, 0.2);
  near(p.low, 0.05692958400323875);
  near(p.high, 0.3404276029749406);
  // A positive correlation (phi's numerator reduced by n/2) narrows the interval.
  const q = pairedRateDifference({ both: 50, onlyA: 10, onlyB: 5, neither: 35 })!;
  near(q.difference, -0.05);
  near(q.low, -0.12588041701221023);
  near(q.high, 0.02719258592166375);
  assert.equal(pairedRateDifference({ both: 0, onlyA: 0, onlyB: 0, neither: 0 }), null);
});

test('paired comparison of means: the ratio by the delta method on pairs, t at n-1, paired t-test', () => {
  const c = pairedCompare([10, 12, 14, 16], [9, 12, 12, 15])!;
  near(c.percent, -7.692307692307687);
  near(c.high - c.percent, 9.509210703044547);
  near(c.percent - c.low, 9.509210703044547);
  assert.equal(c.df, 3);
  near(c.pValue, 2 * (1 - tCdf(2.449489742783178, 3)));
  assert.ok(c.correlation > 0.9);
  assert.equal(pairedCompare([1], [2]), null);
  // Pairs are the repeats stored at both points with a value at both (a diverged training has none).
  const pairs = pairUp(
    { repeats: Int32Array.from([0, 1, 2, 4]), values: Float64Array.from([1, NaN, 3, 5]) },
    { repeats: Int32Array.from([0, 1, 3, 4]), values: Float64Array.from([10, 20, 30, 50]) },
  );
  assert.deepEqual(pairs, { a: [1, 5], b: [10, 50], common: 3 });
  assert.deepEqual(
    outcomeTable(
      { repeats: Int32Array.from([0, 1, 2, 3, 5]), values: Float64Array.from([1, 1, 0, 0, 1]) },
      { repeats: Int32Array.from([0, 1, 2, 3, 4]), values: Float64Array.from([1, 0, 1, 0, 1]) },
    ),
    { both: 1, onlyA: 1, onlyB: 1, neither: 1 },
  );
});

test('quantiles interpolate like numpy and skip values that are not finite', () => {
  assert.deepEqual(quantiles([4, 1, NaN, 3, 2], [0.25, 0.5, 0.75]), [1.75, 2.5, 3.25]);
  assert.deepEqual(quantiles(Float64Array.from([7]), [0, 0.5, 1]), [7, 7, 7]);
  assert.equal(quantiles([NaN], [0.5]), null);
});

test("a point's metrics: success is a rate with its Wilson interval; epochsToThreshold is over the trainings that reached it", () => {
  const p: PointSummary = {
    point: 0,
    params: {},
    count: 263,
    lossCount: 260,
    mean: 1000,
    std: 100,
    stderr: 100 / Math.sqrt(260),
    successRate: 81 / 263,
    successes: 81,
    diverged: 3,
    meanEpochsToThreshold: 500,
    finalLoss: { n: 260, mean: 0.2, std: 0.1, stderr: 0.1 / Math.sqrt(260) },
    epochsToThreshold: { n: 81, mean: 500, std: 90, stderr: 10 },
  };
  const s = metricPoint(p, 'success');
  assert.deepEqual([s.count, s.n], [263, 263]);
  near(s.value, 81 / 263);
  near(s.low, 0.2552885198782743);
  near(s.stderr, Math.sqrt(((81 / 263) * (182 / 263)) / 263));
  const e = metricPoint(p, 'epochsToThreshold');
  assert.deepEqual([e.count, e.n, e.value], [263, 81, 500]);
  near(e.high! - 500, 10 * 1.9900634212544475, 1e-6); // t(0.975, 80) x stderr
  assert.deepEqual(metricSample(p, 'finalLoss'), { n: 260, mean: 0.2, std: 0.1 });
  assert.equal(metricSample(p, 'success'), null);
});

test("a mean's t interval is cut at 0: three heavy-tailed losses, 0.1, 0.1 and 30", () => {
  const values = [0.1, 0.1, 30];
  const mean = values.reduce((a, b) => a + b) / 3;
  const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / 2);
  const p: PointSummary = {
    point: 0,
    params: {},
    count: 3,
    lossCount: 3,
    mean,
    std,
    stderr: std / Math.sqrt(3),
    successRate: 0,
    successes: 0,
    diverged: 0,
    meanEpochsToThreshold: null,
    finalLoss: { n: 3, mean, std, stderr: std / Math.sqrt(3) },
    epochsToThreshold: { n: 0, mean: null, std: null, stderr: null },
  };
  for (const metric of ['totalLoss', 'finalLoss'] as const) {
    const m = metricPoint(p, metric);
    assert.equal(m.low, 0, `${metric}: mean ${mean} - t(0.975, 2) x stderr is below 0`);
    near(m.high, mean + 4.302652729911275 * (std / Math.sqrt(3)), 1e-6);
  }
  // An interval that stays above 0 is left as it is.
  const narrow = metricPoint({ ...p, std: 0.3, stderr: 0.3 / Math.sqrt(3) }, 'totalLoss');
  near(narrow.low, mean - 4.302652729911275 * (0.3 / Math.sqrt(3)), 1e-6);
});
