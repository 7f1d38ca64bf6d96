// The reproduction report: the article's claims checked against the stored studies (each with a 95% confidence
// interval and a verdict), report.md and summary.csv. Pure apart from one 10,000-epoch training (the network that
// learns nothing), which runs through the core engine.
import { builtinDataset, shapeFor, train, type TrainingConfig } from '../core/index.js';
import { defaultConfig } from '../config/index.js';
import type { PointSummary } from '../store/types.js';
import { CLAIM_STDS, articleConfig } from './config.js';
import type { Scale } from './reproduce.js';
import { MINIMUM_METHOD, fitMinimum, type MinimumFit } from '../study/analysis/minimum.js';
import { csvLine, short } from '../text/format.js';
import { printable } from '../text/quote.js';
import { metricPoint } from '../study/analysis/metrics.js';
import { compare, type Comparison } from '../study/analysis/stats.js';

type Verdict = 'agrees' | 'disagrees' | 'no data';

interface Measurement {
  /** The measured value as text, with its 95% CI. */
  text: string;
  verdict: Verdict;
  note?: string;
}

interface ClaimRow {
  claim: string;
  article: string;
  seed: Measurement;
  textbook: Measurement;
}

interface OrderData {
  curve: readonly PointSummary[];
  claims: readonly PointSummary[];
}

/** "near 0.6": the interval of the fitted minimum reaches within 10% of 0.6. */
const NEAR = { centre: 0.6, tolerance: 0.1 };
const CLAIMED_XAVIER_GAIN = 8.5;
const CLAIMED_FURTHER_GAIN = 1.1;
const CLAIMED_NOTHING_LEARNED = 27_000;

/** A measured value in the report: a chart label's rounding, and a dash where there is none (an empty interval). */
const fmt = (x: number, digits = 3) => (Number.isFinite(x) ? short(x, digits) : '–');
const pct = (x: number) => `${x >= 0 ? '' : '−'}${Math.abs(x).toFixed(1)}%`;

function stdPoint(points: readonly PointSummary[], std: number): PointSummary | undefined {
  return points.find((p) => typeof p.params.hiddenStd === 'number' && Math.abs(p.params.hiddenStd - std) < 1e-9);
}

function stats(p: PointSummary | undefined) {
  return p && p.mean !== null ? { n: p.lossCount, mean: p.mean, std: p.std } : null;
}

/** The % by which the loss at std `to` is lower than at `from` (positive: an improvement), with its CI. */
export function improvement(points: readonly PointSummary[], from: number, to: number): Comparison | null {
  const a = stats(stdPoint(points, from));
  const b = stats(stdPoint(points, to));
  if (!a || !b) return null;
  const c = compare(a, b);
  // compare() reports mean(B) relative to mean(A) (negative = B lower); an improvement is its negative.
  return c && { ...c, percent: -c.percent, low: -c.high, high: -c.low };
}

function gainMeasurement(c: Comparison | null, claimed: number): Measurement {
  if (!c) return { text: 'not enough trials', verdict: 'no data' };
  const inside = claimed >= c.low && claimed <= c.high;
  const zeroInside = c.low <= 0 && c.high >= 0;
  return {
    text: `${pct(c.percent)} [${pct(c.low)}, ${pct(c.high)}]`,
    verdict: inside ? 'agrees' : 'disagrees',
    ...(zeroInside ? { note: 'the interval also contains 0: not resolved at this scale' } : {}),
  };
}

function minimumMeasurement(fit: MinimumFit | null): Measurement {
  if (!fit) return { text: 'no interior minimum found', verdict: 'no data' };
  const lo = NEAR.centre * (1 - NEAR.tolerance);
  const hi = NEAR.centre * (1 + NEAR.tolerance);
  const overlaps = fit.high >= lo && fit.low <= hi;
  return {
    text: `${fmt(fit.x)} [${fmt(fit.low)}, ${fmt(fit.high)}]`,
    verdict: overlaps ? 'agrees' : 'disagrees',
    note: `lowest grid mean at ${fmt(fit.lowestX)}`,
  };
}

/** Total loss of a network that learns nothing: all parameters 0 is a saddle that gradient descent never leaves
 * (XOR's targets cancel every gradient), so the output stays 0.5 and every epoch costs ln 2. */
function nothingLearnedLoss(config: TrainingConfig): number {
  const dataset = builtinDataset('xor');
  const zero = new Float64Array(shapeFor(config, dataset).parameterCount);
  const result = train(config, dataset, zero);
  return result.metrics.totalLoss!;
}

interface Claims {
  rows: ClaimRow[];
  minimum: { seed: MinimumFit | null; textbook: MinimumFit | null };
  nothing: { seed: number; textbook: number; epochs: number };
}

export function articleClaims(seed: OrderData, textbook: OrderData, epochs: number): Claims {
  const curvePoints = (d: OrderData) =>
    d.curve.map((p) => ({ x: p.params.hiddenStd as number, mean: p.mean, stderr: p.stderr }));
  const minimum = { seed: fitMinimum(curvePoints(seed)), textbook: fitMinimum(curvePoints(textbook)) };
  const base = (order: 'seed' | 'textbook') =>
    defaultConfig({ ...articleConfig(order, epochs), hiddenStd: 0, outputStd: 0 });
  const nothing = { seed: nothingLearnedLoss(base('seed')), textbook: nothingLearnedLoss(base('textbook')), epochs };
  const perSample = epochs * Math.LN2;
  const nothingMeasurement = (total: number): Measurement => ({
    text: `${Math.round(total).toLocaleString('en-US')} (exact: ${epochs.toLocaleString('en-US')} × ln 2)`,
    verdict: Math.abs(total - CLAIMED_NOTHING_LEARNED) / CLAIMED_NOTHING_LEARNED < 0.1 ? 'agrees' : 'disagrees',
    note: `27,000 ≈ ${Math.round(4 * perSample).toLocaleString('en-US')} is the sum over the 4 samples; the article's code adds the mean`,
  });
  const [one, xavier, six] = CLAIM_STDS;
  return {
    rows: [
      {
        claim: 'the minimum of the curve lies near 0.6',
        article: '≈ 0.6',
        seed: minimumMeasurement(minimum.seed),
        textbook: minimumMeasurement(minimum.textbook),
      },
      {
        claim: 'std 1/√2 instead of 1 improves the total loss by 8.5%',
        article: '8.5%',
        seed: gainMeasurement(improvement(seed.claims, one, xavier), CLAIMED_XAVIER_GAIN),
        textbook: gainMeasurement(improvement(textbook.claims, one, xavier), CLAIMED_XAVIER_GAIN),
      },
      {
        claim: 'std 0.6 improves it by a further 1.1% (relative to the loss at 1/√2)',
        article: '1.1%',
        seed: gainMeasurement(improvement(seed.claims, xavier, six), CLAIMED_FURTHER_GAIN),
        textbook: gainMeasurement(improvement(textbook.claims, xavier, six), CLAIMED_FURTHER_GAIN),
      },
      {
        claim: 'a network that learns nothing has a total loss of about 27,000',
        article: '≈ 27,000',
        seed: nothingMeasurement(nothing.seed),
        textbook: nothingMeasurement(nothing.textbook),
      },
    ],
    minimum,
    nothing,
  };
}

/** Which conclusions the textbook order changes (rows whose verdicts differ). */
function orderChanges(claims: Claims): string[] {
  return claims.rows.filter((r) => r.seed.verdict !== r.textbook.verdict).map((r) => r.claim);
}

// ---- files -------------------------------------------------------------------------------------------------------

/** One row per point of every study: the article's table (mean, std, count, stderr) plus a 95% CI and success. */
export function summaryCsv(
  studies: readonly { name: string; order: string; points: readonly PointSummary[] }[],
): string {
  const header = [
    'study',
    'update_order',
    'point',
    'hidden_std',
    'count',
    'loss_count',
    'mean',
    'std',
    'stderr',
    'ci95_low',
    'ci95_high',
    'success_rate',
    'diverged',
    'marked',
    'mean_epochs_to_threshold',
  ];
  const lines = [csvLine(header)];
  for (const s of studies) {
    for (const p of s.points) {
      const ci = metricPoint(p, 'totalLoss'); // the interval of `xorlab summary`: t, cut at 0
      lines.push(
        csvLine([
          s.name,
          s.order,
          p.point,
          p.params.hiddenStd,
          p.count,
          p.lossCount,
          p.mean,
          p.std,
          p.stderr,
          ci.low,
          ci.high,
          p.successRate,
          p.diverged,
          ci.marked ? 1 : 0,
          p.meanEpochsToThreshold,
        ]),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

interface ReportInput {
  scale: Scale;
  claims: Claims;
  studyNames: { curve: string; claims: string; textbookCurve: string; textbookClaims: string };
  trials: { curve: number; claims: number; textbookCurve: number; textbookClaims: number };
  /** Seconds the trainings took (the number the console prints too). */
  seconds: number;
  /** What the database holds for this report (both parts), counted there. */
  stored: { trainings: number; studies: number };
  /** Of them, the goal-directed designs' trainings, and their section's lines ("The same answers for a fraction of
   * the trainings", ./goal-section.ts; none when the scale runs none). */
  goalTrainings?: number;
  goalSection?: string[];
  /** What the loss figure's lines are and how many trainings learn at each std. */
  lossNote: string;
  engine: string;
  workers: number;
  database: string;
  figures: {
    curve: string;
    textbookCurve: string;
    weightsSmall: string;
    weightsLarge: string;
    boundary: string;
    loss: string;
    neurons: string;
  };
  trajectorySeeds: { small: number; large: number; boundary: number };
  /** The first seed whose hidden std 0.05 training ends at the ln 2 saddle (null: none of 1-100). */
  stuckSeed: number | null;
  /** Trajectory trainings that did not learn XOR with any seed tried (their figure shows seed 1). */
  notLearned: string[];
  command: string;
}

function verdictCell(m: Measurement): string {
  const mark = m.verdict === 'agrees' ? '**agrees**' : m.verdict === 'disagrees' ? '**disagrees**' : 'no data';
  return `${m.text} — ${mark}${m.note ? ` (${m.note})` : ''}`;
}

/** The running time as the report and the console both say it: one rounding, so the two never differ. */
export function runningTime(seconds: number): string {
  return `${seconds.toFixed(0)} s`;
}

export function reportMarkdown(input: ReportInput): string {
  // The command, the database and the names are what the user typed: a control character in them is shown escaped
  // (the report is read with cat as often as in a browser).
  const shown = (text: string) => printable(text);
  const r: ReportInput = {
    ...input,
    command: shown(input.command),
    database: shown(input.database),
    studyNames: {
      curve: shown(input.studyNames.curve),
      claims: shown(input.studyNames.claims),
      textbookCurve: shown(input.studyNames.textbookCurve),
      textbookClaims: shown(input.studyNames.textbookClaims),
    },
  };
  const { claims } = r;
  const n = (x: number) => x.toLocaleString('en-US');
  const total = r.trials.curve + r.trials.claims + r.trials.textbookCurve + r.trials.textbookClaims;
  const changed = orderChanges(claims);
  const ms = claims.minimum.seed;
  const lines = [
    `# Machine learning of XOR from scratch — reproduction, ${r.scale.name} scale`,
    '',
    `Generated by \`${r.command}\`: ${n(r.stored.trainings)} trainings in ${r.stored.studies} studies stored in \`${r.database}\` (${n(total)} for the article's claims, ${r.goalTrainings ? `${n(r.goalTrainings)} for the same answers by goal-directed designs, ` : ''}${n(r.stored.trainings - total - (r.goalTrainings ?? 0))} for the questions it asks next), ${runningTime(r.seconds)} of running in this invocation (${r.engine} engine, ${r.workers} workers).`,
    '',
    '## What was trained',
    '',
    `The article's network and training: XOR, 2-2-1 with sigmoid units, binary cross-entropy with the article's clipping of`,
    `predictions to [1e-15, 1 − 1e-15] (\`--bce-clip 1e-15\`), full-batch gradient descent with learning rate 0.1 for ${n(r.scale.epochs)} epochs,`,
    `output-layer init std 0.8165, and the article's update order (\`seed\`: the output layer is updated before the hidden`,
    `layer's gradient is computed). The metric is the article's: the total loss, the sum over the epochs of the mean loss over the 4 samples.`,
    '',
    '| study | what | trainings |',
    '| --- | --- | ---: |',
    `| \`${r.studyNames.curve}\` | hidden std = exp(linspace(−3, 4, ${r.scale.curvePoints})) × ${r.scale.curveRepeats}, refined by relative error | ${n(r.trials.curve)} |`,
    `| \`${r.studyNames.claims}\` | hidden std 1, 1/√2, 0.6 | ${n(r.trials.claims)} |`,
    `| \`${r.studyNames.textbookCurve}\` | the curve in the textbook update order, ${r.scale.textbookPoints} stds | ${n(r.trials.textbookCurve)} |`,
    `| \`${r.studyNames.textbookClaims}\` | hidden std 1, 1/√2, 0.6 in the textbook order | ${n(r.trials.textbookClaims)} |`,
    '',
    "## The article's claims",
    '',
    `Measured values with 95% confidence intervals. The minimum: ${MINIMUM_METHOD}${ms ? ` (seed order: ${ms.pointsUsed} points within ±${fmt(ms.window)} in ln std, chi²/dof ${fmt(ms.chi2 / ms.dof)})` : ''}.`,
    'The percentages: delta method on the ratio of two independent means, Welch degrees of freedom.',
    `A claim **agrees** when the claimed value lies inside the interval (for the minimum: when the interval reaches within ${NEAR.tolerance * 100}% of 0.6).`,
    '',
    "| claim | article | measured, seed order (the article's) | measured, textbook order |",
    '| --- | --- | --- | --- |',
    ...claims.rows.map(
      (row) => `| ${row.claim} | ${row.article} | ${verdictCell(row.seed)} | ${verdictCell(row.textbook)} |`,
    ),
    '',
    `**Update order.** ${changed.length === 0 ? 'The textbook order changes none of these conclusions.' : `The textbook order changes the verdict on: ${changed.join('; ')}.`}`,
    ms && claims.minimum.textbook
      ? `The fitted minimum is at ${fmt(ms.x)} in the seed order and ${fmt(claims.minimum.textbook.x)} in the textbook order.`
      : '',
    '',
    `**The learns-nothing value.** A network whose output stays 0.5 pays ln 2 ≈ 0.6931 per epoch in the metric the article's code computes`,
    `(\`total_loss += np.mean(loss)\`, the mean over the 4 samples), so ${n(r.scale.epochs)} epochs give ${fmt(claims.nothing.seed, 5)}.`,
    `We measured it with a real training from all-zero parameters, a saddle that gradient descent never leaves on XOR.`,
    `The article's 27,000 is −4 · 10⁴ · ln 0.5 ≈ 27,726: the loss summed over the 4 samples, not what its code adds up.`,
    '',
    ...(r.goalSection ?? []),
    '## Figures',
    '',
    `![Total loss against the hidden-layer init std, seed order](${r.figures.curve})`,
    '',
    `Mean total loss against the hidden-layer init std with standard-error bars; the black line is the Xavier/Glorot`,
    `prediction 1/√2, the dashed green line ${ms ? `the fitted minimum (${fmt(ms.x)})` : 'the lowest mean (no minimum could be fitted)'}; below, the share of trainings that learned XOR.`,
    '',
    `![The same curve in the textbook update order](${r.figures.textbookCurve})`,
    '',
    `![Weights during training, hidden std 0.05](${r.figures.weightsSmall})`,
    '',
    `![Weights during training, hidden std 10](${r.figures.weightsLarge})`,
    '',
    `Every parameter against the epoch for hidden std 0.05 (seed ${r.trajectorySeeds.small}) and 10 (seed ${r.trajectorySeeds.large}), as in the article's two pictures`,
    `(for each, the first seed from 1 up whose training learns XOR${r.notLearned.length ? `; none of seeds 1-100 learned for ${r.notLearned.join(' and ')}, so seed 1 is shown` : ''}).`,
    'Small weights barely move at first; large ones move fast, not always in a useful direction.',
    '',
    `![Loss curves](${r.figures.loss})`,
    '',
    r.lossNote,
    '',
    `![Decision boundary](${r.figures.boundary})`,
    '',
    `The trained network (hidden std 1/√2, seed ${r.trajectorySeeds.boundary}) over the input square, with the four XOR points.`,
    '',
    `![Each hidden neuron's line and the hidden space](${r.figures.neurons})`,
    '',
    `How it solves XOR: each hidden neuron is one linear classifier, its line w.x + b = 0 (the article's two black lines), and in the`,
    `hidden space (h1, h2) the four samples become separable by the output neuron's line. ` +
      (r.stuckSeed === null
        ? 'No training with hidden std 0.05 and seeds 1-100 ended at the ln 2 saddle, so only the learned network is shown.'
        : `Beside it, hidden std 0.05 with seed ${r.stuckSeed} (the first seed from 1 up whose final mean loss is within 0.01 of ln 2): both hidden units stay alike, so the samples stay together and no line separates them.`),
    '',
    '## Data',
    '',
    '`summary.csv`: one row per point of every study (mean, std, count, standard error, 95% CI, success rate).',
    `Every trial is in \`${r.database}\`: \`xorlab summary ${r.studyNames.curve} --db ${r.database}\`, \`xorlab export ${r.studyNames.curve} --db ${r.database}\`.`,
    '',
  ];
  return `${lines.filter((l, i, all) => !(l === '' && all[i - 1] === '')).join('\n')}`;
}
