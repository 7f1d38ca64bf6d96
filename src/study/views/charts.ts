// From a stored study to a chart: which parameter is on the x-axis, whether its grid is spaced on a log scale (exp:
// and log: grids), which other axis makes the lines (a category such as the activation) or the panels, which are
// held at one value (--at), the metric's values per point, each line's fitted minimum (the same as summary's:
// ../analysis/curves.ts) and the reference rules for the study's own layer shape.
import type { TopLevelSpec } from 'vega-lite';
import { defaultConfig, parameterNamed, suggestParameter } from '../../config/index.js';
import type { TrainingConfig } from '../../core/index.js';
import { builtinDataset, isBuiltinDataset } from '../../core/datasets.js';
import type { CurveInput, CurvePoint } from '../../plot/curve.js';
import { curveSpec, inferLogX } from '../../plot/curve.js';
import { heatmapSpec, type HeatmapInput } from '../../plot/landscape.js';
import { seriesCurveSpec, type ReferenceRule, type SeriesMinimum, type SeriesPoint } from '../../plot/series.js';
import { StoreError, type ParamValue, type PointSummary, type Store, type StudyRecord } from '../../store/types.js';
import { datasetLabel, initRule, type LayerShape } from './chart-labels.js';
import { curveBests, curvesAlong, describeAt, markedInFit, numericAxes } from '../analysis/curves.js';
import { EXCLUSION_MARK, EXCLUSION_RULE, METRICS, metricPoint, type MetricName } from '../analysis/metrics.js';
import { lowestMeanRule } from '../analysis/minimum.js';
import { short } from '../../text/format.js';
import { ChartDataError } from '../../plot/errors.js';
import { storedSweep } from '../analysis/listing.js';
import { quote } from '../../text/quote.js';
import { farFromGrid } from '../analysis/points.js';

export { ChartDataError };

/** The swept parameters in axis order, from the stored definition (or, failing that, from the points). */
export function sweptParameters(study: StudyRecord, points: readonly PointSummary[]): string[] {
  const sweep = storedSweep(study.definition);
  if (sweep) return Object.keys(sweep);
  return points.length ? Object.keys(points[0].params) : [];
}

/** Whether the stored grid of `param` is an exp: or log: grid; null when the definition does not say. */
function isLogGrid(study: StudyRecord, param: string): boolean | null {
  const spec = storedSweep(study.definition)?.[param];
  if (typeof spec !== 'string') return null;
  return /^(exp|log):/.test(spec.trim());
}

/** The stored base configuration (defaults where the definition does not say). */
function baseConfig(study: StudyRecord): TrainingConfig {
  const config = (study.definition as { config?: unknown } | null)?.config;
  try {
    return defaultConfig(config && typeof config === 'object' ? config : {});
  } catch {
    return defaultConfig();
  }
}

export function curvePoints(
  points: readonly PointSummary[],
  param: string,
  metric: MetricName = 'totalLoss',
): CurvePoint[] {
  return points
    .map((p): Omit<CurvePoint, 'x'> & { x: ParamValue } => {
      const m = metricPoint(p, metric);
      const rate = metric === 'success';
      return {
        x: p.params[param],
        mean: m.value,
        stderr: m.stderr,
        ...(rate ? { lo: m.low, hi: m.high } : {}),
        successRate: p.successRate,
        count: p.count,
        excluded: m.excluded,
        marked: m.marked,
      };
    })
    .filter((p): p is CurvePoint => typeof p.x === 'number')
    .sort((a, b) => a.x - b.x);
}

/** A chart of total losses has nothing to draw when every trial diverged (no point has a mean): say so instead of
 * drawing empty axes. */
function refuseAllDiverged(study: StudyRecord, points: readonly PointSummary[], what = 'total loss'): void {
  if (points.some((p) => p.mean !== null)) return;
  const trials = points.reduce((n, p) => n + p.count, 0);
  throw new ChartDataError(
    `every trial of study ${study.name} diverged (${trials.toLocaleString('en-US')} trials at ${points.length} points): there is no ${what} to draw; ` +
      'see `xorlab summary` for the counts, and try a smaller learning rate or std',
  );
}

/** The dataset's inputs and outputs by name (built-in names and files: the CLI reads files); null when unknown. */
export type DatasetShape = (dataset: string) => { inputs: number; outputs: number } | null;

export interface CurveOptions {
  /** The x-axis (default: the study's only numeric axis). */
  param?: string;
  /** Axes held at one value: name -> the value as typed (numbers: the nearest grid value). */
  at?: Record<string, string>;
  /** An axis whose values make one panel each. */
  facet?: string;
  /** An axis whose values make one line each (default: the one categorical axis left). */
  series?: string;
  metric?: MetricName;
  datasetShape?: DatasetShape;
  /** A y scale per panel (metrics on different scales). */
  independentY?: boolean;
  title?: string;
  subtitle?: string;
  /** false leaves a single curve's fitted minimum (a bootstrap) out and marks the lowest mean instead: a live redraw
   * while trials arrive. */
  fitMinimum?: boolean;
  /** Width of the plotting area in px of a single curve (default PLOT_WIDTH). */
  width?: number;
  /** A number given with --at that is far from every grid value (the nearest is used): one line, as summary --compare says it. */
  onWarning?: (line: string) => void;
}

/** The chart of a study's metric against one numeric parameter: one line, or a line per category (see top). */
export function curveSpecOf(
  study: StudyRecord,
  points: readonly PointSummary[],
  options: CurveOptions = {},
): TopLevelSpec {
  const metric = options.metric ?? 'totalLoss';
  const axes = sweptParameters(study, points);
  if (axes.length === 0) throw new ChartDataError(`study ${study.name} sweeps no parameter; there is no curve to draw`);
  if (points.length === 0)
    throw new ChartDataError(`study ${study.name} has no trials yet; run \`xorlab sweep\` first`);
  // A loss over the trainings that did not diverge has no value anywhere when every one diverged.
  if (METRICS[metric].over === 'the trainings that did not diverge')
    refuseAllDiverged(study, points, METRICS[metric].label);
  // Parameters are named as keys (hiddenStd) or flags (hidden-std); a name that is no axis gets the nearest one.
  const named = (name: string | undefined): string | undefined =>
    name === undefined ? undefined : (parameterNamed(name, axes) ?? name);
  options = { ...options, param: named(options.param), facet: named(options.facet), series: named(options.series) };
  const at = Object.fromEntries(Object.entries(options.at ?? {}).map(([name, value]) => [named(name)!, value]));
  for (const name of [...Object.keys(at), options.facet, options.series]) {
    if (name !== undefined && !axes.includes(name))
      throw new ChartDataError(
        `${name} is not one of the study's swept parameters${suggestParameter(name, axes)} (${axes.join(', ')})`,
      );
  }
  const numeric = numericAxes(points, axes);
  // The x-axis: as given, else the one numeric axis not held (--at) or used for panels or lines.
  const free = numeric.filter((a) => !(a in at) && a !== options.facet && a !== options.series);
  const param = options.param ?? (free.length === 1 ? free[0] : null);
  if (param === null) {
    if (numeric.length === 0)
      throw new ChartDataError(
        `study ${study.name} sweeps no numeric parameter (${axes.join(', ')}); a curve needs numbers on its x-axis; try \`xorlab plot heatmap\` or \`xorlab summary\``,
      );
    const [a, b] = free.length >= 2 ? free : numeric;
    throw new ChartDataError(
      `study ${study.name} sweeps ${numeric.join(' and ')}: choose the x-axis with --param, e.g. --param ${a} with --at ${b}=<value> (one slice), --facet ${b} (a panel per value) or --series ${b} (a line per value)${numeric.length === 2 && axes.length === 2 ? '; or draw both with `xorlab plot heatmap`' : ''}`,
    );
  }
  if (!axes.includes(param))
    throw new ChartDataError(
      `study ${study.name} does not sweep ${quote(param)}${suggestParameter(param, axes)}; it sweeps ${axes.join(', ')}`,
    );
  if (!numeric.includes(param))
    throw new ChartDataError(`${param} is not numeric in study ${study.name}; a curve needs numbers on its x-axis`);

  // Every other axis is held at one value, makes the panels, or makes the lines.
  const others = axes.filter((a) => a !== param);
  for (const name of [...Object.keys(at), options.facet, options.series]) {
    if (name === param)
      throw new ChartDataError(
        `${name} is the x-axis; --at, --facet and --series take the study's other swept parameters (${others.join(', ') || 'none'})`,
      );
  }
  if (options.facet !== undefined && (options.facet === options.series || options.facet in at))
    throw new ChartDataError(`${options.facet} is given twice (--at, --facet, --series)`);
  if (options.series !== undefined && options.series in at)
    throw new ChartDataError(`${options.series} is given twice (--at and --series)`);
  let chosen = points.filter((p) => typeof p.params[param] === 'number');
  for (const [name, raw] of Object.entries(at)) chosen = sliceAt(chosen, name, raw, options.onWarning);
  const left = others.filter((a) => !(a in at) && a !== options.facet && a !== options.series);
  let series = options.series;
  // The one categorical axis left makes the lines.
  const categories = left.filter((a) => !numeric.includes(a));
  if (series === undefined && categories.length === 1) {
    series = categories[0];
    left.splice(left.indexOf(series), 1);
  }
  if (left.length > 0) {
    const example = left.map((a) => `--at ${a}=<value>`).join(' ');
    throw new ChartDataError(
      `study ${study.name} also sweeps ${left.join(' and ')}: hold ${left.length > 1 ? 'them' : 'it'} at one value (${example}), or draw a panel per value (--facet ${left[0]})${series === undefined ? ` or a line per value (--series ${left[0]})` : ''}`,
    );
  }
  const facet = options.facet;
  const logX = isLogGrid(study, param) ?? inferLogX(chosen.map((p) => p.params[param] as number));
  const config = baseConfig(study);
  const info = METRICS[metric];
  const trials = chosen.reduce((n, p) => n + p.count, 0);
  const success = `Learned ${axes.includes('dataset') ? 'the dataset' : datasetLabel(config.dataset)}`;
  const slice = Object.keys(at).length
    ? ` at ${describeAt(Object.fromEntries(Object.keys(at).map((k) => [k, chosen[0]?.params[k] ?? at[k]])))}`
    : '';
  const title = options.title ?? `Study ${study.name}: ${info.label} against ${param}${slice}`;
  const bars = metric === 'success' ? 'share with its 95% Wilson interval' : 'mean ± standard error';

  if (series === undefined && facet === undefined) {
    const curve = curvePoints(chosen, param, metric);
    const fit =
      info.lowerIsBetter && options.fitMinimum !== false
        ? curveBests([{ at: {}, label: '', points: chosen }], param, metric)[0].fit
        : null;
    const rule = referenceRules(param, config, axes, options.datasetShape, null)[0];
    // A fitted minimum or a lowest mean that rests on a marked point carries the mark; the subtitle says what it is.
    const marked = curve.some((p) => p.marked);
    const fitMark = fit && markedInFit(chosen, param, fit, null, metric).length ? ` ${EXCLUSION_MARK}` : '';
    const lowestMark = (x: number) => (curve.find((p) => p.x === x)?.marked ? ` ${EXCLUSION_MARK}` : '');
    const plainLowest = info.lowerIsBetter ? lowestMeanRule(curve) : null;
    const input: CurveInput = {
      parameter: param,
      points: curve,
      logX,
      xavier: rule?.x ?? null,
      ...(rule ? { xavierLabel: rule.label } : {}),
      minimum: fit
        ? { x: fit.x, label: `fitted minimum ${short(fit.x)} [${short(fit.low, 2)}, ${short(fit.high, 2)}]${fitMark}` }
        : plainLowest && { x: plainLowest.x, label: `${plainLowest.label}${lowestMark(plainLowest.x)}` },
      minimumInterval: fit ? { low: fit.low, high: fit.high } : null,
      lowest: fit
        ? { x: fit.lowestX, label: `lowest grid mean at ${short(fit.lowestX)}${lowestMark(fit.lowestX)}` }
        : null,
      successTitle: metric === 'success' ? null : success,
      title,
      subtitle:
        options.subtitle ??
        `${bars} at ${curve.length} points, ${trials.toLocaleString('en-US')} trainings${fit ? '; green: the fitted minimum and its 95% interval' : ''}` +
          (marked ? `; ringed in red, ${EXCLUSION_RULE}` : ''),
      yTitle: metric === 'success' ? success : info.axisTitle,
      ...(options.width !== undefined ? { width: options.width } : {}),
    };
    return curveSpec(input);
  }

  const groupBy = [series, facet].filter((a): a is string => a !== undefined);
  const curves = curvesAlong(chosen, param, groupBy);
  const label = (v: ParamValue | undefined) => (v === undefined ? '' : typeof v === 'number' ? short(v, 4) : v);
  const rows: SeriesPoint[] = [];
  const minima: SeriesMinimum[] = [];
  const bests = curveBests(curves, param, metric);
  for (const { curve, fit } of bests) {
    const s = label(series === undefined ? undefined : curve.at[series]);
    const f = label(facet === undefined ? undefined : curve.at[facet]);
    for (const p of curve.points) {
      const m = metricPoint(p, metric);
      const rate = metric === 'success';
      rows.push({
        x: p.params[param] as number,
        series: s,
        facet: f,
        y: m.value,
        lo: rate ? m.low : m.value !== null && m.stderr !== null ? m.value - m.stderr : m.value,
        hi: rate ? m.high : m.value !== null && m.stderr !== null ? m.value + m.stderr : m.value,
        successRate: p.successRate,
        count: p.count,
        excluded: m.excluded,
        marked: m.marked,
      });
    }
    if (fit && Number.isFinite(fit.low) && Number.isFinite(fit.high))
      minima.push({ series: s, facet: f, x: fit.x, low: fit.low, high: fit.high, y: fit.y });
  }
  const order = (axis: string | undefined) =>
    axis === undefined ? [''] : [...new Set(curves.map((c) => label(c.at[axis])))];
  const rules = referenceRules(
    param,
    config,
    axes,
    options.datasetShape,
    series === 'activation' ? order('activation') : null,
  );
  return seriesCurveSpec({
    parameter: param,
    points: rows,
    seriesParameter: series ?? '',
    seriesOrder: order(series),
    ...(facet !== undefined ? { facetParameter: facet, facetOrder: order(facet) } : {}),
    logX,
    minima,
    rules: rules.map((r): ReferenceRule => ({ x: r.x, label: r.label, style: r.he ? 'grey' : 'black' })),
    yTitle: metric === 'success' ? success : info.axisTitle,
    ...(metric !== 'success' && facet === undefined ? { successTitle: success } : {}),
    ...(options.independentY ? { independentY: true } : {}),
    title,
    subtitle:
      options.subtitle ??
      `${bars}, ${trials.toLocaleString('en-US')} trainings; one line per ${series ?? 'value'}${facet ? `, a panel per ${facet}` : ''}${minima.length ? (facet ? '; diamonds: fitted minima (the fitted value) with their 95% intervals' : "; the strip below: each line's fitted minimum with its 95% interval") : ''}` +
        (rows.some((r) => r.marked) ? `; ringed in red, ${EXCLUSION_RULE}` : ''),
  });
}

/** Points whose `name` is the value given: numbers pick the nearest grid value (on a log scale when positive). */
function sliceAt(
  points: readonly PointSummary[],
  name: string,
  raw: string,
  onWarning?: (line: string) => void,
): PointSummary[] {
  const values = [...new Set(points.map((p) => p.params[name]))];
  if (values.every((v) => typeof v === 'number')) {
    const wanted = raw.trim() === '' ? NaN : Number(raw);
    if (!Number.isFinite(wanted))
      throw new ChartDataError(`--at ${name}: takes a number in this study, got ${quote(raw)}`);
    const distance = (v: number) => (v > 0 && wanted > 0 ? Math.abs(Math.log(v / wanted)) : Math.abs(v - wanted));
    const nearest = values.reduce((a, b) => (distance(b) < distance(a) ? b : a));
    for (const line of farFromGrid('--at', name, wanted, nearest, points)) onWarning?.(line);
    return points.filter((p) => p.params[name] === nearest);
  }
  if (!values.includes(raw))
    throw new ChartDataError(`--at ${name}: ${quote(raw)} is not one of its values (${values.join(', ')})`);
  return points.filter((p) => p.params[name] === raw);
}

/**
 * The init rules to draw when the x-axis is an init std of a normal initialisation: for the hidden std, the first
 * hidden layer (the dataset's inputs -> hidden units), Xavier/Glorot or He by its activation (one rule per rule kind
 * when the lines are activations); for the output std, the output layer. None when the shape is swept or unknown.
 */
function referenceRules(
  param: string,
  config: TrainingConfig,
  axes: readonly string[],
  shapeOf: DatasetShape | undefined,
  activations: readonly string[] | null,
) {
  if (param !== 'hiddenStd' && param !== 'outputStd') return [];
  if (config.init !== 'normal' || axes.some((a) => ['dataset', 'hidden', 'init'].includes(a))) return [];
  if (config.hidden.length === 0) return [];
  const data = (shapeOf ?? builtinShape)(config.dataset);
  if (!data) return [];
  const layer = (activation: string): LayerShape =>
    param === 'hiddenStd'
      ? { fanIn: data.inputs, fanOut: config.hidden[0], activation: activation as LayerShape['activation'] }
      : { fanIn: config.hidden[config.hidden.length - 1], fanOut: data.outputs, activation: config.outputActivation };
  if (activations === null || param === 'outputStd') return [initRule(layer(config.activation))];
  // One rule per kind (Xavier for sigmoid and tanh, He for the ReLU family), naming the lines it is for.
  const kinds = new Map<string, string[]>();
  for (const a of activations) {
    const key = initRule(layer(a)).label;
    kinds.set(key, [...(kinds.get(key) ?? []), a]);
  }
  return [...kinds.values()].map((names) => initRule(layer(names[0]), names));
}

export function studyHeatmapInput(study: StudyRecord, points: readonly PointSummary[]): HeatmapInput {
  const params = sweptParameters(study, points);
  if (params.length !== 2)
    throw new ChartDataError(
      `a heatmap needs a study that sweeps two parameters; ${study.name} sweeps ${params.length ? params.join(', ') : 'none'}`,
    );
  if (points.length === 0)
    throw new ChartDataError(`study ${study.name} has no trials yet; run \`xorlab sweep\` first`);
  refuseAllDiverged(study, points);
  const [xParameter, yParameter] = params;
  const trials = points.reduce((n, p) => n + p.count, 0);
  return {
    xParameter,
    yParameter,
    cells: points.map((p) => ({
      x: p.params[xParameter],
      y: p.params[yParameter],
      mean: p.mean,
      successRate: p.successRate,
      count: p.count,
    })),
    title: `Study ${study.name}: loss landscape`,
    subtitle: `mean total loss per pair of values (${trials.toLocaleString('en-US')} trainings); darker is faster learning`,
  };
}

/** The shape of a built-in dataset (the default where no reader of dataset files is given); null for a file. */
function builtinShape(name: string): { inputs: number; outputs: number } | null {
  if (!isBuiltinDataset(name)) return null;
  const d = builtinDataset(name);
  return { inputs: d.inputCount, outputs: d.outputCount };
}

/** A stored study's record and per-point summary (StoreError when the store has no study of that name). */
async function storedStudy(
  store: Pick<Store, 'getStudy' | 'summarize' | 'location'>,
  name: string,
): Promise<{ record: StudyRecord; points: PointSummary[] }> {
  const record = await store.getStudy(name);
  if (!record)
    throw new StoreError(`no study named ${quote(name)} in ${store.location}; list them with \`xorlab studies\``);
  return { record, points: await store.summarize(name) };
}

/**
 * The curve of a stored study (what `xorlab plot curve` draws): a metric (mean total loss by default) with its error
 * bars against a swept parameter, log x for exp/log grids, the init rule for the study's layer shape, the fitted
 * minimum, the success rate below; a line per category of another swept parameter (see CurveOptions).
 * ChartDataError when there is nothing to draw, StoreError for an unknown study.
 */
export async function studyCurveSpec(
  store: Pick<Store, 'getStudy' | 'summarize' | 'location'>,
  name: string,
  options: CurveOptions = {},
): Promise<TopLevelSpec> {
  const { record, points } = await storedStudy(store, name);
  return curveSpecOf(record, points, options);
}

/** The loss landscape of a stored study that sweeps two parameters (what `xorlab plot heatmap` draws). */
export async function studyHeatmapSpec(
  store: Pick<Store, 'getStudy' | 'summarize' | 'location'>,
  name: string,
): Promise<TopLevelSpec> {
  const { record, points } = await storedStudy(store, name);
  return heatmapSpec(studyHeatmapInput(record, points));
}
