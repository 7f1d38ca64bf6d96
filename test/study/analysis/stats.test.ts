// Reference values: scipy.stats (t.ppf, t.cdf, ttest_ind with equal_var=False) and hand computations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compare,
  confidenceInterval,
  minimumPoint,
  normalCdf,
  normalQuantile,
  relativeStandardError,
  tCdf,
  tQuantile,
} from '../../../src/study/analysis/stats.js';

function near(actual: number | null | undefined, expected: number, tolerance: number): void {
  assert.ok(
    typeof actual === 'number' && Math.abs(actual - expected) <= tolerance,
    `expected ${expected} +- ${tolerance}, got ${actual}`,
  );
}

test('relative standard error', () => {
  near(relativeStandardError({ mean: 200, stderr: 2 }), 0.01, 1e-15);
  assert.equal(relativeStandardError({ mean: null, stderr: null }), null);
});

test('t and normal quantiles and CDFs match scipy', () => {
  near(tQuantile(0.975, 1), 12.706204736174707, 1e-9);
  near(tQuantile(0.975, 2), 4.302652729749464, 1e-9);
  near(tQuantile(0.975, 4), 2.7764451051977934, 1e-9);
  near(tQuantile(0.975, 19992.53867688762), 1.9600826494306232, 1e-9);
  near(tQuantile(0.9, 3.3), 1.598366958560087, 1e-9);
  near(tQuantile(0.025, 4), -2.7764451051977934, 1e-9);
  near(tCdf(1.5, 2.5), 0.8760817734568519, 1e-12);
  near(normalQuantile(0.975), 1.959963984540054, 1e-12);
  near(normalCdf(1.959963984540054), 0.975, 1e-14);
  near(normalQuantile(1e-10), -6.361340902404056, 1e-9);
});

test('confidence interval of a mean uses t with n-1 degrees of freedom', () => {
  const ci = confidenceInterval({ n: 3, mean: 7 / 3, std: Math.sqrt(7 / 3) })!;
  near(ci.low, -1.4612497002634277, 1e-9);
  near(ci.high, 6.127916366930094, 1e-9);
  assert.equal(ci.df, 2);
  assert.equal(confidenceInterval({ n: 1, mean: 3, std: null }), null);
  assert.throws(() => confidenceInterval({ n: 3, mean: 1, std: 1 }, 1.5), RangeError);
});

test('compare: the % difference of the means with a delta-method interval (the article: 1 -> 1/sqrt(2) is 8.5% better)', () => {
  // A (std 1): mean 100, std 20; B (std 0.7071): mean 91.5, std 18; n = 10,000 each.
  const c = compare({ n: 10_000, mean: 100, std: 20 }, { n: 10_000, mean: 91.5, std: 18 })!;
  near(c.percent, -8.5, 1e-12);
  near(c.ratio, 0.915, 1e-15);
  // se(r) = 0.915 sqrt((0.2/100)^2 + (0.18/91.5)^2) = 0.0025668852720758676; df (Welch on relative variances) 19992.54
  near(c.df, 19992.53867688762, 1e-6);
  near(c.low, -8.5 - 100 * 1.9600826494306232 * 0.0025668852720758676, 1e-9);
  near(c.high, -8.5 + 100 * 1.9600826494306232 * 0.0025668852720758676, 1e-9);
  // Far below 1e-16 the p-value is still resolved (1 - cdf was 0 and printed "p = 0").
  near(c.pValue / 1.0102967160550377e-213, 1, 1e-9); // scipy ttest_ind_from_stats(..., equal_var=False)

  // Small samples: A = [1, 2, 3], B = [2, 4, 6]. r = 2, se(r) = 2 sqrt(1/12 + 1/12), df = 4.
  const s = compare({ n: 3, mean: 2, std: 1 }, { n: 3, mean: 4, std: 2 })!;
  near(s.percent, 100, 1e-12);
  near(s.df, 4, 1e-12);
  near(s.high - s.percent, 100 * 2.7764451051977934 * 2 * Math.sqrt(1 / 6), 1e-8);
  near(s.pValue, 0.22088084049409593, 1e-9); // scipy ttest_ind(B, A, equal_var=False)
  assert.equal(compare({ n: 1, mean: 2, std: null }, { n: 3, mean: 4, std: 2 }), null);
});

test('minimumPoint picks the lowest mean and gives its interval', () => {
  const points = [
    { point: 0, mean: 5, std: 1, lossCount: 4 },
    { point: 1, mean: null, std: null, lossCount: 0 },
    { point: 2, mean: 3, std: 2, lossCount: 4 },
    { point: 3, mean: 3.5, std: 0.1, lossCount: 4 },
  ];
  const m = minimumPoint(points)!;
  assert.equal(m.point.point, 2);
  near(m.interval!.halfWidth, 3.182446305284263 * (2 / 2), 1e-9); // t(0.975, 3) x 2/sqrt(4)
  assert.equal(minimumPoint([{ point: 0, mean: null, std: null, lossCount: 0 }]), null);
});
