// Plain rows for the training charts, computed from core results: parameter trajectories, loss curves, and a
// network's output over a grid of inputs.
import {
  Network,
  makeDataset,
  parameterNames,
  shapeFor,
  type Dataset,
  type Snapshot,
  type TraceEntry,
  type TrainingConfig,
} from '../core/index.js';

export interface WeightRow {
  epoch: number;
  parameter: string;
  layer: string;
  value: number;
}

/** "L1.w[0][1]" -> "hidden layer", the last layer -> "output layer". */
function layerTitle(name: string, layerCount: number): string {
  const l = Number(/^L(\d+)/.exec(name)?.[1] ?? 0);
  if (l === layerCount) return 'output layer';
  return layerCount > 2 ? `hidden layer ${l}` : 'hidden layer';
}

/** One row per (snapshot, parameter); parameters are named as in core (L1.w[i][j], L1.b[j], ...). */
export function weightRows(config: TrainingConfig, dataset: Dataset, snapshots: readonly Snapshot[]): WeightRow[] {
  const shape = shapeFor(config, dataset);
  const names = parameterNames(shape);
  const layers = shape.layers.length;
  const rows: WeightRow[] = [];
  for (const s of snapshots) {
    s.parameters.forEach((value, k) =>
      rows.push({ epoch: s.epoch, parameter: names[k], layer: layerTitle(names[k], layers), value }),
    );
  }
  return rows;
}

export interface LossRow {
  run: string;
  epoch: number;
  loss: number;
}

export function lossRows(run: string, trace: readonly TraceEntry[]): LossRow[] {
  return trace.map(({ epoch, loss }) => ({ run, epoch, loss }));
}

export interface GridCell {
  x1: number;
  x2: number;
  /** Cell bounds, for drawing rectangles that tile the square exactly. */
  x1lo: number;
  x1hi: number;
  x2lo: number;
  x2hi: number;
  output: number;
  /** The output crosses 0.5 between this cell and its right or upper neighbour: the decision boundary. */
  boundary: boolean;
}

/** Inputs from -0.1 to 1.1, so the four corners of [0,1]^2 (the XOR points) lie inside with a margin. */
export const GRID_MIN = -0.1;
export const GRID_MAX = 1.1;

/**
 * The network's first output at the centres of a resolution x resolution grid over [GRID_MIN, GRID_MAX]^2 (the
 * inputs of the two-input datasets), evaluated with core's forward pass on a dataset made of the grid points.
 */
export function outputGrid(
  config: TrainingConfig,
  dataset: Dataset,
  parameters: Float64Array,
  resolution = 60,
): GridCell[] {
  if (dataset.inputCount !== 2)
    throw new RangeError(
      `a decision boundary needs a dataset with 2 inputs; ${dataset.name} has ${dataset.inputCount}`,
    );
  const step = (GRID_MAX - GRID_MIN) / resolution;
  const centre = (i: number) => GRID_MIN + (i + 0.5) * step;
  const rows: number[][] = [];
  for (let i = 0; i < resolution; i++) for (let j = 0; j < resolution; j++) rows.push([centre(i), centre(j)]);
  const grid = makeDataset(
    'grid',
    rows,
    rows.map(() => new Array<number>(dataset.outputCount).fill(0)),
  );
  const net = new Network(config, grid);
  if (parameters.length !== net.shape.parameterCount)
    throw new RangeError(`expected ${net.shape.parameterCount} parameters, got ${parameters.length}`);
  net.forward(parameters);
  const out = net.predictions().map((p) => p[0]);
  const side = (k: number) => out[k] > 0.5;
  return rows.map(([x1, x2], k) => {
    const i = Math.floor(k / resolution);
    const j = k % resolution;
    const boundary =
      (i + 1 < resolution && side(k + resolution) !== side(k)) || (j + 1 < resolution && side(k + 1) !== side(k));
    return {
      x1,
      x2,
      x1lo: x1 - step / 2,
      x1hi: x1 + step / 2,
      x2lo: x2 - step / 2,
      x2hi: x2 + step / 2,
      output: out[k],
      boundary,
    };
  });
}

export interface SamplePoint {
  x1: number;
  x2: number;
  target: number;
}

export function samplePoints(dataset: Dataset): SamplePoint[] {
  return Array.from({ length: dataset.size }, (_, s) => ({
    x1: dataset.inputs[s * dataset.inputCount],
    x2: dataset.inputs[s * dataset.inputCount + 1],
    target: dataset.targets[s * dataset.outputCount],
  }));
}
