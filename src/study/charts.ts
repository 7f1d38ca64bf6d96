// From a stored study to the plot layer's inputs: which parameter is swept, whether its grid is spaced on a log
// scale (exp: and log: grids), and the per-point summaries as curve points or heatmap cells.
import type { TopLevelSpec } from 'vega-lite';
import type { CurveInput, CurvePoint } from '../plot/curve.js';
import { curveSpec, inferLogX } from '../plot/curve.js';
import { heatmapSpec, type HeatmapInput } from '../plot/landscape.js';
import { StoreError, type PointSummary, type Store, type StudyRecord } from '../store/types.js';
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

/** A stored study's record and per-point summary (StoreError when the store has no study of that name). */
async function storedStudy(store: Pick<Store, 'getStudy' | 'summarize' | 'location'>, name: string): Promise<{ record: StudyRecord; points: PointSummary[] }> {
  const record = await store.getStudy(name);
  if (!record) throw new StoreError(`no study named "${name}" in ${store.location}; list them with \`xorlab studies\``);
  return { record, points: await store.summarize(name) };
}

/**
 * The curve of a stored study (what `xorlab plot curve` draws): mean total loss +- standard error against the swept
 * parameter (`parameter` picks one of two), log x for exp/log grids, the Xavier rule for an init std, the fitted
 * minimum, and the success rate below. ChartDataError when there is nothing to draw.
 */
export async function studyCurveSpec(store: Pick<Store, 'getStudy' | 'summarize' | 'location'>, name: string, parameter?: string): Promise<TopLevelSpec> {
  const { record, points } = await storedStudy(store, name);
  return curveSpec(studyCurveInput(record, points, parameter));
}

/** The loss landscape of a stored study that sweeps two parameters (what `xorlab plot heatmap` draws). */
export async function studyHeatmapSpec(store: Pick<Store, 'getStudy' | 'summarize' | 'location'>, name: string): Promise<TopLevelSpec> {
  const { record, points } = await storedStudy(store, name);
  return heatmapSpec(studyHeatmapInput(record, points));
}
