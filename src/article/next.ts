// The article's next questions (its closing paragraph names them): which hidden activation, which loss, which
// learning-rate schedule. Three studies on the article's network, and what their stored points say: per setting its
// best place on the swept axis and its metrics there, and each setting against a named baseline with a 95% interval.
// Pure: definitions in, per-point summaries in, numbers and sentences out (./next-report.ts writes the markdown).
import type { ParamValue, PointSummary, PointValues } from '../store/types.js';
import type { StudyDefinitionInput } from '../study/definition/definition.js';
import { initRule, type InitRule } from '../study/views/chart-labels.js';
import { bestPoint, curveBests, curvesAlong, markedInFit, type MarkedPoint } from '../study/analysis/curves.js';
import { metricPoint, metricSample, type MetricPoint } from '../study/analysis/metrics.js';
import type { MinimumFit } from '../study/analysis/minimum.js';
import { pairedRateDifference, rateDifference } from '../study/analysis/proportions.js';
import { outcomeTable, pairUp, pairedCompare } from '../study/analysis/paired.js';
import { compare } from '../study/analysis/stats.js';
import { MAX_STUDY_TRIALS } from '../study/definition/definition.js';
import { articleConfig } from './config.js';

export const NEXT_ACTIVATIONS = ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'elu'] as const;
export const NEXT_LOSSES = ['bce', 'mse'] as const;
export const NEXT_SCHEDULES = ['constant', 'step', 'exponential', 'cosine'] as const;

/** The sizes of the three studies at one scale. Grids are `exp:` (std) and `log:` (learning rate) strings. */
export interface NextScale {
  activationStds: string;
  activationRepeats: number;
  lossLrs: readonly number[];
  lossStds: string;
  lossRepeats: number;
  scheduleLrs: string;
  scheduleRepeats: number;
}

/** One study per setting (NEXT_ACTIVATIONS', NEXT_LOSSES', NEXT_SCHEDULES' order). A question's studies share one
 * root seed and one grid: at the same grid point, trial r of every setting starts from the same weights, so settings
 * can be compared paired by seed there. */
interface NextStudies {
  activations: StudyDefinitionInput[];
  losses: StudyDefinitionInput[];
  schedules: StudyDefinitionInput[];
}

/** Each question's setting axis and its values, in study order. */
export const NEXT_SETTINGS = {
  activation: { axis: 'activation', values: NEXT_ACTIVATIONS },
  loss: { axis: 'loss', values: NEXT_LOSSES },
  schedule: { axis: 'schedule', values: NEXT_SCHEDULES },
} as const;

/** Schedule settings for `epochs`: the step schedule halves the rate at each quarter, the exponential one ends at
 * 5% of the initial rate (0.9997 per epoch at 10,000 epochs), the cosine one ends at 0. */
export function scheduleSettings(epochs: number): {
  stepEvery: number;
  stepGamma: number;
  expGamma: number;
  minLr: number;
} {
  return {
    stepEvery: Math.max(1, Math.round(epochs / 4)),
    stepGamma: 0.5,
    expGamma: Number((0.05 ** (1 / epochs)).toPrecision(6)),
    minLr: 0,
  };
}

/** The definitions; names are `${prefix}-activation-<name>`, `-loss-<name>`, `-schedule-<name>`. Root seeds differ
 * from the first part's (seed, seed + 1) so that no training is shared with it; a question's studies share theirs. */
export function nextStudies(next: NextScale, epochs: number, prefix: string, seed = 1): NextStudies {
  const base = articleConfig('seed', epochs);
  return {
    activations: NEXT_ACTIVATIONS.map((activation) => ({
      name: `${prefix}-activation-${activation}`,
      config: { ...base, activation },
      sweep: { hiddenStd: next.activationStds },
      repeats: next.activationRepeats,
      seed: seed + 2,
    })),
    losses: NEXT_LOSSES.map((loss) => ({
      name: `${prefix}-loss-${loss}`,
      config: { ...base, loss },
      sweep: { lr: [...next.lossLrs], hiddenStd: next.lossStds },
      repeats: next.lossRepeats,
      seed: seed + 3,
    })),
    schedules: NEXT_SCHEDULES.map((schedule) => ({
      name: `${prefix}-schedule-${schedule}`,
      config: { ...base, ...scheduleSettings(epochs), schedule },
      sweep: { lr: next.scheduleLrs },
      repeats: next.scheduleRepeats,
      seed: seed + 4,
    })),
  };
}

/** A question's studies' points as one set, each with its setting as a parameter (for the figure and the question). */
export function mergeSettings(
  axis: string,
  values: readonly string[],
  perSetting: readonly (readonly PointSummary[])[],
): PointSummary[] {
  return perSetting.flatMap((points, i) => points.map((p) => ({ ...p, params: { [axis]: values[i], ...p.params } })));
}

// ---- comparisons -------------------------------------------------------------------------------------------------

/** A difference of B from A with its 95% interval: a % of A's mean total loss, or percentage points of success. */
export interface Difference {
  kind: 'percent' | 'points';
  value: number;
  low: number;
  high: number;
  /** Trainings behind each side. */
  n: [number, number];
  /** Whether the interval excludes 0. */
  resolved: boolean;
  /** Where unresolved: about how many trainings per side would make an interval this wide around a difference this
   * size exclude 0 (the width shrinks as 1/sqrt(n)); null when the difference is 0 or that is beyond a study's cap. */
  needed: number | null;
}

/** Trainings per side for an interval of half-width `half` at n per side to shrink to |value|. */
export function trainingsToResolve(n: number, value: number, half: number): number | null {
  if (!(Math.abs(value) > 0) || !Number.isFinite(half)) return null;
  const needed = Math.ceil(n * (half / Math.abs(value)) ** 2);
  return needed > MAX_STUDY_TRIALS ? null : Math.max(needed, n + 1);
}

function difference(
  kind: Difference['kind'],
  value: number,
  low: number,
  high: number,
  n: [number, number],
): Difference {
  const resolved = low > 0 || high < 0;
  return {
    kind,
    value,
    low,
    high,
    n,
    resolved,
    needed: resolved ? null : trainingsToResolve(Math.min(...n), value, (high - low) / 2),
  };
}

/** Mean total loss at B against A, in % of A's (negative: B is lower), Welch interval; independent samples. */
export function lossDifference(a: PointSummary, b: PointSummary): Difference | null {
  const sa = metricSample(a, 'totalLoss');
  const sb = metricSample(b, 'totalLoss');
  const c = sa && sb ? compare(sa, sb) : null;
  return c && Number.isFinite(c.low) && Number.isFinite(c.high)
    ? difference('percent', c.percent, c.low, c.high, [sa!.n, sb!.n])
    : null;
}

/** Success rate at B minus A, in percentage points, Newcombe's interval for independent samples. */
export function successDifference(a: PointSummary, b: PointSummary): Difference | null {
  const d = rateDifference({ successes: a.successes, n: a.count }, { successes: b.successes, n: b.count });
  return d && difference('points', 100 * d.difference, 100 * d.low, 100 * d.high, [a.count, b.count]);
}

/** A comparison of two points whose trials are paired by seed (the same weights at the start). */
interface PairedDifferences {
  loss: Difference | null;
  success: Difference | null;
  /** Pairs with a total loss at both, and the correlation of their total losses. */
  pairs: number;
  correlation: number;
}

/** B against A paired by repeat: total loss in % of A's (paired t interval of the ratio), success in points
 * (Newcombe's paired interval). */
export function pairedDifferences(
  a: { loss: PointValues; success: PointValues },
  b: { loss: PointValues; success: PointValues },
): PairedDifferences {
  const pairs = pairUp(a.loss, b.loss);
  const c = pairedCompare(pairs.a, pairs.b);
  const table = outcomeTable(a.success, b.success);
  const n = table.both + table.onlyA + table.onlyB + table.neither;
  const d = pairedRateDifference(table);
  return {
    loss:
      c && Number.isFinite(c.low) && Number.isFinite(c.high)
        ? difference('percent', c.percent, c.low, c.high, [c.n, c.n])
        : null,
    success: d && difference('points', 100 * d.difference, 100 * d.low, 100 * d.high, [n, n]),
    pairs: pairs.a.length,
    correlation: c?.correlation ?? NaN,
  };
}

// ---- per setting -------------------------------------------------------------------------------------------------

/** One setting (an activation, a loss, a schedule) at its best grid point. */
export interface SettingResult {
  name: string;
  /** The grid point with the lowest mean total loss among the setting's points, and its parameters. */
  point: PointSummary;
  /** The fitted minimum along the swept axis (activation: hidden std; schedule: lr; loss: hidden std at the best lr). */
  fit: MinimumFit | null;
  loss: MetricPoint;
  success: MetricPoint;
  epochs: MetricPoint;
  /** The swept axes on which the best point is the grid's smallest or largest value: the best may lie beyond. */
  edges: { axis: string; side: 'smallest' | 'largest' }[];
  /** The marked points (most of whose trials diverged, left out of the mean) the fit used, its lowest mean's included. */
  fitMarked: MarkedPoint[];
  /** The Xavier/He prediction for the hidden layer (activation question only). */
  rule?: InitRule;
  /** Against the baseline at its own best point (absent for the baseline). */
  lossVsBaseline?: Difference | null;
  successVsBaseline?: Difference | null;
  /** Against the baseline at the baseline's best point, paired by seed. */
  paired?: PairedDifferences;
}

export interface Question {
  key: 'activation' | 'loss' | 'schedule';
  baseline: string;
  settings: SettingResult[];
  /** Trainings in the study. */
  trainings: number;
}

/** The axes (of `axes`) on which `p` sits at the smallest or largest value swept among `points`. */
export function edgesOf(
  p: PointSummary,
  points: readonly PointSummary[],
  axes: readonly string[],
): SettingResult['edges'] {
  return axes.flatMap((axis): SettingResult['edges'] => {
    const values = points.map((q) => q.params[axis]).filter((v): v is number => typeof v === 'number');
    const v = p.params[axis];
    if (typeof v !== 'number' || values.length < 2) return [];
    if (v === Math.min(...values)) return [{ axis, side: 'smallest' }];
    if (v === Math.max(...values)) return [{ axis, side: 'largest' }];
    return [];
  });
}

function setting(
  name: string,
  points: readonly PointSummary[],
  axes: readonly string[],
  fitAlong: readonly PointSummary[] = points,
): SettingResult | null {
  const best = bestPoint(points, 'totalLoss');
  if (!best) return null;
  const axis = axes[axes.length - 1];
  const fit = curveBests(curvesAlong(fitAlong, axis, []), axis, 'totalLoss')[0]?.fit ?? null;
  const p = best.point;
  const fitMarked = fit ? markedInFit(fitAlong, axis, fit, p.point, 'totalLoss') : [];
  return {
    name,
    point: p,
    fit,
    fitMarked,
    edges: edgesOf(p, points, axes),
    loss: metricPoint(p, 'totalLoss'),
    success: metricPoint(p, 'success'),
    epochs: metricPoint(p, 'epochsToThreshold'),
  };
}

/** Setting name -> its comparison with the baseline at the baseline's best point, paired by seed. */
export type PairedByName = Partial<Record<string, PairedDifferences>>;

function withBaseline(
  settings: SettingResult[],
  baseline: string,
  compareLoss: boolean,
  paired: PairedByName,
): SettingResult[] {
  const base = settings.find((s) => s.name === baseline);
  if (!base) return settings;
  return settings.map((s) => {
    if (s === base) return s;
    const p = paired[s.name];
    return {
      ...s,
      ...(compareLoss ? { lossVsBaseline: lossDifference(base.point, s.point) } : {}),
      successVsBaseline: successDifference(base.point, s.point),
      ...(p ? { paired: p } : {}),
    };
  });
}

const count = (points: readonly PointSummary[]) => points.reduce((n, p) => n + p.count, 0);
const having = (points: readonly PointSummary[], axis: string, value: ParamValue) =>
  points.filter((p) => p.params[axis] === value);

/** The activation question (points: mergeSettings'): per activation its fitted best hidden std beside the Xavier/He
 * rule for a 2-2 layer, and its metrics at its lowest grid mean; each against sigmoid (the article's) at sigmoid's,
 * and given `paired`, paired by seed at sigmoid's best point. */
export function activationQuestion(points: readonly PointSummary[], paired: PairedByName = {}): Question {
  const settings = NEXT_ACTIVATIONS.flatMap((a) => {
    const s = setting(a, having(points, 'activation', a), ['hiddenStd']);
    return s ? [{ ...s, rule: initRule({ fanIn: 2, fanOut: 2, activation: a }) }] : [];
  });
  return {
    key: 'activation',
    baseline: 'sigmoid',
    settings: withBaseline(settings, 'sigmoid', true, paired),
    trainings: count(points),
  };
}

/** The loss question: each loss at its own best (learning rate, hidden std) by its own total loss; the two losses'
 * totals are in different units, so only the success rate is compared between them (and epochs to the threshold,
 * which is a different criterion for each loss, shown but not compared). */
export function lossQuestion(points: readonly PointSummary[], paired: PairedByName = {}): Question {
  const settings = NEXT_LOSSES.flatMap((l) => {
    const mine = having(points, 'loss', l);
    const best = bestPoint(mine, 'totalLoss');
    if (!best) return [];
    const s = setting(l, mine, ['lr', 'hiddenStd'], having(mine, 'lr', best.point.params.lr));
    return s ? [s] : [];
  });
  return {
    key: 'loss',
    baseline: 'bce',
    settings: withBaseline(settings, 'bce', false, paired),
    trainings: count(points),
  };
}

/** The schedule question (points: mergeSettings'): per schedule its fitted best initial learning rate and its
 * metrics at its lowest grid mean; each against the constant rate (the article's) at the constant rate's best, and,
 * given `paired`, paired by seed at the constant rate's best point. */
export function scheduleQuestion(points: readonly PointSummary[], paired: PairedByName = {}): Question {
  const settings = NEXT_SCHEDULES.flatMap((s) => {
    const r = setting(s, having(points, 'schedule', s), ['lr']);
    return r ? [r] : [];
  });
  return {
    key: 'schedule',
    baseline: 'constant',
    settings: withBaseline(settings, 'constant', true, paired),
    trainings: count(points),
  };
}
