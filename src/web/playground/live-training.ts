// The live training on the page: drives the training worker (playground-train.worker.ts) and draws what it sends,
// once per animation frame at most.
import { parameterNames } from '../../core/network.js';
import { drawHeatmap, drawLineChart, drawSwatch, lineColours, DASHES, type Series } from './canvas.js';
import { byId, el, formatNumber } from './dom.js';
import type { GridSpec, TrainFrame, TrainReply, TrainRequest } from './protocol.js';
import type { LrChange, TrainingSetup } from './state.js';
import type { FrameView } from './views.js';

/** Cells per side of the decision boundary's grid (the CLI's boundary chart uses 60 too). */
const GRID_RESOLUTION = 60;
/** The predictions table is rewritten at most this often (it can have 256 rows). */
const TABLE_MS = 120;
/** Each chart's drawing time is a performance measure (`view:<name>`); cleared after this many, so memory stays flat. */
const MEASURES_KEPT = 4000;

interface Layer {
  title: string;
  /** Parameter indices of this layer (core's flat order). */
  params: number[];
  canvas: HTMLCanvasElement;
  colours: string[];
}

interface LiveEvents {
  /** The run's learning-rate changes changed (the page writes them into its URL). */
  onLrChanges(changes: LrChange[]): void;
  /** Running, paused, done: the page updates its buttons. */
  onState(): void;
}

/** The input square of the boundary: the data's range with a tenth of margin (for 0/1 inputs the CLI's -0.1..1.1). */
function gridFor(setup: TrainingSetup): GridSpec | null {
  const { dataset } = setup;
  if (dataset.inputCount !== 2) return null;
  const range = (c: number): [number, number] => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let s = 0; s < dataset.size; s++) {
      const v = dataset.inputs[s * 2 + c];
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const pad = hi > lo ? 0.1 * (hi - lo) : 0.5;
    return [lo - pad, hi + pad];
  };
  return { resolution: GRID_RESOLUTION, x: range(0), y: range(1) };
}

export class LiveTraining {
  private readonly worker: Worker;
  private setup: TrainingSetup | null = null;
  private grid: GridSpec | null = null;
  frame: TrainFrame | null = null;
  private losses = new Float64Array(1024);
  private lossCount = 0;
  private lossXs = Float64Array.from({ length: 1024 }, (_, k) => k);
  private historyEpochs: number[] = [];
  private history: number[][] = [];
  private layers: Layer[] = [];
  private drawPending = false;
  private lastTable = 0;
  private tableTimer: ReturnType<typeof setTimeout> | null = null;
  private measures = 0;
  /** The views drawn from each frame besides the charts (each neuron's line, maps, hidden space, diagram, epoch). */
  private views: readonly FrameView[] = [];

  constructor(private readonly events: LiveEvents) {
    this.worker = new Worker(new URL('./playground-train.worker.js', import.meta.url), {
      type: 'module',
      name: 'training',
    });
    this.worker.onmessage = (event: MessageEvent<TrainReply>) => this.receive(event.data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.status(`The training worker failed: ${event.message || 'it could not load'}`);
    };
    window.addEventListener('resize', () => this.requestDraw());
  }

  /** The views to draw from every frame (besides the charts). */
  setViews(views: readonly FrameView[]): void {
    this.views = views;
  }

  /** Asks the worker for the hidden layers' outputs over the grid, and for each epoch's arithmetic, only while
   * the neuron maps and the epoch panel are shown. */
  showViews(shown: { maps: boolean; arithmetic: boolean }): void {
    this.send({ type: 'views', ...shown });
  }

  get running(): boolean {
    return this.frame?.running ?? false;
  }

  get epoch(): number {
    return this.frame?.epoch ?? 0;
  }

  get done(): boolean {
    return this.frame?.done ?? false;
  }

  get loaded(): TrainingSetup | null {
    return this.setup;
  }

  /** The parameters as they are now. */
  get parameters(): Float64Array | null {
    return this.frame?.params ?? null;
  }

  private send(message: TrainRequest, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  /** Starts over from epoch 0 with this setup (a new run, or Reset). */
  load(setup: TrainingSetup): void {
    this.setup = setup;
    this.grid = gridFor(setup);
    this.frame = null;
    this.lossCount = 0;
    this.historyEpochs = [];
    const P = setup.shape.parameterCount;
    this.history = Array.from({ length: P }, () => []);
    this.buildLayers(setup);
    for (const view of this.views) view.load(setup);
    const initial = Float64Array.from(setup.initial);
    this.send(
      {
        type: 'load',
        config: setup.config,
        dataset: setup.dataset,
        initial,
        lrChanges: setup.lrChanges,
        grid: this.grid,
      },
      [initial.buffer],
    );
  }

  /** Nothing to train: the settings have problems. */
  unload(message: string): void {
    this.setup = null;
    this.frame = null;
    this.send({ type: 'pause' });
    this.status(message);
    this.events.onState();
  }

  play(epochsPerSecond: number): void {
    this.send({ type: 'play', epochsPerSecond });
  }

  pause(): void {
    this.send({ type: 'pause' });
  }

  step(): void {
    this.send({ type: 'step', epochs: 1 });
  }

  setSpeed(epochsPerSecond: number): void {
    this.send({ type: 'speed', epochsPerSecond });
  }

  setLearningRate(lr: number): void {
    this.send({ type: 'lr', lr });
  }

  private receive(reply: TrainReply): void {
    if (reply.type === 'error') {
      this.status(`Training stopped: ${reply.message}`);
      return;
    }
    const frame = reply;
    const changedChanges =
      JSON.stringify(frame.lrChanges) !== JSON.stringify(this.frame?.lrChanges ?? this.setup?.lrChanges ?? []);
    this.append(frame);
    this.frame = frame;
    if (changedChanges) this.events.onLrChanges(frame.lrChanges);
    this.events.onState();
    this.requestDraw();
  }

  private append(frame: TrainFrame): void {
    if (frame.lossFrom !== this.lossCount) return; // a frame of an earlier run
    const need = this.lossCount + frame.losses.length;
    if (need > this.losses.length) {
      // The loss of epoch k sits at index k; its x is k.
      const size = Math.max(need, 2 * this.losses.length);
      const grown = new Float64Array(size);
      grown.set(this.losses.subarray(0, this.lossCount));
      this.losses = grown;
      this.lossXs = Float64Array.from({ length: size }, (_, k) => k);
    }
    this.losses.set(frame.losses, this.lossCount);
    this.lossCount = need;
    const P = this.history.length;
    for (let r = 0; r < frame.historyEpochs.length; r++) {
      this.historyEpochs.push(frame.historyEpochs[r]);
      for (let p = 0; p < P; p++) this.history[p].push(frame.history[r * P + p]);
    }
  }

  private buildLayers(setup: TrainingSetup): void {
    const container = byId('weights');
    container.replaceChildren();
    const names = parameterNames(setup.shape);
    const count = setup.shape.layers.length;
    this.layers = setup.shape.layers.map((layer, l) => {
      const params = Array.from({ length: layer.end - layer.weightOffset }, (_, k) => layer.weightOffset + k);
      const title = l === count - 1 ? 'output layer' : count > 2 ? `hidden layer ${l + 1}` : 'hidden layer';
      const canvas = el('canvas', { role: 'img', 'aria-label': `${title}: every weight and bias against the epoch` });
      canvas.dataset.testid = `weights-${l + 1}`;
      const colours = lineColours(params.length);
      const legend = el('ul', { class: 'legend' });
      params.forEach((p, k) => {
        const swatch = el('canvas', { class: 'swatch', 'aria-hidden': 'true' });
        legend.append(el('li', {}, swatch, names[p].replace(/^L\d+\./, '')));
        requestAnimationFrame(() => drawSwatch(swatch, colours[k], DASHES[k % DASHES.length]));
      });
      container.append(el('div', { class: 'layer' }, el('h3', {}, title), canvas, legend));
      return { title, params, canvas, colours };
    });
    this.buildTable(setup);
  }

  private buildTable(setup: TrainingSetup): void {
    const table = byId<HTMLTableElement>('predictions');
    const { dataset } = setup;
    const head = el('tr');
    for (let i = 0; i < dataset.inputCount; i++) head.append(el('th', { scope: 'col' }, `x${i + 1}`));
    head.append(
      el('th', { scope: 'col' }, 'target'),
      el('th', { scope: 'col' }, 'output'),
      el('th', { scope: 'col', title: 'on the same side of 0.5 as the target' }, 'correct'),
    );
    const body = el('tbody');
    for (let s = 0; s < dataset.size; s++) {
      const row = el('tr');
      for (let i = 0; i < dataset.inputCount; i++)
        row.append(el('td', {}, formatNumber(dataset.inputs[s * dataset.inputCount + i], 4)));
      row.append(
        el('td', {}, formatNumber(dataset.targets[s], 4)),
        el('td', { class: 'output' }, '–'),
        el('td', { class: 'ok' }, ''),
      );
      body.append(row);
    }
    table.replaceChildren(el('thead', {}, head), body);
  }

  status(text: string): void {
    byId('run-status').textContent = text;
  }

  requestDraw(): void {
    if (this.drawPending) return;
    this.drawPending = true;
    requestAnimationFrame(() => {
      this.drawPending = false;
      this.draw();
    });
  }

  /** Runs `draw` as the performance measure `view:<name>` (what each chart costs a frame). */
  private measured<T>(name: string, draw: () => T): T {
    const start = performance.now();
    const result = draw();
    if (++this.measures > MEASURES_KEPT) {
      performance.clearMeasures();
      this.measures = 1;
    }
    performance.measure(`view:${name}`, { start, end: performance.now() });
    return result;
  }

  private draw(): void {
    const setup = this.setup;
    const frame = this.frame;
    if (!setup) return;
    const epochs = setup.config.epochs;
    this.writeStats(setup, frame);
    // Decision boundary.
    const boundary = byId<HTMLCanvasElement>('boundary');
    const grid = this.grid;
    boundary.classList.toggle('empty', grid === null);
    const plot = this.measured('boundary', () =>
      drawHeatmap(boundary, {
        grid: grid && frame ? frame.grid : null,
        resolution: grid?.resolution ?? 1,
        x: grid?.x ?? [0, 1],
        y: grid?.y ?? [0, 1],
        samples: grid
          ? Array.from({ length: setup.dataset.size }, (_, s) => ({
              x: setup.dataset.inputs[2 * s],
              y: setup.dataset.inputs[2 * s + 1],
              target: setup.dataset.targets[s],
            }))
          : [],
        xLabel: 'input 1',
        yLabel: 'input 2',
        empty: grid
          ? frame?.diverged
            ? 'diverged'
            : ''
          : `drawn for datasets with 2 inputs; ${setup.dataset.name} has ${setup.dataset.inputCount}`,
      }),
    );
    // Loss curve.
    this.measured('loss', () =>
      drawLineChart(byId<HTMLCanvasElement>('loss-chart'), {
        series: [
          { label: 'loss', colour: '#3b528b', dash: [], xs: this.lossXs, ys: this.losses, count: this.lossCount },
        ],
        xDomain: [0, epochs],
        xLabel: 'epoch',
        yLabel: 'loss',
        logY: true,
        marker: frame && !frame.done ? frame.epoch : null,
        empty: 'press Train or Step',
      }),
    );
    // Weights: the recorded history plus the parameters as they are now.
    this.measured('weights', () => this.drawWeights(frame, epochs));
    this.measured('predictions', () => this.writeTable());
    for (const view of this.views) {
      if (view.shown())
        this.measured(view.name, () => view.draw({ setup, frame, grid: this.grid, boundary: grid ? plot : null }));
    }
  }

  private drawWeights(frame: TrainFrame | null, epochs: number): void {
    const xs = frame && !frame.done ? [...this.historyEpochs, frame.epoch] : this.historyEpochs;
    for (const layer of this.layers) {
      const series: Series[] = layer.params.map((p, k) => {
        const ys = frame && !frame.done ? [...this.history[p], frame.params[p]] : this.history[p];
        return {
          label: String(p),
          colour: layer.colours[k],
          dash: DASHES[k % DASHES.length],
          xs,
          ys,
          count: ys.length,
        };
      });
      drawLineChart(layer.canvas, {
        series,
        xDomain: [0, epochs],
        xLabel: 'epoch',
        yLabel: 'value',
        marker: frame && !frame.done ? frame.epoch : null,
        empty: 'press Train or Step',
      });
    }
  }

  private writeStats(setup: TrainingSetup, frame: TrainFrame | null): void {
    const epochs = setup.config.epochs;
    const epoch = byId('epoch');
    epoch.textContent = `${formatNumber(frame?.epoch ?? 0)} / ${formatNumber(epochs)}`;
    epoch.dataset.value = String(frame?.epoch ?? 0);
    const loss = byId('loss');
    loss.textContent = !frame ? '–' : frame.diverged ? 'diverged' : formatNumber(frame.loss);
    loss.dataset.value = frame ? String(frame.loss) : '';
    byId('current-lr').textContent = frame ? formatNumber(frame.lr) : formatNumber(setup.config.lr);
    const total = byId('total-loss');
    total.textContent = frame ? formatNumber(frame.totalLoss, 7) : '0';
    total.dataset.value = frame ? String(frame.totalLoss) : '0';
    byId('learned').textContent = !frame ? '–' : frame.success ? 'yes' : 'no';
    if (!frame) return;
    const threshold = setup.config.threshold;
    const below =
      frame.epochsToThreshold === null
        ? `not yet below ${threshold}`
        : `first below ${threshold} at epoch ${formatNumber(frame.epochsToThreshold)}`;
    if (frame.diverged)
      this.status(
        `Diverged at epoch ${formatNumber(frame.epoch)}: the loss became infinite or NaN. Try a smaller learning rate or initial std.`,
      );
    else if (frame.done)
      this.status(
        `Done: ${formatNumber(epochs)} epochs, final loss ${formatNumber(frame.loss)}, total loss ${formatNumber(frame.totalLoss, 7)}, ${frame.success ? 'learned' : 'not learned'}, ${below}.`,
      );
    else if (frame.running) this.status(`Training… loss ${below}.`);
    else
      this.status(
        frame.epoch === 0
          ? 'Ready: press Train, or Step one epoch at a time.'
          : `Paused at epoch ${formatNumber(frame.epoch)}; loss ${below}.`,
      );
  }

  private writeTable(): void {
    const frame = this.frame;
    const setup = this.setup;
    if (!frame || !setup) return;
    const wait = TABLE_MS - (performance.now() - this.lastTable);
    if (wait > 0 && frame.running) {
      this.tableTimer ??= setTimeout(() => {
        this.tableTimer = null;
        this.writeTable();
      }, wait);
      return;
    }
    this.lastTable = performance.now();
    const rows = byId<HTMLTableElement>('predictions').tBodies[0]?.rows;
    if (!rows) return;
    for (let s = 0; s < rows.length; s++) {
      const p = frame.predictions[s];
      const cells = rows[s].cells;
      cells[cells.length - 2].textContent = Number.isFinite(p) ? p.toFixed(3) : '–';
      const right = Number.isFinite(p) && p > 0.5 === setup.dataset.targets[s] > 0.5;
      cells[cells.length - 1].textContent = Number.isFinite(p) ? (right ? '✓' : '✗') : '';
      rows[s].classList.toggle('wrong', Number.isFinite(p) && !right);
    }
  }
}
