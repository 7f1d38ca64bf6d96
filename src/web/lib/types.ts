// What the server's API sends (types only: erased from the bundle).
export type { StudyListing, StudyView, StudyCharts } from '../../study/view.js';
export type { StudySummary, SummaryComparison } from '../../study/summary.js';
