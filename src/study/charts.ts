// From a stored study to the plot layer's inputs: which parameter is swept, whether its grid is spaced on a log
// scale (exp: and log: grids), and the per-point summaries as curve points or heatmap cells.
import type { CurveInput, CurvePoint } from '../plot/curve.js';
import { inferLogX } from '../plot/curve.js';
import type { HeatmapInput } from '../plot/landscape.js';
import type { PointSummary, StudyRecord } from '../store/types.js';
import { curveMinimum } from './minimum.js';
import { ChartDataError } from '../plot/errors.js';
import { storedSweep } from './listing.js';

export { ChartDataError, storedSweep };

/** The swept parameters in axis order, from the stored definition (or, failing that, from the points). */
export function sweptParameters(study: StudyRecord, points: readonly PointSummary[]): string[] {
  const sweep = storedSweep(study.definition);
  if (sweep) return Object.keys(sweep);
  return points.length ? Object.keys(points[0].params) : [];
}

/** Whether the stored grid of `param` is an exp: or log: grid; null when the definition does not say. */
export function isLogGrid(study: StudyRecord, param: string): boolean | null {
  const spec = storedSweep(study.definition)?.[param];
  if (typeof spec !== 'string') return null;
  return /^(exp|log):/.test(spec.trim());
}

export function curvePoints(points: readonly PointSummary[], param: string): CurvePoint[] {
  return points
    .map((p) => ({ x: p.params[param], mean: p.mean, stderr: p.stderr, successRate: p.successRate, count: p.count }))
    .filter((p): p is CurvePoint => typeof p.x === 'number')
    .sort((a, b) => a.x - b.x);
}

/** A chart of total losses has nothing to draw when every trial diverged (no point has a mean): say so instead of
 * drawing empty axes. */
function refuseAllDiverged(study: StudyRecord, points: readonly PointSummary[]): void {
  if (points.some((p) => p.mean !== null)) return;
  const trials = points.reduce((n, p) => n + p.count, 0);
  throw new ChartDataError(
    `every trial of study ${study.name} diverged (${trials.toLocaleString('en-US')} trials at ${points.length} points): there is no total loss to draw; ` +
      'see `xorlab summary` for the counts, and try a smaller learning rate or std',
  );
}

/** `fitMinimum: false` leaves the fitted minimum (a bootstrap) out: the curve then marks the lowest mean (a live
 * redraw while trials arrive). */
export function studyCurveInput(study: StudyRecord, points: readonly PointSummary[], param?: string, options: { fitMinimum?: boolean } = {}): CurveInput {
  const params = sweptParameters(study, points);
  if (params.length === 0) throw new ChartDataError(`study ${study.name} sweeps no parameter; there is no curve to draw`);
  if (param === undefined) {
    if (params.length > 1) throw new ChartDataError(`study ${study.name} sweeps ${params.join(' and ')}; draw it with \`xorlab plot heatmap\``);
    param = params[0];
  } else if (!params.includes(param)) {
    throw new ChartDataError(`study ${study.name} does not sweep ${param}; it sweeps ${params.join(', ')}`);
  }
  if (points.length === 0) throw new ChartDataError(`study ${study.name} has no trials yet; run \`xorlab sweep\` first`);
  refuseAllDiverged(study, points);
  const curve = curvePoints(points, param);
  if (curve.length === 0) throw new ChartDataError(`${param} is not numeric in study ${study.name}; a curve needs numbers on its x-axis`);
  const logX = isLogGrid(study, param) ?? inferLogX(curve.map((p) => p.x));
  const trials = points.reduce((n, p) => n + p.count, 0);
  return {
    parameter: param,
    points: curve,
    logX,
    ...(options.fitMinimum === false ? {} : { minimum: curveMinimum(curve) }),
    title: `Study ${study.name}: total loss against ${param}`,
    subtitle: `mean ± standard error at ${curve.length} points, ${trials.toLocaleString('en-US')} trainings`,
  };
}

export function studyHeatmapInput(study: StudyRecord, points: readonly PointSummary[]): HeatmapInput {
  const params = sweptParameters(study, points);
  if (params.length !== 2) throw new ChartDataError(`a heatmap needs a study that sweeps two parameters; ${study.name} sweeps ${params.length ? params.join(', ') : 'none'}`);
  if (points.length === 0) throw new ChartDataError(`study ${study.name} has no trials yet; run \`xorlab sweep\` first`);
  refuseAllDiverged(study, points);
  const [xParameter, yParameter] = params;
  const trials = points.reduce((n, p) => n + p.count, 0);
  return {
    xParameter,
    yParameter,
    cells: points.map((p) => ({ x: p.params[xParameter], y: p.params[yParameter], mean: p.mean, successRate: p.successRate, count: p.count })),
    title: `Study ${study.name}: loss landscape`,
    subtitle: `mean total loss per pair of values (${trials.toLocaleString('en-US')} trainings); darker is faster learning`,
  };
}
