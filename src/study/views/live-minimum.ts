// The fitted minimum as the dashboard follows it while a refine (plain or goal-directed) or a sweep writes: per curve
// (one per category of the other axes, as `summary` shows them) the fitted x, its interval and width, the points the
// fit used, and the trials behind it with the diverged ones left out of its means. Built from the summary the view
// already holds (no second fit), so the page shows exactly what `xorlab summary` prints for the same trials.
// Also the key of a study's stored content, which changes when trials are added and when `xorlab recheck` replaces
// them in place (their count stays as it was).
import type { ParamValue, PointSummary, StudyRecord } from '../../store/types.js';
import { describeAt, numericAxes } from '../analysis/curves.js';
import type { StudySummary } from '../analysis/summary.js';

/** One curve's minimum: fitted, or why not. */
export interface LiveCurveMinimum {
  /** The other axes' values along this curve, and as text ("activation=tanh"; '' for a one-axis study). */
  at: Record<string, unknown>;
  label: string;
  /** The fitted minimum and its interval (in the axis's units), or null where no minimum was fitted. */
  x: number | null;
  low: number | null;
  high: number | null;
  /** high - low: what `refine --goal minimum --target-width` narrows. */
  width: number | null;
  /** Grid points the fit used (its window). */
  points: number | null;
  /** Stored trials on this curve (diverged ones included), and the diverged ones left out of its means. */
  trials: number;
  excluded: number;
  /** Why there is no fitted minimum (too few points, no interior minimum); null when there is one. */
  reason: string | null;
}

export interface LiveMinimum {
  /** The numeric axis the minimum is fitted along; null when the study has none or more than one. */
  along: string | null;
  level: number;
  /** Every stored trial, and the diverged ones (left out of the means). */
  trials: number;
  diverged: number;
  curves: LiveCurveMinimum[];
  /** Why no curve is fitted at all (no single numeric axis); null otherwise. */
  note: string | null;
}

/** The minimum per curve of a summary of `points` (the same points, in the study's axis order `axes`). */
export function liveMinimum(
  summary: StudySummary,
  points: readonly PointSummary[],
  axes: readonly string[],
): LiveMinimum {
  const diverged = points.reduce((sum, p) => sum + p.diverged, 0);
  const numeric = numericAxes(points, axes);
  const level = summary.fitted[0]?.level ?? 0.95;
  const base = { level, trials: summary.trials, diverged };
  if (numeric.length !== 1) {
    const note =
      points.length === 0
        ? 'no trials yet'
        : numeric.length === 0
          ? 'no numeric axis: a minimum is fitted along one numeric axis'
          : `${numeric.length} numeric axes (${numeric.join(', ')}): a minimum is fitted along one numeric axis`;
    return { ...base, along: null, curves: [], note };
  }
  const along = numeric[0];
  const others = axes.filter((a) => a !== along);
  const keyOf = (at: Record<string, unknown>): string => JSON.stringify(others.map((o) => at[o]));
  const fitted = new Map(summary.fitted.map((f) => [keyOf(f.at), f]));
  const unfitted = new Map(summary.unfitted.map((u) => [keyOf(u.at), u]));
  // The curves in the study's point order, with each one's trials and the diverged ones left out of its means.
  const curves = new Map<string, LiveCurveMinimum>();
  const rows = new Map(summary.points.map((p) => [p.point, p]));
  for (const p of points) {
    const at: Record<string, ParamValue> = Object.fromEntries(others.map((o) => [o, p.params[o]]));
    const key = keyOf(at);
    let curve = curves.get(key);
    if (!curve) {
      const fit = fitted.get(key);
      curve = {
        at,
        label: describeAt(at),
        x: fit?.x ?? null,
        low: fit?.low ?? null,
        high: fit?.high ?? null,
        width: fit ? fit.high - fit.low : null,
        points: fit?.points ?? null,
        trials: 0,
        excluded: 0,
        reason: fit ? null : (unfitted.get(key)?.reason ?? 'no minimum is fitted for this metric'),
      };
      curves.set(key, curve);
    }
    curve.trials += p.count;
    curve.excluded += rows.get(p.point)?.value.excluded ?? p.diverged;
  }
  return { ...base, along, curves: [...curves.values()], note: null };
}

/** A key of everything a study's view is built from: its record's identity and counts, and each point's stored
 * aggregates. Trials are only added or replaced (`xorlab recheck` refolds their blocks), and either changes a
 * moment of the point, so the same key means the same view. O(points): read from the summary of the block
 * aggregates, never the trials. */
export function contentKey(record: StudyRecord, points: readonly PointSummary[]): string {
  const parts: (string | number | null)[] = [record.createdAt, record.trialCount, record.pointCount];
  for (const p of points) {
    parts.push(
      p.point,
      p.count,
      p.lossCount,
      p.mean,
      p.std,
      p.successes,
      p.diverged,
      p.finalLoss.n,
      p.finalLoss.mean,
      p.finalLoss.std,
      p.epochsToThreshold.n,
      p.epochsToThreshold.mean,
      p.epochsToThreshold.std,
    );
  }
  return parts.join('|');
}
