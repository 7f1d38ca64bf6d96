// The second part of report.md, "What the article asks next": for each of the three questions a figure, a table with
// 95% intervals and findings written from the numbers, the baseline named; where an interval contains 0 the text
// says the question is not resolved at this scale and about how many trainings would resolve it. Pure text.
import type { PointSummary } from '../store/types.js';
import {
  EXCLUSION_MARK,
  EXCLUSION_RULE,
  MARKED_MEANING,
  exclusionPhrase,
  metricPoint,
  type MetricPoint,
} from '../study/analysis/metrics.js';
import { csvLine, short } from '../text/format.js';
import { MAX_STUDY_TRIALS } from '../study/definition/definition.js';
import { scheduleSettings, type Difference, type NextScale, type Question, type SettingResult } from './next.js';

const n = (x: number) => x.toLocaleString('en-US');
const num = (x: number | null | undefined, digits = 3) =>
  x !== null && x !== undefined && Number.isFinite(x) ? short(x, digits) : '–';
/** |x| to one decimal; one significant digit below 0.05, so that a bound just off 0 does not read "−0.0". */
const oneDecimal = (x: number) => (x !== 0 && Math.abs(x) < 0.05 ? Math.abs(x).toPrecision(1) : Math.abs(x).toFixed(1));
const signed = (x: number, unit: string) => `${x < 0 ? '−' : x > 0 ? '+' : ''}${oneDecimal(x)}${unit}`;
const plain = (x: number, unit: string) => `${x < 0 ? '−' : ''}${oneDecimal(x)}${unit}`;

/** "0.912 [0.85, 0.97]", or a dash where there is no value; marked where the mean leaves out many diverged trials. */
function valueCell(m: MetricPoint, digits = 3): string {
  if (m.value === null) return '–';
  const mark = m.marked ? ` ${EXCLUSION_MARK}` : '';
  return (
    (m.low !== null && m.high !== null
      ? `${num(m.value, digits)} [${num(m.low, digits)}, ${num(m.high, digits)}]`
      : num(m.value, digits)) + mark
  );
}

function rateCell(m: MetricPoint): string {
  if (m.value === null || m.low === null || m.high === null) return '–';
  return `${(100 * m.value).toFixed(1)}% [${(100 * m.low).toFixed(1)}, ${(100 * m.high).toFixed(1)}]`;
}

function epochsCell(m: MetricPoint): string {
  return m.value === null
    ? `– (0 of ${n(m.count)} reached it)`
    : `${valueCell(m, 4)} (${n(m.n)} of ${n(m.count)} reached it)`;
}

function fitCell(s: SettingResult): string {
  return s.fit
    ? `${num(s.fit.x)} [${num(s.fit.low)}, ${num(s.fit.high)}]${s.fitMarked.length ? ` ${EXCLUSION_MARK}` : ''}`
    : 'no minimum found';
}

/** What a setting's results leave out: the diverged trainings of its lowest grid mean, the marked points its fit
 * rests on ('' when nothing). */
function exclusionSentence(s: SettingResult): string {
  const parts: string[] = [];
  if (s.loss.excluded > 0)
    parts.push(
      `its lowest grid mean's total loss is over the trainings that did not diverge (${exclusionPhrase(s.loss.excluded, s.loss.count)})`,
    );
  if (s.fitMarked.length) {
    const shown = s.fitMarked.slice(0, 3).map(
      (p) =>
        `${Object.entries(p.params)
          .filter(([k]) => k === 'hiddenStd' || k === 'lr')
          .map(([k, v]) => `${axisName(k)} ${num(v as number)}`)
          .join(', ')}: ${n(p.excluded)} of ${n(p.count)}`,
    );
    const more = s.fitMarked.length > shown.length ? `, and ${s.fitMarked.length - shown.length} more` : '';
    parts.push(
      `its fitted best rests on ${s.fitMarked.length} marked point${s.fitMarked.length > 1 ? 's' : ''} (${MARKED_MEANING}: ${shown.join('; ')}${more})`,
    );
  }
  if (parts.length === 0) return '';
  const text = parts.join('; ');
  return `${EXCLUSION_MARK} ${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** The sentence for a difference whose interval contains 0. */
export function unresolvedText(d: Difference, what: string): string {
  const unit = d.kind === 'percent' ? '%' : ' points';
  const size = `${what} ${signed(d.value, unit)} [${plain(d.low, '')}, ${plain(d.high, '')}]`;
  const more =
    d.needed !== null
      ? `about ${n(d.needed)} trainings at each of the two points (now ${n(d.n[0])} and ${n(d.n[1])}) would resolve a difference of this size`
      : d.value === 0
        ? 'the measured difference is exactly 0, so no number of trainings can be named'
        : `a difference this small would take more than ${n(MAX_STUDY_TRIALS)} trainings at each point`;
  return `${size}: the interval contains 0, so this is not resolved at this scale; ${more}.`;
}

/** A resolved difference of total loss in words: "66.9% [64.2, 69.5] below sigmoid's". */
function lossAgainst(d: Difference, base: SettingResult): string {
  const below = d.value < 0;
  const [lo, hi] = below ? [-d.high, -d.low] : [d.low, d.high];
  return `${Math.abs(d.value).toFixed(1)}% [${lo.toFixed(1)}, ${hi.toFixed(1)}] ${below ? 'below' : 'above'} ${base.name}'s`;
}

function lossSentence(
  s: SettingResult,
  base: SettingResult,
  d: Difference,
  where: (s: SettingResult) => string,
): string {
  if (!d.resolved) return `**${s.name}** against ${base.name}: ${unresolvedText(d, 'total loss')}`;
  return `**${s.name}** reaches a total loss ${lossAgainst(d, base)}, each at its lowest grid mean (${where(s)} against ${where(base)}).`;
}

function successSentence(s: SettingResult, base: SettingResult, d: Difference): string {
  const rate = (m: MetricPoint) => `${(100 * (m.value ?? NaN)).toFixed(1)}%`;
  if (!d.resolved) return `Success: ${unresolvedText(d, `${rate(s.success)} against ${rate(base.success)},`)}`;
  return `It learns XOR ${d.value > 0 ? 'more' : 'less'} often: ${rate(s.success)} of trainings against ${rate(base.success)}, ${signed(d.value, '')} points [${plain(d.low, '')}, ${plain(d.high, '')}].`;
}

const at = (param: string) => (s: SettingResult) =>
  `${param === 'hiddenStd' ? 'std' : param} ${num(s.point.params[param] as number)}`;

function ruleSentence(s: SettingResult): string {
  if (!s.rule) return '';
  const name = s.rule.he ? 'He' : 'Xavier/Glorot';
  if (!s.fit || !Number.isFinite(s.fit.low) || !Number.isFinite(s.fit.high))
    return ` No minimum could be fitted along the std; its lowest grid mean is at ${num(s.point.params.hiddenStd as number)} (${name} predicts ${num(s.rule.x)}).`;
  const inside = s.rule.x >= s.fit.low && s.rule.x <= s.fit.high;
  return ` Its fitted best std ${fitCell(s)} ${inside ? 'contains' : 'does not contain'} the ${name} prediction ${num(s.rule.x)}.`;
}

const axisName = (axis: string) => (axis === 'hiddenStd' ? 'std' : axis);

/** "Its lowest grid mean lies at the edge of the grid (lr 1 is the largest swept): its best may lie beyond it." */
export function edgeSentence(s: SettingResult): string {
  if (s.edges.length === 0) return '';
  const where = s.edges
    .map((e) => `${axisName(e.axis)} ${num(s.point.params[e.axis] as number)} is the ${e.side} swept`)
    .join(', ');
  return `Its lowest grid mean lies at the edge of the grid (${where}): its best may lie beyond it.`;
}

/** A grid value in a table, marked where it is the grid's edge. */
function gridCell(s: SettingResult, axis: string): string {
  return `${num(s.point.params[axis] as number)}${s.edges.some((e) => e.axis === axis) ? ' (edge)' : ''}`;
}

/** The baseline's best point in words: "std 0.459", "lr 0.744", "lr 1 and std 0.49". */
function bestPlace(q: Question, base: SettingResult): string {
  const v = (axis: string) => num(base.point.params[axis] as number);
  return q.key === 'activation'
    ? `std ${v('hiddenStd')}`
    : q.key === 'schedule'
      ? `lr ${v('lr')}`
      : `lr ${v('lr')} and std ${v('hiddenStd')}`;
}

/** The comparison at the baseline's best point, paired by seed (success only for the loss question: the two total
 * losses are in different units). */
function pairedSentence(q: Question, s: SettingResult, base: SettingResult): string {
  const p = s.paired!;
  const where = `at ${base.name}'s best ${bestPlace(q, base)}, paired by seed (${n(p.pairs)} pairs started from the same weights${q.key === 'loss' ? '' : `, correlation of their total losses ${Number.isFinite(p.correlation) ? `${p.correlation < 0 ? '−' : ''}${Math.abs(p.correlation).toFixed(3)}` : '–'}`})`;
  const parts: string[] = [];
  if (q.key !== 'loss') {
    const d = p.loss;
    if (!d) parts.push(`Compared ${where}: too few pairs for the total loss.`);
    else if (d.resolved) parts.push(`Compared ${where}: ${s.name}'s total loss is ${lossAgainst(d, base)}.`);
    else parts.push(`Compared ${where}: ${unresolvedText(d, 'total loss')}`);
  }
  if (p.success) {
    const d = p.success;
    const lead = q.key === 'loss' ? `Compared ${where}, success` : 'Success there, paired';
    parts.push(
      d.resolved
        ? `${lead}: ${signed(d.value, '')} points [${plain(d.low, '')}, ${plain(d.high, '')}].`
        : `${lead}: ${unresolvedText(d, 'a difference of')}`,
    );
  }
  return parts.join(' ');
}

/** The findings of a question, one paragraph per compared setting. */
export function findings(q: Question): string[] {
  const base = q.settings.find((s) => s.name === q.baseline);
  if (!base) return [`No trainings of the baseline (${q.baseline}) are stored: nothing is compared.`];
  const out: string[] = [];
  out.push(
    `**${base.name}** is the baseline (the article's).${ruleSentence(base)} ${edgeSentence(base)} ${exclusionSentence(base)}`
      .replace(/ +/g, ' ')
      .trim(),
  );
  for (const s of q.settings) {
    if (s === base) continue;
    const parts: string[] = [];
    if (q.key === 'loss') {
      parts.push(
        `Each at its own best learning rate: **${s.name}** at lr ${num(s.point.params.lr as number)} (std ${num(s.point.params.hiddenStd as number)}), ${base.name} at lr ${num(base.point.params.lr as number)} (std ${num(base.point.params.hiddenStd as number)}).`,
      );
      if (s.point.point !== base.point.point && s.successVsBaseline)
        parts.push(
          s.successVsBaseline.resolved
            ? successSentence(s, base, s.successVsBaseline).replace('It learns', `${s.name} learns`)
            : successSentence(s, base, s.successVsBaseline),
        );
      if (s.paired) parts.push(pairedSentence(q, s, base));
    } else if (s.paired && s.point.point === base.point.point) {
      // The same best point as the baseline's: its trainings have the baseline's seeds, so only the paired comparison is given.
      parts.push(
        `**${s.name}** has its lowest grid mean at the same ${q.key === 'activation' ? 'std' : 'lr'} as ${base.name}.`,
        pairedSentence(q, s, base),
      );
      if (q.key === 'activation') parts.push(ruleSentence(s).trim());
    } else {
      const where = at(q.key === 'activation' ? 'hiddenStd' : 'lr');
      parts.push(
        s.lossVsBaseline
          ? lossSentence(s, base, s.lossVsBaseline, where)
          : `**${s.name}**: too few trainings to compare its total loss with ${base.name}'s.`,
      );
      if (s.successVsBaseline) parts.push(successSentence(s, base, s.successVsBaseline));
      if (q.key === 'activation') parts.push(ruleSentence(s).trim());
      if (s.paired) parts.push(pairedSentence(q, s, base));
    }
    parts.push(edgeSentence(s), exclusionSentence(s));
    out.push(parts.filter(Boolean).join(' '));
  }
  return out;
}

/** A question's figure, table and findings. */
function results(q: Question, figureAlt: string, figure: string): string[] {
  const marked = q.settings.some((s) => s.loss.marked || s.fitMarked.length > 0);
  return [
    `![${figureAlt}](${figure})`,
    '',
    ...table(q),
    '',
    ...(marked ? [`${EXCLUSION_RULE} (or, beside a fitted value, a point the fit used).`, ''] : []),
    ...findings(q).flatMap((f) => [f, '']),
  ];
}

function table(q: Question): string[] {
  const epochsHead = 'epochs to loss 0.05 [95% CI]';
  switch (q.key) {
    case 'activation':
      return [
        `| activation | fitted best std [95% CI] | init rule | lowest grid mean at std | total loss there [95% CI] | success [95% Wilson] | ${epochsHead} |`,
        '| --- | --- | --- | ---: | --- | --- | --- |',
        ...q.settings.map(
          (s) =>
            `| ${s.name} | ${fitCell(s)} | ${s.rule ? `${s.rule.he ? 'He' : 'Xavier'} ${num(s.rule.x)}` : '–'} | ${gridCell(s, 'hiddenStd')} | ${valueCell(s.loss)} | ${rateCell(s.success)} | ${epochsCell(s.epochs)} |`,
        ),
      ];
    case 'loss':
      return [
        `| loss | best lr | best std at that lr: fitted [95% CI] | lowest grid mean at std | total loss there, its own units [95% CI] | success [95% Wilson] | ${epochsHead} |`,
        '| --- | ---: | --- | ---: | --- | --- | --- |',
        ...q.settings.map(
          (s) =>
            `| ${s.name} | ${gridCell(s, 'lr')} | ${fitCell(s)} | ${gridCell(s, 'hiddenStd')} | ${valueCell(s.loss)} | ${rateCell(s.success)} | ${epochsCell(s.epochs)} |`,
        ),
      ];
    case 'schedule':
      return [
        `| schedule | fitted best initial lr [95% CI] | lowest grid mean at lr | total loss there [95% CI] | success [95% Wilson] | ${epochsHead} |`,
        '| --- | --- | ---: | --- | --- | --- |',
        ...q.settings.map(
          (s) =>
            `| ${s.name} | ${fitCell(s)} | ${gridCell(s, 'lr')} | ${valueCell(s.loss)} | ${rateCell(s.success)} | ${epochsCell(s.epochs)} |`,
        ),
      ];
  }
}

interface NextReportInput {
  scaleName: string;
  epochs: number;
  next: NextScale;
  questions: { activation: Question; loss: Question; schedule: Question };
  studyNames: { activation: string; loss: string; schedule: string };
  figures: { activation: string; loss: string; schedule: string };
  database: string;
}

/** The section's markdown (starts with its `## ` heading, ends with a newline). */
export function nextMarkdown(r: NextReportInput): string {
  const { activation, loss, schedule } = r.questions;
  const total = activation.trainings + loss.trainings + schedule.trainings;
  const s = scheduleSettings(r.epochs);
  const lines = [
    '## What the article asks next',
    '',
    `The article closes by naming its next questions: the activation, the loss and the learning-rate schedule. Three more studies`,
    `(${n(total)} trainings, ${r.scaleName} scale) answer them on the same network and training (XOR, 2-2-1, output sigmoid, BCE and lr 0.1`,
    `where not swept, ${n(r.epochs)} epochs, output std 0.8165, seed order), changing what each question asks about. Intervals are 95%: Welch's t for a ratio of`,
    'mean total losses (delta method), Wilson for a success rate, Newcombe for a difference of two rates; the fitted best values are the',
    'minimum of a smooth fit along the swept axis with a bootstrap interval, as in the first part ("no minimum found": fewer than 7',
    'points in any window of the fit, or a curve still falling at the edge of the grid).',
    '',
    "**Paired or not.** A training's seed is a function of (root seed, point, repeat). Each setting has a study of its own, and a",
    "question's studies share one root seed and one grid, so at the same grid point trial r of every setting starts from the same",
    "weights. Each setting is therefore compared with the baseline at the baseline's best grid point pair by pair (a paired t interval",
    "of the ratio of mean total losses; Newcombe's paired interval for success). Where a setting's own best grid point is another",
    'point, it is also compared there, unpaired (Welch; Newcombe for independent rates). Picking the lowest of noisy means as a',
    "setting's best flatters every setting a little, most where its curve is noisiest.",
    '',
    '### Activation',
    '',
    `Hidden sigmoid, tanh, ReLU, leaky ReLU and ELU (output sigmoid, BCE) across the hidden init std (\`${r.next.activationStds}\`,`,
    `${n(r.next.activationRepeats)} trainings per point; studies \`${r.studyNames.activation}\`). The baseline is sigmoid, the article's.`,
    'The init rule is the prediction for the 2-input, 2-unit hidden layer: Xavier/Glorot √(2/(2+2)) for sigmoid and tanh, He √(2/2) for the ReLU family.',
    '',
    ...results(activation, 'Total loss against the hidden init std, one line per activation', r.figures.activation),
    '### Loss',
    '',
    `Binary cross-entropy against mean squared error (output sigmoid) across the hidden init std (\`${r.next.lossStds}\`) and the`,
    `learning rate (${r.next.lossLrs.join(', ')}), ${n(r.next.lossRepeats)} trainings per point (studies \`${r.studyNames.loss}\`). MSE's gradients`,
    "are smaller (its output gradient carries the sigmoid's derivative, at most 1/4), so comparing both at one learning rate would",
    'handicap it: each loss is taken at its own best learning rate and std, the grid point with the lowest mean of its own total loss.',
    'Their total losses are in different units and are not compared; the success rate is. Epochs to the loss threshold 0.05 are shown',
    "but not compared either: below 0.05 is a different target for each loss. The baseline is BCE, the article's.",
    '',
    ...results(
      loss,
      'Success rate against the hidden init std, one line per loss, a panel per learning rate',
      r.figures.loss,
    ),
    '### Learning-rate schedule',
    '',
    `Constant, step (×${s.stepGamma} every ${n(s.stepEvery)} epochs), exponential (×${s.expGamma} per epoch, ending near 5% of the initial rate) and`,
    `cosine (down to ${s.minLr}) across the initial learning rate (\`${r.next.scheduleLrs}\`), at the article's init (hidden std 1, output std 0.8165),`,
    `${n(r.next.scheduleRepeats)} trainings per point (studies \`${r.studyNames.schedule}\`). The baseline is the constant rate, the article's.`,
    '',
    ...results(schedule, 'Total loss against the initial learning rate, one line per schedule', r.figures.schedule),
    `The points of these studies are in \`next-summary.csv\`; every trial is in \`${r.database}\` (\`xorlab summary ${r.studyNames.activation.replace('<name>', 'tanh')} --db ${r.database}\`).`,
    '',
  ];
  return lines.join('\n');
}

/** One row per point of the three studies: the swept parameters, total loss with its CI, success with its Wilson
 * interval, epochs to the threshold. */
export function nextSummaryCsv(studies: readonly { name: string; points: readonly PointSummary[] }[]): string {
  const params = ['activation', 'loss', 'schedule', 'lr', 'hiddenStd'];
  const header = [
    'study',
    'point',
    ...params.map((p) => (p === 'hiddenStd' ? 'hidden_std' : p)),
    'count',
    'loss_count',
    'mean',
    'std',
    'stderr',
    'ci95_low',
    'ci95_high',
    'successes',
    'success_rate',
    'success_low',
    'success_high',
    'diverged',
    'marked',
    'reached_threshold',
    'mean_epochs_to_threshold',
  ];
  const lines = [csvLine(header)];
  for (const s of studies) {
    for (const p of s.points) {
      // The intervals of the report's tables and of `xorlab summary` (metricPoint: t cut at 0, Wilson).
      const loss = metricPoint(p, 'totalLoss');
      const success = metricPoint(p, 'success');
      lines.push(
        csvLine([
          s.name,
          p.point,
          ...params.map((k) => p.params[k]),
          p.count,
          p.lossCount,
          p.mean,
          p.std,
          p.stderr,
          loss.low,
          loss.high,
          p.successes,
          p.successRate,
          success.low,
          success.high,
          p.diverged,
          loss.marked ? 1 : 0,
          p.epochsToThreshold.n,
          p.meanEpochsToThreshold,
        ]),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
