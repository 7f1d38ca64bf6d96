// The minimum goal in process: where the confirmatory design puts its trainings (on known curves), the batch size
// it predicts, the Bonferroni split of the error rate over the looks, and whether the reported interval keeps its
// coverage of the true minimum at the paper scale's noise, with means drawn directly (./simulated.ts: no training;
// seeded, so the same numbers every run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitMinimum } from '../../../src/study/analysis/minimum.js';
import {
  FLOOR_SHARE,
  HALF_WINDOW,
  WIDEST_HALF,
  cubicVertex,
  designVariance,
  fitDesign,
  lookLevel,
  minimumDesign,
  predictedBatch,
  type DesignPoint,
} from '../../../src/study/goal/design.js';
import { replayMinimum } from '../../../src/study/goal/minimum-goal.js';
import { rangeMoments } from '../../../src/study/goal/moments.js';
import { SimulatedMoments, articleLike, drive } from './simulated.js';

const N_POINTS = 200;
const xs = Array.from({ length: N_POINTS }, (_, i) => Math.exp(-3 + (7 * i) / (N_POINTS - 1)));
const curve = { points: xs.map((_, i) => i), x: xs };
/** The std of one training's total loss near the article's minimum (minimum.test.ts uses the same). */
const SIGMA = 1500;

test('rangeMoments counts a repeat range, leaving diverged (NaN) values out of n', () => {
  const values = { repeats: Int32Array.from([0, 1, 2, 4, 5]), values: Float64Array.from([1, NaN, 3, 5, 7]) };
  const m = rangeMoments(values, 1, 5);
  assert.deepEqual([m.present, m.n, m.mean], [3, 2, 4]);
  assert.equal(rangeMoments(values, 6, 9).present, 0);
});

test('cubicVertex finds the local minimum of a cubic, and none where the slope never turns upwards', () => {
  // (u - 0.2)^2 (u + 3) has its local minimum at 0.2: 0.12 - 1.16 u + 2.6 u^2 + u^3 ... checked numerically.
  const c = [0.12, -1.16 + 0, 2.6, 1];
  const v = cubicVertex(c)!;
  assert.ok(Math.abs(c[1] + 2 * c[2] * v + 3 * c[3] * v * v) < 1e-12);
  assert.ok(2 * c[2] + 6 * c[3] * v > 0);
  assert.equal(cubicVertex([0, -1, 0, -1]), null);
});

/** The design from 2,000 noiseless trainings at each grid point of the article-like curve, and that curve. */
function articleDesign() {
  const truth = articleLike(1);
  const points: DesignPoint[] = xs.map((x) => ({ x, mean: truth(Math.log(x)), std: SIGMA, n: 2000 }));
  const fit = fitMinimum(
    points.map((p) => ({ x: p.x, mean: p.mean, stderr: p.std! / Math.sqrt(p.n) })),
    { resamples: 50 },
  )!;
  return { truth, design: minimumDesign(points, fit)! };
}

test("the design: 7 points over the exploration's window, most weight where the vertex is most sensitive", () => {
  const { design } = articleDesign();
  assert.equal(design.nodes.length, 7);
  assert.ok(Math.abs(design.shares.reduce((a, s) => a + s, 0) - 1) < 1e-12);
  assert.ok(design.half >= HALF_WINDOW.min && design.half <= HALF_WINDOW.max);
  // Nothing outside the window (plus the grid's spacing); every point gets at least its floor for the chi² check.
  for (const u of design.u) assert.ok(Math.abs(u) <= design.half + 0.04, `u ${u}`);
  for (const s of design.shares) assert.ok(s >= FLOOR_SHARE - 1e-12);
  // The vertex of a cubic hardly moves with the mean at the centre: that point gets no more than its floor, and the
  // four most sensitive points (a third and two thirds of the way out on each side) take most of a batch.
  const centre = design.u.reduce((best, u, j) => (Math.abs(u) < Math.abs(design.u[best]) ? j : best), 0);
  assert.ok(design.shares[centre] < FLOOR_SHARE + 0.01, `centre share ${design.shares[centre]}`);
  const top = [...design.shares].sort((a, b) => b - a).slice(0, 4);
  assert.ok(top.reduce((a, s) => a + s, 0) > 0.75, `shares ${design.shares.map((s) => s.toFixed(3)).join(' ')}`);
  // The vertex's variance at these shares (delta method) is well below that of an even split over the 7 points.
  const evenVariance = designVariance(
    design,
    design.shares.map(() => 1 / 7),
  );
  assert.ok(design.unitVariance < 0.8 * evenVariance, `${design.unitVariance} vs even ${evenVariance}`);
});

test('the predicted batch gives about the target width at the design, and the Bonferroni looks sum to the error rate', () => {
  const { truth, design } = articleDesign();
  const batch = predictedBatch(design, 0.022, 0.95, 1);
  // Noiseless means from the design at that batch: the bootstrap interval's width is the predicted one (within 15%).
  const moments = design.nodes.map((i, j) => {
    const n = Math.round(batch * design.shares[j]);
    const se = SIGMA / Math.sqrt(n);
    return { present: n, n, mean: truth(Math.log(xs[i])), std: SIGMA, stderr: se, sum: 0 };
  });
  const confirmed = fitDesign(design, moments, 0.95, { resamples: 2000 })!;
  const width = confirmed.high - confirmed.low;
  assert.ok(Math.abs(width / 0.022 - 1) < 0.15, `width ${width} for a batch of ${batch}`);
  assert.ok(Math.abs(confirmed.x - 0.6) < 0.003, `noiseless vertex ${confirmed.x}`);
  let alpha = 0;
  for (let k = 1; k <= 60; k++) alpha += 1 - lookLevel(k, 0.95);
  assert.ok(Math.abs(alpha - 0.05) < 1e-9, `looks spend ${alpha}`);
  assert.ok(Math.abs(lookLevel(1, 0.95) - 0.97) < 1e-12);
});

function coverage(k: number, studies: number, stop: { targetWidth?: number; budget?: number }) {
  const truth = articleLike(k);
  let covered = 0;
  let answered = 0;
  let trained = 0;
  let looks = 0;
  for (let s = 1; s <= studies; s++) {
    const source = new SimulatedMoments(1000 * k + s, (p) => ({ mean: truth(Math.log(xs[p])), sigma: SIGMA }));
    const cache = new Map<string, unknown>();
    const state = drive(source, () =>
      replayMinimum(curve, source, 10, { maxTrials: 1_000_000, ...stop }, { resamples: 200, cache }),
    );
    trained += source.trained;
    const fit = state.result?.fit;
    if (!fit) continue;
    answered++;
    looks += state.result!.looks;
    if (fit.low <= 0.6 && 0.6 <= fit.high) covered++;
  }
  return { covered, answered, trained: trained / studies, looks: looks / Math.max(1, answered) };
}

test("the reported 95% interval covers the true minimum at the paper's target width and noise, on two asymmetric curves", () => {
  let covered = 0;
  let answered = 0;
  for (const k of [0.8, 1.6]) {
    const run = coverage(k, 40, { targetWidth: 0.022 });
    assert.ok(run.answered >= 39, `asymmetry ${k}: answered ${run.answered} of 40`);
    assert.ok(run.covered / run.answered >= 0.88, `asymmetry ${k}: covered ${run.covered} of ${run.answered}`);
    // One batch usually suffices: the prediction comes from exploration's noise and the design's variance.
    assert.ok(run.looks <= 1.4, `asymmetry ${k}: ${run.looks} looks on average`);
    covered += run.covered;
    answered += run.answered;
  }
  // 95.3-98% measured over 150 studies of each curve (docs/studies.md); 80 studies pooled here.
  assert.ok(covered / answered >= 0.93, `covered ${covered} of ${answered}`);
});

test('the reported 95% interval covers the true minimum after a stop at a budget', () => {
  const { covered, answered, trained } = coverage(1.6, 40, { budget: 200_000 });
  assert.ok(answered >= 39, `answered ${answered} of 40`);
  assert.ok(covered / answered >= 0.93, `covered ${covered} of ${answered}`);
  assert.ok(Math.abs(trained - 200_000 - 2000) < 100, `trained ${trained} per study`);
});

test('a budget is an upper bound: the smallest one is spent exactly, never more (the design points floors included)', () => {
  const truth = articleLike(1.6);
  for (const budget of [140, 150, 1_000]) {
    const source = new SimulatedMoments(budget, (p) => ({ mean: truth(Math.log(xs[p])), sigma: SIGMA }));
    drive(source, () => replayMinimum(curve, source, 10, { maxTrials: 1_000_000, budget }, { resamples: 200 }));
    assert.ok(source.trained <= 10 * N_POINTS + budget, `budget ${budget}: trained ${source.trained - 10 * N_POINTS}`);
  }
});

test("at the quick scale's budget (60 stds x 5, then 4,500 trainings) the window widens with the noise and the 95% interval still covers", () => {
  // The setting `xorlab reproduce --scale quick` runs: the article's grid at 60 stds, the noise of its 10,000-epoch
  // total loss near the minimum (a std of about 1,300 per training), the same 4,800 trainings as the article's design.
  const grid = Array.from({ length: 60 }, (_, i) => Math.exp(-3 + (7 * i) / 59));
  const quick = { points: grid.map((_, i) => i), x: grid };
  let covered = 0;
  let answered = 0;
  const halves: number[] = [];
  for (const k of [0.8, 1.6]) {
    const truth = articleLike(k);
    for (let s = 1; s <= 50; s++) {
      const source = new SimulatedMoments(7000 * k + s, (p) => ({ mean: truth(Math.log(grid[p])), sigma: 1300 }));
      const cache = new Map<string, unknown>();
      const state = drive(source, () =>
        replayMinimum(quick, source, 5, { maxTrials: 1_000_000, budget: 4_500 }, { resamples: 200, cache }),
      );
      assert.ok(source.trained <= 300 + 4_500, `trained ${source.trained}`);
      const result = state.result;
      if (!result?.fit) continue;
      answered++;
      halves.push(Math.log(result.design.to / result.design.from) / 2);
      if (result.fit.low <= 0.6 && 0.6 <= result.fit.high) covered++;
    }
  }
  assert.ok(answered >= 94, `answered ${answered} of 100`);
  // Most designs are wider than the paper's ±0.6 (the noise allows it), none wider than ±1 (plus the grid's spacing).
  halves.sort((a, b) => a - b);
  assert.ok(halves[halves.length >> 1] > HALF_WINDOW.max + 0.1, `median half-window ${halves[halves.length >> 1]}`);
  assert.ok(halves.at(-1)! <= WIDEST_HALF + 0.07, `widest half-window ${halves.at(-1)}`);
  // 95.7% and 97.0% measured over 300 studies of each curve (design.ts); the 100 here (the first 50 of each) cover
  // 93. A 100-study sample of a 95% interval falls below 90% about one time in 35; one of an 85% interval reaches
  // 90% about one time in ten.
  assert.ok(covered / answered >= 0.9, `covered ${covered} of ${answered}`);
});
