// `xorlab`: the library for Node. Everything of `xorlab/core` (./core-entry.ts), with `train` able to use the fast
// WebAssembly engine and dataset files, plus stores, studies (run, refine, summarise) and charts. A small, deliberate
// surface: the functions here give the same objects as the CLI's --json output and are built by the same code;
// everything else in the package is internal and may change. Errors about what a caller gave are XorlabErrors
// (ConfigError, DatasetError, ParameterFileError, StoreError, StudyError, ...): one line each, nothing printed,
// no process.exit.
import type { TopLevelSpec } from 'vega-lite';
import { validateConfig } from './config/validate.js';
import { checkLogEvery, startingParameters, trainingInput, type TrainingReport } from './core/report.js';
import { ConfigError, type EngineName, type Precision } from './core/config.js';
import { RUN_OPTIONS, runOptionProblem } from './config/run-options.js';
import type { TrainingConfigInput } from './config/parameters.js';
import type { TrainOptions as CoreTrainOptions } from './core-entry.js';
import { loadDataset } from './engine/datasets.js';
import { runTraining } from './engine/single.js';
import { DEFAULT_LOCATION, openStore as openStoreAt } from './store/index.js';
import type { MetricName, OpenStoreOptions, Store } from './store/types.js';
import { summarizeStudy as summarize, type StudySummary, type SummaryOptions } from './study/analysis/summary.js';
import { curveSpec as curveSpecOf } from './plot/curve.js';
import { ChartFileError } from './plot/errors.js';
import { render } from './plot/render.js';
import { PLOT_FORMATS, type ChartFormat, type ChartSpec, type CurveInput } from './plot/types.js';
import { studyCurveSpec as studyCurveSpecOf, studyHeatmapSpec as studyHeatmapSpecOf } from './study/views/charts.js';

export * from './core-entry.js';

export { validateConfig } from './config/validate.js';
export { MissingDatabaseError, StoreError } from './store/types.js';
export type {
  MetricMoments,
  MetricName,
  OpenStoreOptions,
  ParamValue,
  PointSummary,
  PointValues,
  Store,
  StudyRecord,
  TrialRow,
} from './store/types.js';
export { StudyError } from './study/definition/types.js';
export type { StudyDefinition, StudyDefinitionInput } from './study/definition/types.js';
export { AllocationError } from './study/run/allocate.js';
export { runStudy } from './study/run/run-study.js';
export type { RunSummary, StudyProgress, StudyRun, StudyRunOptions } from './study/run/run-study.js';
export { refineStudy } from './study/goal/refine-goal.js';
export type { RefinedPoint, RefineOptions, StudyRefinement } from './study/run/refine.js';
export type { GoalAnswer, GoalRefineOptions, GoalRefinement } from './study/goal/refine-goal.js';
export type { CompareGoalResult } from './study/goal/compare-goal.js';
export type { DesignFit } from './study/goal/design.js';
export type { MinimumGoalResult } from './study/goal/minimum-goal.js';
export type { GoalRound } from './study/goal/rounds.js';
export type {
  ComparedPoint,
  FittedMinimum,
  PointQuery,
  StudySummary,
  SummaryComparison,
  SummaryMinimum,
  SummaryOptions,
  SummaryPoint,
} from './study/analysis/summary.js';
export { ChartDataError, ChartFileError } from './plot/errors.js';
export { MissingPackageError } from './text/packages.js';
export type { ChartFormat, ChartSpec, CurveInput, CurvePoint } from './plot/types.js';

/** Options of `train` in `xorlab`: those of `xorlab/core`, and the engine. */
export interface TrainOptions extends CoreTrainOptions {
  /**
   * 'reference' (default): the readable engine, with the loss trace. 'fast': the WebAssembly SIMD engine of the
   * studies, with no trace; where it does not cover the configuration it falls back to the reference engine and
   * the report's `engine.fallbackReason` says why.
   */
  engine?: EngineName;
  /** The fast engine's arithmetic: 'f32' (default) or 'f64' (the reference engine is always f64). */
  precision?: Precision;
}

/**
 * Trains one network and returns the document `xorlab train --json` prints (built by the same code): the full
 * configuration, the seed, the parameters before and after, the loss every `logEvery` epochs and the metrics.
 *
 * `config` is any subset of the training parameters (see PARAMETERS), checked like the CLI's flags; the defaults
 * are the article's (XOR, 2-2-1 sigmoid, binary cross-entropy, gradient descent at 0.1 for 10,000 epochs, every
 * parameter from N(0, 1)). `config.dataset` is a built-in dataset or a .csv/.json file. Throws ConfigError for a
 * value that is not allowed, DatasetError for a dataset that cannot be read, ParameterFileError for
 * initialParameters of another shape.
 *
 * @example
 * const run = train({ hiddenStd: 0.7071, outputStd: 0.8165, updateOrder: 'seed' }, { seed: 1 });
 * console.log(run.metrics.totalLoss, run.metrics.success);
 */
export function train(config: TrainingConfigInput = {}, options: TrainOptions = {}): TrainingReport {
  const full = validateConfig(trainingInput(config, options));
  const engine = checked('engine', options.engine ?? 'reference');
  const precision = checked('precision', options.precision ?? RUN_OPTIONS.precision.default);
  const logEvery = checkLogEvery(options.logEvery);
  const dataset = options.dataset ?? loadDataset(full.dataset);
  const { initial, seed } = startingParameters(full, dataset, options);
  return runTraining(full, dataset, initial, seed, { engine, precision, logEvery }).report;
}

/** An engine option checked against the run-options table (a single training defaults to the reference engine). */
function checked<T>(name: 'engine' | 'precision', value: T): T {
  const problem = runOptionProblem(name, value);
  if (problem) throw new ConfigError(problem);
  return value;
}

/**
 * Opens the store where studies keep their trials: a SQLite file path (created when missing, unless
 * `options.readonly`), `sqlite:path`, or `sqlite://path`; `xorlab.db` in the working directory by default, as the
 * CLI's --db. Close it with `store.close()`. Throws StoreError for a file that is not a xorlab database, is
 * corrupt or locked, and MissingDatabaseError when opening for reading finds no file.
 */
export function openStore(location: string = DEFAULT_LOCATION, options: OpenStoreOptions = {}): Promise<Store> {
  return openStoreAt(location, options);
}

/**
 * The summary of a stored study, the document `xorlab summary --json` prints (built by the same code): per point
 * the mean, std (n-1), count and standard error of totalLoss over the trials that did not diverge, the relative
 * standard error, success rate and divergences; the point with the lowest mean with its confidence interval; and,
 * with `compare: [A, B]`, the % difference of mean total loss from A to B (negative: B is better) with its interval
 * and Welch's p-value. Throws StoreError for an unknown study, StudyError for points to compare it does not have.
 *
 * @example
 * const summary = await summarizeStudy(store, 'std', { compare: [1, 0.7071] });
 * console.log(summary.minimum?.params, summary.comparison?.percent);
 */
export function summarizeStudy(store: Store, name: string, options: SummaryOptions = {}): Promise<StudySummary> {
  return summarize(store, name, options);
}

// Charts are Vega-Lite specs inside; outside they are ChartSpec, so that the declarations need no vega-lite types.

/**
 * The curve of a study from its points: mean total loss +- standard error against the swept parameter, the success
 * rate in a panel below, a log x-axis for grids that span a factor of 20 or more, the Xavier/Glorot rule for an
 * init std and an optional minimum rule. studyCurveSpec draws a stored study with it.
 */
export function curveSpec(input: CurveInput): ChartSpec {
  return curveSpecOf(input) as unknown as ChartSpec;
}

/** What studyCurveSpec draws of a study: the options of `xorlab plot curve`. */
export interface StudyCurveOptions {
  /** The swept parameter on the x-axis (default: the study's only numeric one). */
  param?: string;
  /** Other swept parameters held at one value: name -> value (numbers: the nearest grid value). */
  at?: Record<string, string>;
  /** A swept parameter whose values make one panel each. */
  facet?: string;
  /** A swept parameter whose values make one line each (default: the one categorical parameter left). */
  series?: string;
  /** What to draw: 'totalLoss' (default), 'finalLoss', 'epochsToThreshold' or 'success'. */
  metric?: MetricName;
}

/**
 * The curve of a stored study, what `xorlab plot curve` draws: the metric's mean (or rate) with error bars against a
 * swept parameter, log x for exp: and log: grids, the init rule for the study's layer shape (Xavier/Glorot, or He for
 * the ReLU family), each line's fitted minimum with its interval, and the success rate below. Throws StoreError for
 * an unknown study, ChartDataError when there is nothing to draw or the options do not fit the study.
 */
export async function studyCurveSpec(store: Store, name: string, options: StudyCurveOptions = {}): Promise<ChartSpec> {
  return (await studyCurveSpecOf(store, name, { ...options, datasetShape })) as unknown as ChartSpec;
}

/** A dataset's shape by name (built-in or a file), for the init rule; null when it cannot be read. */
function datasetShape(name: string): { inputs: number; outputs: number } | null {
  try {
    const d = loadDataset(name);
    return { inputs: d.inputCount, outputs: d.outputCount };
  } catch {
    return null;
  }
}

/** The loss landscape of a stored study that sweeps two parameters, what `xorlab plot heatmap` draws. */
export async function studyHeatmapSpec(store: Store, name: string): Promise<ChartSpec> {
  return (await studyHeatmapSpecOf(store, name)) as unknown as ChartSpec;
}

/**
 * Renders a chart in Node, without a browser or system fonts (the DejaVu Sans font ships with the package): 'svg'
 * gives the SVG text, 'png' the PNG bytes at twice the SVG's size. Throws ChartFileError for another format.
 *
 * @example
 * writeFileSync('curve.svg', await renderChart(await studyCurveSpec(store, 'std'), 'svg'));
 */
export function renderChart(spec: ChartSpec, format: 'svg'): Promise<string>;
export function renderChart(spec: ChartSpec, format: 'png'): Promise<Uint8Array>;
export function renderChart(spec: ChartSpec, format: ChartFormat): Promise<string | Uint8Array>;
export async function renderChart(spec: ChartSpec, format: ChartFormat): Promise<string | Uint8Array> {
  if (!(PLOT_FORMATS as readonly unknown[]).includes(format))
    throw new ChartFileError(`the chart format must be one of ${PLOT_FORMATS.join(', ')}, got ${String(format)}`);
  return render(spec as unknown as TopLevelSpec, format);
}
