// The mark of a study stored before the fast engine carried f32 overflow into f64: trials stored as diverged by the
// fast engine in f32. An xorlab of today never stores one (a non-finite f32 trial is trained again in f64), so they
// are exactly what `xorlab recheck` (../run/recheck.ts) recomputes. Free of the engine: the summary and the dashboard
// read it.
import type { PointSummary, Store, TrialRow } from '../../store/types.js';

/** Whether a stored trial is one recheck recomputes: diverged in the fast engine's f32. */
export function isStaleDiverged(row: Pick<TrialRow, 'diverged' | 'engine' | 'precision'>): boolean {
  return row.diverged && row.engine === 'fast' && row.precision === 'f32';
}

/** The study's stored trials that recheck recomputes, in (point, repeat) order. Reads every trial, unless the
 * study's per-point summary (when given) shows no diverged trial at all. */
export async function staleDivergedTrials(
  store: Pick<Store, 'iterateTrials'>,
  name: string,
  summary?: readonly PointSummary[],
): Promise<TrialRow[]> {
  if (summary && !summary.some((p) => p.diverged > 0)) return [];
  const stale: TrialRow[] = [];
  for await (const row of store.iterateTrials(name)) if (isStaleDiverged(row)) stale.push(row);
  return stale;
}

/** The one line that flags a study holding such trials (summary, dashboard), with the command that fixes it. */
export function staleDivergedNote(count: number, command: string): string {
  return (
    `${count.toLocaleString('en-US')} trial${count === 1 ? ' is' : 's are'} stored as diverged by the fast engine in f32, as xorlab did before f32 overflow ` +
    `was trained again in f64: most are an overflow of f32's range, not a divergence, and the means leave them out; recompute them in f64 with: ${command}`
  );
}
