// The report's second part, "What the article asks next": its findings against a small real study (real trainings
// stored in a real SQLite file) recomputed by hand from the stored points, and its wording where an interval
// contains 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { builtinDataset } from '../../src/core/index.js';
import { openSqliteStore } from '../../src/store/sqlite/open.js';
import type { PointSummary } from '../../src/store/types.js';
import { runPlan } from '../../src/study/run/run-plan.js';
import { resolveStudy } from '../../src/study/definition/definition.js';
import { planMissing } from '../../src/study/run/browser/plan.js';
import { wilsonInterval } from '../../src/study/analysis/proportions.js';
import { metricPoint } from '../../src/study/analysis/metrics.js';
import {
  NEXT_ACTIVATIONS,
  NEXT_LOSSES,
  NEXT_SCHEDULES,
  activationQuestion,
  edgesOf,
  lossDifference,
  mergeSettings,
  pairedDifferences,
  lossQuestion,
  nextStudies,
  scheduleQuestion,
  successDifference,
  trainingsToResolve,
  type NextScale,
  type Question,
} from '../../src/article/next.js';
import { edgeSentence, findings, nextMarkdown, nextSummaryCsv, unresolvedText } from '../../src/article/next-report.js';
import { tempDir } from '../helpers/cli.js';

const TINY: NextScale = {
  activationStds: 'exp:-1.5:0.5:3',
  activationRepeats: 6,
  lossLrs: [0.3, 1],
  lossStds: 'exp:-1:0:2',
  lossRepeats: 4,
  scheduleLrs: 'log:-1:0:3',
  scheduleRepeats: 5,
};

function point(
  i: number,
  params: PointSummary['params'],
  mean: number,
  std: number,
  n: number,
  successes = n,
): PointSummary {
  const moments = { n, mean, std, stderr: std / Math.sqrt(n) };
  return {
    point: i,
    params,
    count: n,
    lossCount: n,
    mean,
    std,
    stderr: std / Math.sqrt(n),
    successRate: successes / n,
    successes,
    diverged: 0,
    meanEpochsToThreshold: 100,
    finalLoss: moments,
    epochsToThreshold: { n: successes, mean: 100, std: 10, stderr: 10 / Math.sqrt(successes) },
  };
}

test('the next studies, trained for real into SQLite: each finding is what the stored points say', async (t) => {
  const store = openSqliteStore(join(tempDir(), 'next.db'));
  t.after(() => store.close());
  const datasets = { xor: builtinDataset('xor') };
  const defs = nextStudies(TINY, 300, 'n');
  const points: Record<string, PointSummary[]> = {};
  for (const def of [...defs.activations, ...defs.losses, ...defs.schedules]) {
    const study = resolveStudy(def);
    await store.ensureStudy(study.definition.name, study.definition);
    await runPlan({
      study,
      plan: planMissing(study.pointCount, study.definition.repeats, await store.storedRuns(study.definition.name)),
      store,
      datasets,
      workers: 1,
      engine: { engine: 'fast', precision: 'f64' },
    });
    points[study.definition.name] = await store.summarize(study.definition.name);
  }
  const act = mergeSettings(
    'activation',
    NEXT_ACTIVATIONS,
    NEXT_ACTIVATIONS.map((a) => points[`n-activation-${a}`]),
  );
  assert.equal(
    act.reduce((n, p) => n + p.count, 0),
    5 * 3 * 6,
  );
  const q = activationQuestion(act);
  assert.deepEqual(
    q.settings.map((s) => s.name),
    ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'elu'],
  );
  for (const s of q.settings) {
    // The best point is the lowest mean among the activation's own points (by hand).
    const mine = act.filter((p) => p.params.activation === s.name && p.mean !== null);
    const lowest = mine.reduce((a, b) => (b.mean! < a.mean! ? b : a));
    assert.equal(s.point.point, lowest.point);
    assert.equal(s.success.value, lowest.successes / lowest.count);
    assert.equal(s.success.low, wilsonInterval(lowest.successes, lowest.count).low);
    // The init rule: He's 1 for the ReLU family, Xavier's 1/sqrt(2) for sigmoid and tanh.
    assert.ok(Math.abs(s.rule!.x - (['relu', 'leaky-relu', 'elu'].includes(s.name) ? 1 : Math.SQRT1_2)) < 1e-12);
  }
  const sigmoid = q.settings[0];
  const text = findings(q);
  // A best std at the end of the 3-point grid is said to be at its edge, and only then.
  for (const [i, s] of q.settings.entries()) {
    const std = s.point.params.hiddenStd as number;
    const stds = act.filter((p) => p.params.activation === s.name).map((p) => p.params.hiddenStd as number);
    const atEdge = std === Math.min(...stds) || std === Math.max(...stds);
    assert.equal(text[i].includes('at the edge of the grid'), atEdge, `${s.name} at std ${std}`);
  }
  for (const [i, s] of q.settings.slice(1).entries()) {
    // The % against sigmoid is 100 (mean_b / mean_a - 1), by hand, and the sentence says it with its direction.
    const d = s.lossVsBaseline!;
    const byHand = 100 * (s.point.mean! / sigmoid.point.mean! - 1);
    assert.ok(Math.abs(d.value - byHand) < 1e-9, `${s.name}: ${d.value} vs ${byHand}`);
    assert.ok(d.low < d.value && d.value < d.high);
    assert.equal(d.resolved, d.low > 0 || d.high < 0);
    const finding = text[i + 1];
    if (d.resolved)
      assert.match(
        finding,
        new RegExp(
          `\\*\\*${s.name}\\*\\* reaches a total loss ${Math.abs(d.value).toFixed(1)}% \\[[\\d.]+, [\\d.]+\\] ${d.value < 0 ? 'below' : 'above'} sigmoid's`,
        ),
      );
    else
      assert.match(
        finding,
        new RegExp(
          `\\*\\*${s.name}\\*\\* against sigmoid: total loss [+−]${Math.abs(d.value).toFixed(1)}% .*not resolved at this scale`,
        ),
      );
    const sd = s.successVsBaseline!;
    assert.ok(
      Math.abs(sd.value - 100 * (s.point.successes / s.point.count - sigmoid.point.successes / sigmoid.point.count)) <
        1e-9,
    );
  }

  // Paired at sigmoid's best std: the same point index in each activation's study (one root seed, one grid), pairs by repeat.
  const sp = sigmoid.point.point;
  const valuesOf = async (name: string) => ({
    loss: (await store.metricValues(name, 'totalLoss', { point: sp })).get(sp)!,
    success: (await store.metricValues(name, 'success', { point: sp })).get(sp)!,
  });
  const sig = await valuesOf('n-activation-sigmoid');
  const tanhValues = await valuesOf('n-activation-tanh');
  assert.deepEqual([...tanhValues.loss.repeats], [...sig.loss.repeats]);
  const pairedQ = activationQuestion(act, { tanh: pairedDifferences(sig, tanhValues) });
  const tp = pairedQ.settings[1].paired!;
  const both = [...sig.loss.values.keys()].filter(
    (i) => Number.isFinite(sig.loss.values[i]) && Number.isFinite(tanhValues.loss.values[i]),
  );
  assert.equal(tp.pairs, both.length);
  const sum = (v: Float64Array) => v.reduce((a, b) => a + b, 0);
  assert.ok(
    Math.abs(
      tp.success!.value -
        (100 * (sum(tanhValues.success.values) - sum(sig.success.values))) / sig.success.values.length,
    ) < 1e-9,
  );
  assert.match(
    findings(pairedQ)[1],
    /Compared at sigmoid's best std [\d.]+, paired by seed \(\d+ pairs started from the same weights, correlation of their total losses −?[\d.]+\)/,
  );

  // The loss question: each loss at its own best (lr, std) by its own total loss; only success is compared.
  const lossPoints = mergeSettings(
    'loss',
    NEXT_LOSSES,
    NEXT_LOSSES.map((l) => points[`n-loss-${l}`]),
  );
  const loss = lossQuestion(lossPoints);
  for (const s of loss.settings) {
    const mine = lossPoints.filter((p) => p.params.loss === s.name && p.mean !== null);
    assert.equal(s.point.mean, Math.min(...mine.map((p) => p.mean!)));
    assert.equal(s.lossVsBaseline, undefined);
  }
  assert.match(findings(loss)[0], /^\*\*bce\*\* is the baseline \(the article's\)\./);
  assert.match(
    findings(loss)[1],
    /^Each at its own best learning rate: \*\*mse\*\* at lr (0\.3|1) \(std [\d.]+\), bce at lr (0\.3|1)/,
  );

  // The schedules: four studies merged, each compared with constant at constant's best lr paired by repeat.
  const merged = mergeSettings(
    'schedule',
    NEXT_SCHEDULES,
    NEXT_SCHEDULES.map((s) => points[`n-schedule-${s}`]),
  );
  const at = scheduleQuestion(merged).settings[0].point.point;
  const values = async (s: string) => ({
    loss: (await store.metricValues(`n-schedule-${s}`, 'totalLoss', { point: at })).get(at)!,
    success: (await store.metricValues(`n-schedule-${s}`, 'success', { point: at })).get(at)!,
  });
  const constant = await values('constant');
  const paired: Record<string, ReturnType<typeof pairedDifferences>> = {};
  for (const s of NEXT_SCHEDULES.slice(1)) paired[s] = pairedDifferences(constant, await values(s));
  const schedule = scheduleQuestion(merged, paired);
  assert.deepEqual(
    schedule.settings.map((s) => s.name),
    ['constant', 'step', 'exponential', 'cosine'],
  );
  assert.equal(schedule.trainings, 4 * 3 * 5);
  const step = await values('step');
  // By hand: 5 pairs by repeat, the ratio of the two means over them.
  const mean = (v: Float64Array) => v.reduce((a, b) => a + b, 0) / v.length;
  const p = schedule.settings[1].paired!;
  assert.equal(p.pairs, 5);
  assert.ok(Math.abs(p.loss!.value - 100 * (mean(step.loss.values) / mean(constant.loss.values) - 1)) < 1e-9);
  assert.ok(p.correlation > 0.5, `trainings from the same weights are correlated: ${p.correlation}`);
  const stepFinding = findings(schedule)[1];
  assert.match(
    stepFinding,
    new RegExp(
      `Compared at constant's best lr ${String(merged.find((q) => q.point === at)!.params.lr).slice(0, 4)}[\\d]*, paired by seed \\(5 pairs started from the same weights, correlation of their total losses [\\d.]+\\)`,
    ),
  );

  const md = nextMarkdown({
    scaleName: 'tiny',
    epochs: 300,
    next: TINY,
    questions: { activation: q, loss, schedule },
    studyNames: { activation: 'n-activation-<name>', loss: 'n-loss-<name>', schedule: 'n-schedule-<name>' },
    figures: { activation: 'a.png', loss: 'l.png', schedule: 's.png' },
    database: 'next.db',
  });
  assert.match(md, /^## What the article asks next\n/);
  for (const h of ['### Activation', '### Loss', '### Learning-rate schedule', '![', 'paired by seed', 'pair by pair'])
    assert.ok(md.includes(h), h);
  // One table row per setting: 5 activations, 2 losses, 4 schedules.
  const rows = (first: string) => md.split('\n').filter((l) => l.startsWith(`| ${first} |`)).length;
  assert.equal(rows('sigmoid') + rows('tanh') + rows('relu') + rows('leaky-relu') + rows('elu'), 5);
  assert.equal(rows('bce') + rows('mse'), 2);
  assert.equal(rows('constant') + rows('step') + rows('exponential') + rows('cosine'), 4);
  assert.match(md, /\(×0\.5 every 75 epochs\)/);
  const csv = nextSummaryCsv([{ name: 'n-activation', points: act }])
    .trim()
    .split('\n');
  assert.equal(csv.length, 1 + 15);
  assert.equal(csv[0].split(',').length, csv[1].split(',').length);
  // The intervals are the tables' (metricPoint: t cut at 0, Wilson for success).
  const cells = csv.map((l) => l.split(','));
  const col = (name: string) => cells[0].indexOf(name);
  act.forEach((p, i) => {
    const loss = metricPoint(p, 'totalLoss');
    const success = metricPoint(p, 'success');
    const text = (x: number | null) => (x === null ? '' : String(x));
    assert.deepEqual(
      [col('ci95_low'), col('ci95_high'), col('success_low'), col('success_high')].map((c) => cells[i + 1][c]),
      [loss.low, loss.high, success.low, success.high].map(text),
    );
  });
});

test('where an interval contains 0 the finding says the question is not resolved and how many trainings would resolve it', () => {
  // sigmoid 1000 ± 300 (n 40) against tanh 950 ± 300 (n 40): -5% with an interval of about ±7%: not resolved.
  const base = point(0, { activation: 'sigmoid', hiddenStd: 1 }, 1000, 300, 40, 30);
  const close = point(1, { activation: 'tanh', hiddenStd: 1 }, 950, 300, 40, 30);
  const far = point(2, { activation: 'relu', hiddenStd: 1 }, 500, 100, 40, 39);
  const d = lossDifference(base, close)!;
  assert.ok(!d.resolved && d.low < 0 && d.high > 0);
  // Trainings per side for the interval's half-width to shrink to the difference: n (half / |d|)^2.
  const half = (d.high - d.low) / 2;
  assert.equal(d.needed, Math.ceil(40 * (half / 5) ** 2));
  assert.ok(d.needed > 40);
  const q: Question = {
    key: 'activation',
    baseline: 'sigmoid',
    trainings: 120,
    settings: activationQuestion([base, close, far]).settings,
  };
  const [, tanh, relu] = findings(q);
  assert.match(
    tanh,
    /\*\*tanh\*\* against sigmoid: total loss −5\.0% \[−\d+\.\d, \d+\.\d\]: the interval contains 0, so this is not resolved at this scale; about [\d,]+ trainings at each of the two points \(now 40 and 40\) would resolve a difference of this size\./,
  );
  assert.ok(tanh.includes(`about ${d.needed.toLocaleString('en-US')} trainings`));
  // Equal success rates: a difference of exactly 0 names no number of trainings.
  assert.match(
    tanh,
    /Success: 75\.0% against 75\.0%, 0\.0 points \[−\d+\.\d, \d+\.\d\]: the interval contains 0, .*the measured difference is exactly 0/,
  );
  // A clear difference is stated with its interval and direction, the baseline named.
  assert.match(
    relu,
    /\*\*relu\*\* reaches a total loss 50\.0% \[\d+\.\d, \d+\.\d\] below sigmoid's, each at its lowest grid mean \(std 1 against std 1\)\. It learns XOR more often: 97\.5% of trainings against 75\.0%, \+22\.5 points \[\d+\.\d, \d+\.\d\]\./,
  );
  assert.ok(successDifference(base, far)!.resolved);
  // A best point at the grid's edge is said to be one: the best may lie beyond the grid.
  const schedule = scheduleQuestion([
    point(0, { schedule: 'constant', lr: 0.1 }, 100, 10, 10),
    point(1, { schedule: 'constant', lr: 0.3 }, 80, 10, 10),
    point(2, { schedule: 'constant', lr: 1 }, 50, 10, 10),
  ]);
  assert.deepEqual(schedule.settings[0].edges, [{ axis: 'lr', side: 'largest' }]);
  assert.equal(
    edgeSentence(schedule.settings[0]),
    'Its lowest grid mean lies at the edge of the grid (lr 1 is the largest swept): its best may lie beyond it.',
  );
  assert.deepEqual(edgesOf(schedule.settings[0].point, [schedule.settings[0].point], ['lr']), []);
  const low = activationQuestion([
    point(0, { activation: 'sigmoid', hiddenStd: 0.5 }, 50, 10, 10),
    point(1, { activation: 'sigmoid', hiddenStd: 1 }, 100, 10, 10),
  ]);
  assert.deepEqual(low.settings[0].edges, [{ axis: 'hiddenStd', side: 'smallest' }]);
  // A bound just off 0 keeps one significant digit instead of reading "−0.0" (paper scale: "[−0.3, −0.0]").
  const nearZero = {
    kind: 'points',
    value: -0.02,
    low: -0.3,
    high: 0.04,
    n: [5000, 5000],
    resolved: false,
    needed: null,
  } as const;
  assert.match(
    unresolvedText({ ...nearZero, n: [5000, 5000] }, 'success'),
    /^success −0\.02 points \[−0\.3, 0\.04\]: the interval contains 0/,
  );
  assert.match(findings(low)[0], /at the edge of the grid \(std 0\.5 is the smallest swept\)/);
  const middle = activationQuestion([
    point(0, { activation: 'sigmoid', hiddenStd: 0.5 }, 90, 10, 10),
    point(1, { activation: 'sigmoid', hiddenStd: 1 }, 50, 10, 10),
    point(2, { activation: 'sigmoid', hiddenStd: 2 }, 90, 10, 10),
  ]);
  assert.doesNotMatch(findings(middle)[0], /edge/);
  // Beyond a study's cap the text says so instead of a number.
  assert.equal(trainingsToResolve(40, 1e-6, 10), null);
  assert.match(
    unresolvedText(
      { kind: 'percent', value: 1e-6, low: -10, high: 10, n: [40, 40], resolved: false, needed: null },
      'total loss',
    ),
    /more than 100,000,000 trainings at each point/,
  );
});
