// The study panel: runs the in-page study (study-runner.ts) and draws the CLI's curve (study/views/charts.ts's
// curveSpecOf -> plot/curve.ts's curveSpec) with vega-embed as the trials come in.
import type { Result } from 'vega-embed';
import { PARAMETER_NAMES } from '../../config/parameters.js';
import type { TrainingConfig } from '../../core/config.js';
import { curveSpecOf } from '../../study/views/charts.js';
import type { PointSummary, StudyRecord, TrialRow } from '../../store/types.js';
import { summaryCsv } from '../../study/analysis/summary.js';
import { csvField, csvLine, numberText } from '../../text/format.js';
import { byId, download, formatNumber } from './dom.js';
import { kernelModule } from './kernel.js';
import type { Resolved, StudySetup } from './state.js';
import { studyCommands } from './state.js';
import { PageStudy, studyWorkerCount, type StudyOutcome, type StudyProgress } from './study-runner.js';

/** The curve is redrawn at most this often while the study runs, and less often when drawing it takes long: the
 * page's main thread shares the cores with the workers, so the redraws may take at most 1/CURVE_SHARE of its time. */
const CURVE_MS = 600;
const CURVE_SHARE = 20;

/** vega-embed and vega's expression interpreter, two thirds of the page's script: loaded with the first curve, so that
 * a visitor who runs no study neither downloads nor compiles them. */
let charting: Promise<[typeof import('vega-embed'), typeof import('vega-interpreter')]> | undefined;
function loadCharting(): Promise<[typeof import('vega-embed'), typeof import('vega-interpreter')]> {
  charting ??= Promise.all([import('vega-embed'), import('vega-interpreter')]);
  return charting;
}

export class StudyView {
  private current: PageStudy | null = null;
  private outcome: StudyOutcome | null = null;
  private setup: StudySetup | null = null;
  private view: Result | null = null;
  private lastCurve = 0;
  /** How long the last curve took to draw (ms). */
  private curveCost = 0;
  private curveTimer: ReturnType<typeof setTimeout> | null = null;
  private latest: StudyProgress | null = null;
  private drawing: Promise<void> = Promise.resolve();

  constructor(private readonly resolve: () => Resolved<StudySetup>) {
    byId('worker-count').textContent = `${studyWorkerCount()}`;
    byId('run-study-button').addEventListener('click', () => void this.run());
    byId('cancel-study-button').addEventListener('click', () => this.current?.cancel());
    byId('download-summary').addEventListener('click', () => this.downloadSummary());
    byId('download-trials').addEventListener('click', () => this.downloadTrials());
  }

  get running(): boolean {
    return this.current !== null;
  }

  /** Shows the CLI commands for the settings as they are (or nothing when they have problems). */
  describe(): void {
    const setup = this.resolve();
    byId('cli-study').textContent = setup.ok ? studyCommands(setup.value).join('\n') : '(fix the settings above first)';
    byId<HTMLButtonElement>('run-study-button').disabled = !setup.ok || this.running;
  }

  private text(message: string): void {
    byId('study-text').textContent = message;
  }

  private async run(): Promise<void> {
    if (this.current) return;
    const resolved = this.resolve();
    if (!resolved.ok) {
      this.text(`Cannot run: ${resolved.problems.map((p) => p.message).join('; ')}`);
      return;
    }
    const setup = resolved.value;
    this.setup = setup;
    this.outcome = null;
    this.latest = null;
    const note = byId('study-note');
    note.hidden = true;
    byId<HTMLButtonElement>('download-summary').disabled = true;
    byId<HTMLButtonElement>('download-trials').disabled = true;
    const bar = byId<HTMLProgressElement>('study-bar');
    const total = setup.study.pointCount * setup.study.definition.repeats;
    bar.max = total;
    bar.value = 0;
    const progress = byId('study-progress');
    progress.dataset.done = '0';
    progress.dataset.total = String(total);
    progress.dataset.state = 'running';
    this.text('loading the WebAssembly kernel…');
    const runButton = byId<HTMLButtonElement>('run-study-button');
    const cancelButton = byId<HTMLButtonElement>('cancel-study-button');
    runButton.disabled = true;
    cancelButton.hidden = false;
    let study: PageStudy | null = null;
    try {
      const module = await kernelModule();
      const workers = setup.workers ?? studyWorkerCount();
      study = new PageStudy(setup, module, workers, (p) => this.progress(p));
      this.current = study;
      const outcome = await study.run();
      this.outcome = outcome;
      // The study has ended: the page takes a new one at once, while its final curve is drawn below.
      this.current = null;
      cancelButton.hidden = true;
      runButton.disabled = false;
      this.progress(outcome);
      const rate = outcome.seconds > 0 ? outcome.done / outcome.seconds : 0;
      progress.dataset.rate = String(rate);
      progress.dataset.seconds = String(outcome.seconds);
      this.text(
        `${outcome.cancelled ? 'Cancelled after' : 'Done:'} ${formatNumber(outcome.done)} of ${formatNumber(outcome.total)} trainings in ${outcome.seconds.toFixed(2)} s ` +
          `(${formatNumber(Math.round(rate))} trainings/s on ${workers} workers)`,
      );
      if (outcome.fallbackReasons.length) {
        note.textContent = `${outcome.fallbackReasons.join('; ')} (as xorlab sweep does).`;
        note.hidden = false;
      }
      byId<HTMLButtonElement>('download-summary').disabled = outcome.points.length === 0;
      byId<HTMLButtonElement>('download-trials').disabled = outcome.trials.length === 0;
      // Last: what a reader of the page (a test, a script) waits on, once everything above is in place.
      progress.dataset.state = outcome.cancelled ? 'cancelled' : 'done';
      await this.drawCurve(outcome, true);
    } catch (error) {
      progress.dataset.state = 'failed';
      this.text(`The study failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      // Unless a new study was started while the final curve was drawn: the page is that study's now.
      if (this.current === null || this.current === study) {
        this.current = null;
        cancelButton.hidden = true;
        runButton.disabled = false;
        this.describe();
        runButton.focus();
      }
    }
  }

  private progress(p: StudyProgress): void {
    this.latest = p;
    const bar = byId<HTMLProgressElement>('study-bar');
    bar.value = p.done;
    const progress = byId('study-progress');
    progress.dataset.done = String(p.done);
    if (this.current) {
      const rate = p.seconds > 0 ? p.done / p.seconds : 0;
      this.text(
        `${formatNumber(p.done)} / ${formatNumber(p.total)} trainings · ${p.seconds.toFixed(1)} s · ${formatNumber(Math.round(rate))}/s`,
      );
      this.scheduleCurve();
    }
  }

  private scheduleCurve(): void {
    if (this.curveTimer !== null) return;
    const wait = Math.max(0, Math.max(CURVE_MS, CURVE_SHARE * this.curveCost) - (performance.now() - this.lastCurve));
    this.curveTimer = setTimeout(() => {
      this.curveTimer = null;
      // Once the study has ended its final curve is drawn (or being drawn): a running one must not land after it.
      if (this.latest && this.current && this.outcome === null) void this.drawCurve(this.latest, false);
    }, wait);
  }

  /** Redraws the curve; draws are chained so that an older one never lands after a newer one. */
  private drawCurve(p: StudyProgress, final: boolean): Promise<void> {
    this.lastCurve = performance.now();
    // The study these points are of, taken now: a new study may start before a chained draw runs.
    const setup = this.setup;
    this.drawing = this.drawing
      .then(() => this.embedCurve(setup, p.points, final))
      .catch((error: unknown) => {
        byId('study-curve').textContent =
          `The curve could not be drawn: ${error instanceof Error ? error.message : String(error)}`;
      });
    return this.drawing;
  }

  private async embedCurve(setup: StudySetup | null, points: PointSummary[], final: boolean): Promise<void> {
    if (!setup || points.length === 0) return;
    const trials = points.reduce((n, q) => n + q.count, 0);
    const record: StudyRecord = {
      name: setup.study.definition.name,
      definition: setup.study.definition,
      createdAt: '',
      trialCount: trials,
      pointCount: points.length,
    };
    const [{ default: embed }, { expressionInterpreter }] = await loadCharting();
    const started = performance.now();
    // The final curve is xorlab plot curve's, fitted minimum and all; while the study runs, the fit (a bootstrap of
    // 2,000 resamples) is left out and the rule marks the lowest mean so far.
    // The CLI's width where there is room; a phone's screen gets a narrower plot (labels placed for that width).
    const width = Math.max(200, Math.min(620, byId('study-curve').clientWidth - 120));
    const spec = curveSpecOf(record, points, { fitMinimum: final, width });
    const container = byId('study-curve');
    this.view?.finalize();
    this.view = await embed(container, spec, {
      renderer: 'canvas',
      actions: false,
      // Vega's expressions interpreted, not compiled with new Function: the page's CSP allows no eval.
      ast: true,
      expr: expressionInterpreter,
      // The tooltip's look comes from playground.css: the CSP allows no injected <style>.
      tooltip: { disableDefaultStyle: true },
      defaultStyle: false,
    });
    this.curveCost = performance.now() - started;
    container.dataset.drawMs = this.curveCost.toFixed(1);
    container.dataset.points = String(points.length);
    container.dataset.final = String(final);
    const canvas = container.querySelector('canvas');
    canvas?.setAttribute('role', 'img');
    canvas?.setAttribute(
      'aria-label',
      `Study curve: mean total loss against the hidden-layer std at ${points.length} points, ${trials} trainings`,
    );
  }

  private downloadSummary(): void {
    if (this.outcome)
      download('playground-summary.csv', summaryCsv({ metric: 'totalLoss', points: this.outcome.points }), 'text/csv');
  }

  private downloadTrials(): void {
    const setup = this.setup;
    if (this.outcome && setup)
      download(
        'playground-trials.csv',
        trialsCsv(this.outcome.trials, (point) => setup.study.pointConfig(point)),
        'text/csv',
      );
  }
}

/** Every trial as `xorlab export --format csv` writes it: every configuration value of its point as a column. */
function trialsCsv(trials: readonly TrialRow[], configOf: (point: number) => TrainingConfig): string {
  const num = (x: number | null) => (x === null ? '' : numberText(x));
  const field = (config: TrainingConfig, name: string): string => {
    const value: unknown = (config as unknown as Record<string, unknown>)[name];
    return csvField(Array.isArray(value) ? value.join(',') : value);
  };
  const lines = [
    csvLine([
      'study',
      'point',
      'repeat',
      ...PARAMETER_NAMES,
      'seed',
      'totalLoss',
      'finalLoss',
      'success',
      'epochsToThreshold',
      'diverged',
      'engine',
      'precision',
    ]),
  ];
  for (const t of trials) {
    const config = configOf(t.point);
    lines.push(
      `${csvField(t.study)},${t.point},${t.repeat}${PARAMETER_NAMES.map((n) => `,${field(config, n)}`).join('')},${t.seed},${num(t.totalLoss)},${num(t.finalLoss)},${t.success ? 1 : 0},${num(t.epochsToThreshold)},${t.diverged ? 1 : 0},${csvField(t.engine)},${csvField(t.precision)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
