// What the dashboard shows (xorlab serve), built from the store: the listing of studies, and one study's view (its
// line, summary and chart specs). Every read goes through the Store interface and reads the per-block aggregates:
// O(points). The pages import these types; the server builds the objects.
import type { TopLevelSpec } from 'vega-lite';
import { curveSpecOf, studyHeatmapInput, sweptParameters } from './charts.js';
import { ChartDataError } from '../../plot/errors.js';
import { heatmapSpec } from '../../plot/landscape.js';
import type { PointSummary, Store, StudyRecord } from '../../store/types.js';
import { plannedTrials, studyLine, type StudyLine } from '../analysis/listing.js';
import { staleDivergedTrials } from '../analysis/stale.js';
import { summaryReport, type StudySummary } from '../analysis/summary.js';
import { liveMinimum, type LiveMinimum } from './live-minimum.js';

export type { LiveCurveMinimum, LiveMinimum } from './live-minimum.js';

/** A study of the listing, as the API sends it: `xorlab studies --json`'s line plus what the dashboard adds. */
export interface StudyListing extends StudyLine {
  /** Points and trials the definition's sweep plans (refine adds trials beyond); null when unknown. */
  planned: { points: number; trials: number } | null;
  /** When this server last saw the study's trials change (ISO time); null: no change since it started. */
  updatedAt: string | null;
}

export interface StudyCharts {
  /** The Vega-Lite spec of `xorlab plot curve` (1-D numeric studies), else null. */
  curve: TopLevelSpec | null;
  /** The Vega-Lite spec of `xorlab plot heatmap` (2-D studies), else null. */
  heatmap: TopLevelSpec | null;
  /** Why there is no chart, when there is none. */
  note: string | null;
}

export interface StudyView {
  study: StudyListing & { definition: unknown; axes: string[] };
  summary: StudySummary;
  /** The fitted minimum per curve with its interval's width, what the page follows while a refine runs. */
  minimum: LiveMinimum;
  charts: StudyCharts;
}

export const DEFAULT_LEVEL = 0.95;

export function listing(record: StudyRecord, updatedAt: string | null): StudyListing {
  const line = studyLine(record);
  return { ...line, planned: plannedTrials(record.definition, line.swept), updatedAt };
}

export function studyCharts(record: StudyRecord, points: readonly PointSummary[]): StudyCharts {
  const axes = sweptParameters(record, points);
  const attempt = (make: () => TopLevelSpec): { spec: TopLevelSpec | null; note: string | null } => {
    try {
      return { spec: make(), note: null };
    } catch (error) {
      if (error instanceof ChartDataError) return { spec: null, note: error.message };
      throw error;
    }
  };
  if (axes.length === 2) {
    const heatmap = attempt(() => heatmapSpec(studyHeatmapInput(record, points)));
    return { curve: null, heatmap: heatmap.spec, note: heatmap.note };
  }
  const curve = attempt(() => curveSpecOf(record, points));
  return { curve: curve.spec, heatmap: null, note: curve.note };
}

export async function studyView(
  store: Store,
  record: StudyRecord,
  updatedAt: string | null,
  summarized?: readonly PointSummary[],
): Promise<StudyView> {
  const points = summarized ?? (await store.summarize(record.name));
  const summary = summaryReport(record.name, points, { level: DEFAULT_LEVEL });
  // A study written before f32 overflow was retrained in f64 is flagged (a scan, only where trials diverged).
  summary.staleDiverged = (await staleDivergedTrials(store, record.name, points)).length;
  const axes = sweptParameters(record, points);
  return {
    study: { ...listing(record, updatedAt), definition: record.definition, axes },
    summary,
    minimum: liveMinimum(summary, points, axes),
    charts: studyCharts(record, points),
  };
}
