// A study's per-point table as CSV (`xorlab summary --csv`, and a web page's study download): full precision.
import type { PointSummary } from '../store/types.js';
import { csvLine } from '../text/format.js';
import { paramNamesOfPoints } from './points.js';
import { relativeStandardError } from './stats.js';

export const SUMMARY_CSV_COLUMNS = ['count', 'lossCount', 'mean', 'std', 'stderr', 'rse', 'successRate', 'diverged', 'meanEpochsToThreshold'] as const;

/** The header and one line per point, each line ending in a newline. */
export function summaryCsv(points: readonly PointSummary[]): string {
  const swept = paramNamesOfPoints(points);
  const header = ['point', ...swept, ...SUMMARY_CSV_COLUMNS];
  const lines = points.map((p) =>
    csvLine([p.point, ...swept.map((n) => p.params[n]), p.count, p.lossCount, p.mean, p.std, p.stderr, relativeStandardError(p), p.successRate, p.diverged, p.meanEpochsToThreshold]),
  );
  return `${[csvLine(header), ...lines].join('\n')}\n`;
}
