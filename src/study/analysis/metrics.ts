// The metrics a study can be read by (what each training stores) and one point's value of each: a mean with its
// t interval for the losses and epochsToThreshold, a proportion with its Wilson interval for success. Pure: per-point
// aggregates in, numbers out.
import { METRIC_NAMES, type MetricName, type PointSummary } from '../../store/types.js';
import { wilsonInterval } from './proportions.js';
import { confidenceInterval, rateStandardError, type SampleStats } from './stats.js';

export { METRIC_NAMES, type MetricName };

interface MetricInfo {
  /** In a sentence: "total loss". */
  label: string;
  /** On a chart's y-axis. */
  axisTitle: string;
  /** 'mean': a mean over trials; 'rate': a share of trials. */
  kind: 'mean' | 'rate';
  /** Whether a smaller value is better (losses, epochs) or a larger one (success). */
  lowerIsBetter: boolean;
  /** Which trials the value is taken over, as a phrase ("the trainings that did not diverge", "all trainings"). */
  over: string;
}

export const METRICS: Record<MetricName, MetricInfo> = {
  totalLoss: {
    label: 'total loss',
    axisTitle: 'Mean total loss (sum of the per-epoch loss)',
    kind: 'mean',
    lowerIsBetter: true,
    over: 'the trainings that did not diverge',
  },
  finalLoss: {
    label: 'final loss',
    axisTitle: 'Mean final loss',
    kind: 'mean',
    lowerIsBetter: true,
    over: 'the trainings that did not diverge',
  },
  epochsToThreshold: {
    label: 'epochs to the loss threshold',
    axisTitle: 'Mean epochs to the loss threshold',
    kind: 'mean',
    lowerIsBetter: true,
    over: 'the trainings that reached the threshold',
  },
  success: {
    label: 'success rate',
    axisTitle: 'Share of trainings that learned',
    kind: 'rate',
    lowerIsBetter: false,
    over: 'all trainings',
  },
};

export const METRIC_HELP =
  "totalLoss (the article's), finalLoss, epochsToThreshold (over the trainings that reached it), success (a rate with a Wilson interval)";

/** A point whose mean leaves out more than this share of its trials (diverged ones) is marked: in tables and charts,
 * and wherever a minimum or a comparison rests on it. */
export const EXCLUDED_SHARE_LIMIT = 0.01;
/** The mark of such a point in tables and on charts' labels. */
export const EXCLUSION_MARK = '†';
/** What a marked point is, as a phrase: "more than 1% of its trials diverged and are left out of its mean". */
export const MARKED_MEANING = `more than ${100 * EXCLUDED_SHARE_LIMIT}% of its trials diverged and are left out of its mean`;
/** What the mark means: one sentence for a table's or a chart's footnote. */
export const EXCLUSION_RULE = `${EXCLUSION_MARK}: ${MARKED_MEANING}`;

/** Whether `excluded` of `count` trials left out of a mean passes the limit. */
function isMarked(excluded: number, count: number): boolean {
  return count > 0 && excluded > EXCLUDED_SHARE_LIMIT * count;
}

/** "12 of 600 trials diverged, left out of the mean": the phrase beside a mean over a subset ('' when none is). */
export function exclusionPhrase(excluded: number, count: number): string {
  if (excluded === 0) return '';
  return `${excluded.toLocaleString('en-US')} of ${count.toLocaleString('en-US')} trials diverged, left out of the mean${isMarked(excluded, count) ? ` ${EXCLUSION_MARK}` : ''}`;
}

/** One point's value of one metric. */
export interface MetricPoint {
  /** Trainings at the point (diverged included). */
  count: number;
  /** Trainings behind the value: non-diverged (losses), that reached the threshold, or all (success). */
  n: number;
  /** The mean, or the rate; null when no training has a value. */
  value: number | null;
  std: number | null;
  /** Standard error of the mean, or sqrt(p (1 - p) / n) for a rate. */
  stderr: number | null;
  /** Confidence interval: t for a mean (null below 2 values; cut at 0, as no metric is negative), Wilson for a rate. */
  low: number | null;
  high: number | null;
  /** Diverged trials left out of the value (0 for a rate, which counts every trial). */
  excluded: number;
  /** More than EXCLUDED_SHARE_LIMIT of the point's trials left out: the value is marked wherever it is shown. */
  marked: boolean;
}

/** The sample behind a mean metric at a point (for compare and intervals); null for success or without values. */
export function metricSample(p: PointSummary, metric: MetricName): SampleStats | null {
  const m = metricMoments(p, metric);
  return m && m.mean !== null ? { n: m.n, mean: m.mean, std: m.std } : null;
}

function metricMoments(p: PointSummary, metric: MetricName) {
  switch (metric) {
    case 'totalLoss':
      return { n: p.lossCount, mean: p.mean, std: p.std, stderr: p.stderr };
    case 'finalLoss':
      return p.finalLoss;
    case 'epochsToThreshold':
      return p.epochsToThreshold;
    case 'success':
      return null;
  }
}

export function metricPoint(p: PointSummary, metric: MetricName, level = 0.95): MetricPoint {
  if (metric === 'success') {
    const w = wilsonInterval(p.successes, p.count, level);
    const value = p.count > 0 ? w.rate : null;
    return {
      count: p.count,
      n: p.count,
      value,
      std: null,
      stderr: value === null ? null : rateStandardError(value, p.count),
      low: value === null ? null : w.low,
      high: value === null ? null : w.high,
      excluded: 0,
      marked: false,
    };
  }
  const m = metricMoments(p, metric)!;
  const ci = m.mean !== null ? confidenceInterval({ n: m.n, mean: m.mean, std: m.std }, level) : null;
  // Losses and epochs are never negative: a t interval of a few heavy-tailed trials can reach below 0, and is cut
  // there (the mean it covers is >= 0, so the cut interval covers it as often; a log axis can draw it).
  const low = ci ? Math.max(0, ci.low) : null;
  return {
    count: p.count,
    n: m.n,
    value: m.mean,
    std: m.std,
    stderr: m.stderr,
    low,
    high: ci?.high ?? null,
    excluded: p.diverged,
    marked: isMarked(p.diverged, p.count),
  };
}
