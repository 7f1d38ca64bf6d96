// What every view of the live training gets to draw a frame, and how units are named on the page.
import type { NetworkShape } from '../../core/network.js';
import type { PlotSquare } from './geometry.js';
import type { GridSpec, TrainFrame } from './protocol.js';
import type { TrainingSetup } from './state.js';

export interface DrawContext {
  setup: TrainingSetup;
  /** null until the worker has sent the run's first frame. */
  frame: TrainFrame | null;
  grid: GridSpec | null;
  /** Where the decision boundary's square was drawn, in its canvas's CSS pixels. */
  boundary: PlotSquare | null;
}

/** A view drawn from each frame; one that is not shown is not drawn (it costs nothing). */
export interface FrameView {
  /** Its performance measure is `view:<name>`. */
  readonly name: string;
  shown(): boolean;
  /** A new run (or Reset): rebuild what depends on the network's shape. */
  load(setup: TrainingSetup): void;
  draw(context: DrawContext): void;
}

/** Unit `unit` (0-based) of layer `layer` (0: the inputs, 1: the first hidden layer, ..., the output layer last). */
export function unitLabel(shape: NetworkShape, layer: number, unit: number): string {
  const last = shape.sizes.length - 1;
  if (layer === 0) return `x${unit + 1}`;
  if (layer === last) return shape.sizes[last] === 1 ? 'out' : `out${unit + 1}`;
  return last === 2 ? `h${unit + 1}` : `h${layer}.${unit + 1}`;
}

export function layerTitle(shape: NetworkShape, layer: number): string {
  const last = shape.sizes.length - 1;
  if (layer === 0) return 'inputs';
  if (layer === last) return 'output';
  return last === 2 ? 'hidden layer' : `hidden layer ${layer}`;
}

/** The colour range of an activation's outputs: fixed for the bounded ones, else the values' own. */
export function activationRange(name: string, values: ArrayLike<number>, from = 0, stride = 1): [number, number] {
  if (name === 'sigmoid') return [0, 1];
  if (name === 'tanh') return [-1, 1];
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = from; k < values.length; k += stride) {
    const v = values[k];
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo < hi ? [lo, hi] : lo === hi ? [lo - 1, hi + 1] : [0, 1];
}

/** The output an activation gives at z = 0: where a unit's line w·x + b = 0 lies in its map. */
export function outputAtZero(name: string): number | null {
  return name === 'sigmoid'
    ? 0.5
    : name === 'tanh' || name === 'linear' || name === 'relu' || name === 'leaky-relu' || name === 'elu'
      ? 0
      : null;
}

/** A number in a few digits, with a real minus sign. */
export function short(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  const text = String(Number(x.toPrecision(digits)));
  return text.startsWith('-') ? `−${text.slice(1)}` : text;
}
