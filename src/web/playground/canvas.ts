// Light canvas charts for what changes every frame of a live training (the loss curve, every weight's line, the
// decision boundary, each neuron's map): drawing a few thousand points costs well under a millisecond, where
// re-rendering a Vega view per frame costs tens (docs/web.md: the playground). Same look as the CLI's charts:
// viridis, dashes, greyscale-safe.
import type { PlotSquare } from './geometry.js';

/** Vega's viridis (vega-scale's palette), which the CLI's charts use. */
const VIRIDIS =
  '440154470e61481a6c482575472f7d443a834144873d4e8a39568c35608d31688e2d708e2a788e27818e23888e21918d1f988b1fa08822a8842ab07f35b77943bf7154c56866cc5d7ad1518fd744a5db36bcdf27d2e21be9e51afde725';

const STOPS = Array.from({ length: VIRIDIS.length / 6 }, (_, k) =>
  [0, 2, 4].map((o) => parseInt(VIRIDIS.slice(6 * k + o, 6 * k + o + 2), 16)),
);

/** viridis(t) for t in [0, 1] as [r, g, b]. */
function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (STOPS.length - 1);
  const k = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - k;
  const [a, b] = [STOPS[k], STOPS[k + 1]];
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * f)) as [number, number, number];
}

/** viridis at 1024 levels, [r, g, b] each: what the maps look up per cell (a call per cell allocates and costs). */
const TABLE_LEVELS = 1024;
const VIRIDIS_TABLE = Uint8ClampedArray.from(
  { length: TABLE_LEVELS * 3 },
  (_, k) => viridis(Math.floor(k / 3) / (TABLE_LEVELS - 1))[k % 3],
);

/** Writes viridis(t) (t in [0, 1], clamped; NaN as 0) into `data` at `at` as opaque RGBA. */
export function putViridis(data: Uint8ClampedArray, at: number, t: number): void {
  const k = 3 * Math.round((t >= 0 ? (t <= 1 ? t : 1) : 0) * (TABLE_LEVELS - 1));
  data[at] = VIRIDIS_TABLE[k];
  data[at + 1] = VIRIDIS_TABLE[k + 1];
  data[at + 2] = VIRIDIS_TABLE[k + 2];
  data[at + 3] = 255;
}

function viridisCss(t: number): string {
  const [r, g, b] = viridis(t);
  return `rgb(${r}, ${g}, ${b})`;
}

/** n line colours from viridis' dark end to its yellow-green (pure yellow is too light for a line). */
export function lineColours(n: number): string[] {
  return Array.from({ length: n }, (_, k) => viridisCss(n <= 1 ? 0 : (0.85 * k) / (n - 1)));
}

export const DASHES: readonly number[][] = [
  [],
  [8, 4],
  [2, 3],
  [10, 3, 2, 3],
  [4, 4],
  [14, 4],
  [2, 6],
  [8, 3, 2, 3, 2, 3],
];

const INK = '#222';
const MUTED = '#666';
const GRID = '#e6e6e6';
const FONT = '12px system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif';

/** Sizes the canvas's backing store to its CSS box at the screen's pixel ratio; returns the context in CSS pixels. */
function fitCanvas(canvas: HTMLCanvasElement): { ctx: CanvasRenderingContext2D; width: number; height: number } {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(canvas.clientWidth));
  const height = Math.max(1, Math.round(canvas.clientHeight));
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return { ctx, width, height };
}

/** "Nice" ticks over [lo, hi] (1, 2, 5 x 10^k steps). */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

function logTicks(lo: number, hi: number): number[] {
  const a = Math.floor(Math.log10(lo));
  const b = Math.ceil(Math.log10(hi));
  const ticks: number[] = [];
  for (let k = a; k <= b; k++) {
    for (const m of b - a <= 2 ? [1, 2, 5] : [1]) {
      const v = m * 10 ** k;
      if (v >= lo * 0.999 && v <= hi * 1.001) ticks.push(v);
    }
  }
  return ticks;
}

function tickText(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(0).replace('e+', 'e');
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return String(Number(v.toPrecision(3)));
}

export interface Series {
  label: string;
  colour: string;
  dash: readonly number[];
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  /** Points 0..count-1 of xs/ys are drawn (the arrays may be longer: growable buffers). */
  count: number;
}

interface LineChartOptions {
  series: readonly Series[];
  xDomain: [number, number];
  xLabel: string;
  yLabel: string;
  logY?: boolean;
  /** A vertical rule, e.g. the epoch the run is at. */
  marker?: number | null;
  /** Shown in the plot when there is nothing to draw. */
  empty?: string;
}

/** Lines over a shared x-axis. Long series are drawn as each pixel column's min and max, so no spike is lost. */
export function drawLineChart(canvas: HTMLCanvasElement, options: LineChartOptions): void {
  const { ctx, width, height } = fitCanvas(canvas);
  const logY = options.logY ?? false;
  let yLo = Infinity;
  let yHi = -Infinity;
  for (const s of options.series) {
    for (let k = 0; k < s.count; k++) {
      const y = s.ys[k];
      if (!Number.isFinite(y) || (logY && y <= 0)) continue;
      if (y < yLo) yLo = y;
      if (y > yHi) yHi = y;
    }
  }
  const left = 58;
  const right = 24; // room for the last x label
  const top = 8;
  const bottom = 38;
  const w = Math.max(10, width - left - right);
  const h = Math.max(10, height - top - bottom);
  ctx.font = FONT;
  ctx.fillStyle = MUTED;
  ctx.textBaseline = 'middle';
  if (yLo === Infinity) {
    ctx.textAlign = 'center';
    ctx.fillText(options.empty ?? 'nothing to draw yet', left + w / 2, top + h / 2);
    ctx.strokeStyle = '#bbb';
    ctx.strokeRect(left + 0.5, top + 0.5, w, h);
    return;
  }
  if (yLo === yHi) {
    const pad = logY ? yLo * 0.1 : Math.max(1e-3, Math.abs(yLo) * 0.1);
    yLo -= pad;
    yHi += pad;
  } else if (!logY) {
    const pad = (yHi - yLo) * 0.04;
    yLo -= pad;
    yHi += pad;
  }
  const [xLo, xHi0] = options.xDomain;
  const xHi = xHi0 > xLo ? xHi0 : xLo + 1;
  const fy = logY
    ? (y: number) => (Math.log(y) - Math.log(yLo)) / (Math.log(yHi) - Math.log(yLo))
    : (y: number) => (y - yLo) / (yHi - yLo);
  const px = (x: number) => left + ((x - xLo) / (xHi - xLo)) * w;
  const py = (y: number) => top + h - fy(y) * h;

  // Grid and axes.
  ctx.lineWidth = 1;
  const yTicks = logY ? logTicks(yLo, yHi) : niceTicks(yLo, yHi, Math.max(2, Math.floor(h / 40)));
  ctx.textAlign = 'right';
  for (const t of yTicks) {
    const y = Math.round(py(t)) + 0.5;
    ctx.strokeStyle = GRID;
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(left + w, y);
    ctx.stroke();
    ctx.fillStyle = INK;
    ctx.fillText(tickText(t), left - 6, y);
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of niceTicks(xLo, xHi, Math.max(2, Math.floor(w / 90)))) {
    const x = Math.round(px(t)) + 0.5;
    ctx.strokeStyle = GRID;
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + h);
    ctx.stroke();
    ctx.fillStyle = INK;
    ctx.fillText(tickText(t), x, top + h + 5);
  }
  ctx.fillStyle = MUTED;
  ctx.fillText(options.xLabel, left + w / 2, top + h + 21);
  ctx.save();
  ctx.translate(12, top + h / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = 'middle';
  ctx.fillText(options.yLabel, 0, 0);
  ctx.restore();
  ctx.strokeStyle = '#bbb';
  ctx.strokeRect(left + 0.5, top + 0.5, w, h);

  if (options.marker !== undefined && options.marker !== null) {
    const x = Math.round(px(options.marker)) + 0.5;
    ctx.strokeStyle = '#f0a400';
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + h);
    ctx.stroke();
    ctx.setLineDash([]);
  }

  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, w, h);
  ctx.clip();
  ctx.lineWidth = 1.6;
  ctx.lineJoin = 'round';
  for (const s of options.series) {
    ctx.strokeStyle = s.colour;
    ctx.setLineDash([...s.dash]);
    ctx.beginPath();
    let column = NaN;
    let lo = 0;
    let hi = 0;
    let started = false;
    const flush = () => {
      if (Number.isNaN(column)) return;
      if (!started) ctx.moveTo(column, lo);
      else ctx.lineTo(column, lo);
      if (hi !== lo) ctx.lineTo(column, hi);
      started = true;
    };
    for (let k = 0; k < s.count; k++) {
      const y = s.ys[k];
      if (!Number.isFinite(y) || (logY && y <= 0)) continue;
      const x = Math.round(px(s.xs[k]));
      const v = py(y);
      if (x !== column) {
        flush();
        column = x;
        lo = v;
        hi = v;
      } else {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    flush();
    ctx.stroke();
    // A dot where the line ends: the value now (and the only mark while a line has one point).
    for (let k = s.count - 1; k >= 0; k--) {
      const y = s.ys[k];
      if (!Number.isFinite(y) || (logY && y <= 0)) continue;
      ctx.setLineDash([]);
      ctx.fillStyle = s.colour;
      ctx.beginPath();
      ctx.arc(px(s.xs[k]), py(y), 2.5, 0, 2 * Math.PI);
      ctx.fill();
      break;
    }
  }
  ctx.restore();
  ctx.setLineDash([]);
}

/** A small line sample for a legend entry. */
export function drawSwatch(canvas: HTMLCanvasElement, colour: string, dash: readonly number[]): void {
  const { ctx, width, height } = fitCanvas(canvas);
  ctx.strokeStyle = colour;
  ctx.lineWidth = 2;
  ctx.setLineDash([...dash]);
  ctx.beginPath();
  ctx.moveTo(1, height / 2);
  ctx.lineTo(width - 1, height / 2);
  ctx.stroke();
}

interface HeatmapOptions {
  /** resolution x resolution outputs, row y (from lo to hi), column x. */
  grid: ArrayLike<number> | null;
  resolution: number;
  x: [number, number];
  y: [number, number];
  samples: { x: number; y: number; target: number }[];
  xLabel: string;
  yLabel: string;
  empty?: string;
  /** The values coloured dark to yellow (default [0, 1]). */
  range?: [number, number];
  /** Where the cells are drawn white (default 0.5); null: nowhere. */
  level?: number | null;
  /** Draw the colour bar (default true). */
  colourBar?: boolean;
}

/**
 * The decision boundary: the network's output over the input square in viridis (0 dark, 1 yellow), the cells where
 * it crosses 0.5 in white, and the samples as circles (target below 0.5, black) and squares (white), as the CLI's
 * boundary chart draws them.
 */
export function drawHeatmap(canvas: HTMLCanvasElement, options: HeatmapOptions): PlotSquare {
  const { ctx, width, height } = fitCanvas(canvas);
  const left = 44;
  const bottom = 40;
  const top = 8;
  const bar = options.colourBar ?? true;
  const legend = bar ? 46 : 0;
  const size = Math.max(10, Math.min(width - left - legend - 6, height - top - bottom));
  ctx.font = FONT;
  const n = options.resolution;
  if (!options.grid) {
    ctx.fillStyle = MUTED;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(options.empty ?? '', left + size / 2, top + size / 2);
    ctx.strokeStyle = '#bbb';
    ctx.strokeRect(left + 0.5, top + 0.5, size, size);
    return { left, top, size, x: options.x, y: options.y };
  }
  const image = new ImageData(n, n);
  const level = options.level === undefined ? 0.5 : options.level;
  const [lo, hi] = options.range ?? [0, 1];
  const side = (k: number) => options.grid![k] > (level ?? 0);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const k = j * n + i;
      const crossing =
        level !== null && ((i + 1 < n && side(k + 1) !== side(k)) || (j + 1 < n && side(k + n) !== side(k)));
      const at = ((n - 1 - j) * n + i) * 4; // image rows run top-down, y upwards
      if (crossing) image.data.fill(255, at, at + 4);
      else putViridis(image.data, at, hi > lo ? (options.grid[k] - lo) / (hi - lo) : 0.5);
    }
  }
  const cells = document.createElement('canvas');
  cells.width = n;
  cells.height = n;
  cells.getContext('2d')!.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(cells, left, top, size, size);
  ctx.strokeStyle = '#888';
  ctx.lineWidth = 1;
  ctx.strokeRect(left + 0.5, top + 0.5, size - 1, size - 1);

  const px = (x: number) => left + ((x - options.x[0]) / (options.x[1] - options.x[0])) * size;
  const py = (y: number) => top + size - ((y - options.y[0]) / (options.y[1] - options.y[0])) * size;
  // Axes.
  ctx.fillStyle = INK;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of niceTicks(options.x[0], options.x[1], 4)) ctx.fillText(tickText(t), px(t), top + size + 5);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of niceTicks(options.y[0], options.y[1], 4)) ctx.fillText(tickText(t), left - 6, py(t));
  ctx.fillStyle = MUTED;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.fillText(options.xLabel, left + size / 2, top + size + 21);
  ctx.save();
  ctx.translate(10, top + size / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = 'middle';
  ctx.fillText(options.yLabel, 0, 0);
  ctx.restore();

  // Samples.
  const r = Math.max(5, Math.min(11, size / 28));
  ctx.lineWidth = 2;
  for (const s of options.samples) {
    const x = px(s.x);
    const y = py(s.y);
    ctx.beginPath();
    if (s.target > 0.5) ctx.rect(x - r, y - r, 2 * r, 2 * r);
    else ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.fillStyle = s.target > 0.5 ? '#fff' : '#000';
    ctx.fill();
    ctx.strokeStyle = '#000';
    ctx.stroke();
  }

  const plot = { left, top, size, x: options.x, y: options.y };
  if (!bar) return plot;
  // Colour bar.
  const bx = left + size + 14;
  const bh = size;
  for (let k = 0; k < bh; k++) {
    ctx.fillStyle = viridisCss(1 - k / (bh - 1));
    ctx.fillRect(bx, top + k, 10, 1);
  }
  ctx.fillStyle = INK;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  for (const t of [0, 0.5, 1]) ctx.fillText(tickText(lo + t * (hi - lo)), bx + 14, top + (1 - t) * (bh - 1));
  return plot;
}
