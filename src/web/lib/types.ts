// What the server's API sends (types only: erased from the bundle).
export type { StudyListing, StudyView, StudyCharts } from '../../study/views/view.js';
export type { StudySummary, SummaryComparison } from '../../study/analysis/summary.js';
