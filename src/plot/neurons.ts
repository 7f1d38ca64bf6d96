// What each neuron does, as plain rows for the charts: every first-layer unit's line w.x + b = 0 with the side where
// it is above 0.5 marked and its label placed clear of the samples, each unit's own output over the input square,
// and where the hidden layer sends the samples. Everything is computed with core's forward pass.
import {
  Network,
  firstLayerLines,
  lineCrossing,
  makeDataset,
  shapeFor,
  type Crossing,
  type Dataset,
  type TrainingConfig,
  type ViewBox,
} from '../core/index.js';
import { insideFrame, markerRect, placeLabel, textSize, toData, toPixel, type Frame, type Rect } from './labels.js';
import { GRID_MAX, GRID_MIN } from './training.js';

/** The boundary chart's view: the input square with a margin. */
export const INPUT_BOX: ViewBox = { min: GRID_MIN, max: GRID_MAX };

/** A unit's line as drawn: the segment, the tick towards its positive side, and the label at the tick's end. */
export interface LineMark {
  /** "h1", "h2", ... or "output". */
  unit: string;
  /** The segment's ends, where the line crosses the view's edges. */
  x1a: number;
  x2a: number;
  x1b: number;
  x2b: number;
  /** The tick from the line towards the side where w.x + b > 0. */
  tickX1a: number;
  tickX2a: number;
  tickX1b: number;
  tickX2b: number;
  /** The label's anchor and text ("h1 > 0.5"). */
  labelX1: number;
  labelX2: number;
  label: string;
}

/** A unit whose line does not cross the view, and the side of it that the view lies on. */
interface MissedLine {
  unit: string;
  /** The unit's pre-activation at the view's centre is positive: the whole view is on its positive side. */
  positive: boolean;
}

/** Font size of the line labels, and the half-side in pixels of a sample's marker (size 420: about 20 px wide). */
export const LINE_LABEL_FONT = 14;
export const SAMPLE_HALF = 12;

/**
 * The drawn segment of the line w1 x1 + w2 x2 + b = 0 clipped to the frame's box, with a tick towards its positive
 * side and the label beyond the tick, placed along the segment where the label covers none of `obstacles` (the
 * samples' markers, labels already placed: the chosen label is appended). null when the line misses the box.
 */
function lineMark(
  unit: string,
  label: string,
  w: [number, number, number],
  frame: Frame,
  obstacles: Rect[],
  fontSize = LINE_LABEL_FONT,
): LineMark | null {
  const [w1, w2, b] = w;
  const crossing: Crossing | null = lineCrossing(w1, w2, b, frame.box);
  if (crossing === null) return null;
  const [a, z] = crossing.map((p) => toPixel(frame, p));
  // The normal towards w.x + b > 0, in pixels (y flipped).
  const norm = Math.hypot(w1, w2);
  const [nx, ny] = [w1 / norm, -w2 / norm];
  const tick = 0.045 * frame.width;
  const size = textSize(label, fontSize, true);
  const reach = tick + 3 + Math.abs(nx) * (size.width / 2) + Math.abs(ny) * (size.height / 2);
  // Along the segment, nearest the middle first, then a little further out.
  const along = [0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65, 0.3, 0.7, 0.25, 0.75, 0.2, 0.8, 0.15, 0.85, 0.1, 0.9];
  const options = [1, 1.5].flatMap((out) =>
    along.map((t) => ({ foot: [a[0] + t * (z[0] - a[0]), a[1] + t * (z[1] - a[1])] as [number, number], out })),
  );
  const centres = options.map(
    ({ foot: [mx, my], out }) => [mx + out * reach * nx, my + out * reach * ny] as [number, number],
  );
  const chosen = placeLabel(frame, centres, size, obstacles);
  const { foot } = options[chosen];
  // A line that only clips a corner may leave no room on its positive side: the label then stays in the frame.
  const centre = insideFrame(frame, centres[chosen], size);
  const [footX1, footX2] = toData(frame, foot);
  const [tipX1, tipX2] = toData(frame, [foot[0] + tick * nx, foot[1] + tick * ny]);
  const [labelX1, labelX2] = toData(frame, centre);
  return {
    unit,
    x1a: crossing[0][0],
    x2a: crossing[0][1],
    x1b: crossing[1][0],
    x2b: crossing[1][1],
    tickX1a: footX1,
    tickX2a: footX2,
    tickX1b: tipX1,
    tickX2b: tipX2,
    labelX1,
    labelX2,
    label,
  };
}

/** The name of unit j (0-based) of hidden layer l (1-based) in a network with `hiddenLayers` hidden layers. */
export function unitName(l: number, j: number, hiddenLayers: number): string {
  return hiddenLayers > 1 ? `h${l}.${j + 1}` : `h${j + 1}`;
}

/** What "the positive side" means for a unit with this activation: output above 0.5 for sigmoid, z > 0 otherwise. */
function positiveSideLabel(name: string, activation: TrainingConfig['activation']): string {
  return activation === 'sigmoid' ? `${name} > 0.5` : `${name}: z > 0`;
}

/** The first hidden layer's lines over the input view, labelled clear of the samples, and the units that miss it. */
export function firstLayerMarks(
  config: TrainingConfig,
  dataset: Dataset,
  parameters: Float64Array,
  samples: readonly [number, number][],
  frame: Frame,
  options: { sampleHalf?: number; fontSize?: number; only?: number } = {},
): { marks: LineMark[]; missed: MissedLine[] } {
  const shape = shapeFor(config, dataset);
  const lines = firstLayerLines(shape, parameters, frame.box).filter(
    (line) => options.only === undefined || line.unit === options.only,
  );
  const centre = (frame.box.min + frame.box.max) / 2;
  const obstacles: Rect[] = samples.map((p) => markerRect(frame, p, options.sampleHalf ?? SAMPLE_HALF));
  const marks: LineMark[] = [];
  const missed: MissedLine[] = [];
  for (const line of lines) {
    const name = unitName(1, line.unit, config.hidden.length);
    const mark = lineMark(
      name,
      positiveSideLabel(name, config.activation),
      [line.w1, line.w2, line.b],
      frame,
      obstacles,
      options.fontSize,
    );
    if (mark) marks.push(mark);
    else missed.push({ unit: name, positive: line.w1 * centre + line.w2 * centre + line.b > 0 });
  }
  return { marks, missed };
}

/** Every layer's activations for every row of `rows` (one forward pass of core's Network), layer l at [l]. */
function layerOutputs(
  config: TrainingConfig,
  dataset: Dataset,
  parameters: Float64Array,
  rows: number[][],
): { units: number; values: Float64Array }[] {
  const points = makeDataset(
    'points',
    rows,
    rows.map(() => new Array<number>(dataset.outputCount).fill(0)),
  );
  const net = new Network(config, points);
  if (parameters.length !== net.shape.parameterCount)
    throw new RangeError(`expected ${net.shape.parameterCount} parameters, got ${parameters.length}`);
  net.forward(parameters);
  const { acts } = net.lastPass();
  return net.shape.sizes.map((units, l) => ({ units, values: Float64Array.from(acts[l]) }));
}

interface UnitCell {
  unit: string;
  x1lo: number;
  x1hi: number;
  x2lo: number;
  x2hi: number;
  output: number;
}

/** Each first-layer unit's own output over a resolution x resolution grid of the input view. */
export function unitGrids(
  config: TrainingConfig,
  dataset: Dataset,
  parameters: Float64Array,
  resolution = 40,
): UnitCell[] {
  const step = (GRID_MAX - GRID_MIN) / resolution;
  const centre = (i: number) => GRID_MIN + (i + 0.5) * step;
  const rows: number[][] = [];
  for (let i = 0; i < resolution; i++) for (let j = 0; j < resolution; j++) rows.push([centre(i), centre(j)]);
  const { units, values } = layerOutputs(config, dataset, parameters, rows)[1];
  const cells: UnitCell[] = [];
  for (let u = 0; u < units; u++) {
    const unit = unitName(1, u, config.hidden.length);
    rows.forEach(([x1, x2], k) =>
      cells.push({
        unit,
        x1lo: x1 - step / 2,
        x1hi: x1 + step / 2,
        x2lo: x2 - step / 2,
        x2hi: x2 + step / 2,
        output: values[k * units + u],
      }),
    );
  }
  return cells;
}

/** The range a unit with this activation takes, for its colour scale (null: from the data). */
export function activationRange(activation: TrainingConfig['activation']): [number, number] | null {
  if (activation === 'sigmoid') return [0, 1];
  if (activation === 'tanh') return [-1, 1];
  return null;
}

/** One sample where the hidden layer sends it. */
interface HiddenPoint {
  /** The two drawn units' outputs. */
  ha: number;
  hb: number;
  /** "(0, 1)": the sample's inputs; samples that land on the same spot share one label ("" on the others). */
  input: string;
  /** Where the label's centre goes (clear of every marker and the line's label); null without a label. */
  labelH: number | null;
  labelK: number | null;
  target: number;
  /** The network's (first) output for the sample. */
  output: number;
}

interface HiddenSpace {
  /** The hidden layer drawn (1-based): the last one, whose outputs the output neuron reads. */
  layer: number;
  units: number;
  /** The two units drawn, 0-based, and their names. */
  pair: [number, number];
  names: [string, string];
  box: ViewBox;
  points: HiddenPoint[];
  /** The output neuron's line in the plane (other units held at their mean over the samples); null: misses the view. */
  line: LineMark | null;
  /** The output neuron's weights from the two units and its bias with the other units' mean contribution. */
  weights: [number, number, number];
  /** The output neuron's output over the plane (other units at their mean), for the background. */
  grid: { hlo: number; hhi: number; klo: number; khi: number; output: number }[];
}

/**
 * Where the last hidden layer sends each sample: the two units `pair` (0-based; default the first two) of that
 * layer, and the output neuron's line in their plane. With more than two units the others are held at their mean
 * over the samples for the line and the background (the points themselves are exact). Throws RangeError for a
 * network without a hidden layer, with one hidden unit, or a pair out of range.
 */
export function hiddenSpace(
  config: TrainingConfig,
  dataset: Dataset,
  parameters: Float64Array,
  pair: [number, number] = [0, 1],
  pixels = 460,
  resolution = 40,
): HiddenSpace {
  const shape = shapeFor(config, dataset);
  const layer = shape.layers.length - 1;
  if (layer < 1) throw new RangeError('a hidden space needs a hidden layer; this network has none');
  const units = shape.sizes[layer];
  if (units < 2) throw new RangeError(`a hidden space needs two units in the last hidden layer; it has ${units}`);
  if (pair.some((u) => !Number.isInteger(u) || u < 0 || u >= units) || pair[0] === pair[1])
    throw new RangeError(`the units drawn must be two different units of 1..${units}`);
  const rows = Array.from({ length: dataset.size }, (_, s) =>
    Array.from(dataset.inputs.subarray(s * dataset.inputCount, (s + 1) * dataset.inputCount)),
  );
  const outputs = layerOutputs(config, dataset, parameters, rows);
  const hidden = outputs[layer].values;
  const final = outputs[layer + 1];
  const [a, b] = pair;
  const coordinates = rows.map((_, s) => [hidden[s * units + a], hidden[s * units + b]] as [number, number]);
  const range = activationRange(config.activation);
  const box: ViewBox = range
    ? { min: range[0] - 0.1 * (range[1] - range[0]), max: range[1] + 0.1 * (range[1] - range[0]) }
    : dataBox(coordinates.flat());
  // The output neuron (the first output) reads the units: v_a h_a + v_b h_b + (c + the others' mean share).
  const out = shape.layers[layer];
  const v = (k: number) => parameters[out.weightOffset + k * out.units];
  let bias = parameters[out.biasOffset];
  for (let k = 0; k < units; k++) {
    if (k === a || k === b) continue;
    let mean = 0;
    for (let s = 0; s < dataset.size; s++) mean += hidden[s * units + k] / dataset.size;
    bias += v(k) * mean;
  }
  const weights: [number, number, number] = [v(a), v(b), bias];
  const names: [string, string] = [unitName(layer, a, config.hidden.length), unitName(layer, b, config.hidden.length)];
  const outputName = dataset.outputCount > 1 ? 'output 1' : 'output';
  const frame: Frame = { box, width: pixels, height: pixels };
  const obstacles = coordinates.map((p) => markerRect(frame, p, SAMPLE_HALF));
  const line = lineMark('output', positiveSideLabel(outputName, config.outputActivation), weights, frame, obstacles);
  const points = pointLabels(frame, coordinates, rows, obstacles).map((label, s) => ({
    ha: coordinates[s][0],
    hb: coordinates[s][1],
    ...label,
    target: dataset.targets[s * dataset.outputCount],
    output: final.values[s * final.units],
  }));
  return {
    layer,
    units,
    pair,
    names,
    box,
    points,
    line,
    weights,
    grid: outputPlane(config, parameters, shape.layers[layer], hidden, dataset.size, pair, box, resolution),
  };
}

/** Font size of the samples' labels in the hidden space. */
const POINT_LABEL_FONT = 13;

/**
 * Each sample's label ("(0, 1)") beside its marker where it covers no marker and no label already placed; samples
 * that land on the same spot (within a marker) share one label, on the first of them.
 */
function pointLabels(
  frame: Frame,
  coordinates: [number, number][],
  rows: number[][],
  obstacles: Rect[],
): { input: string; labelH: number | null; labelK: number | null }[] {
  const pixels = coordinates.map((c) => toPixel(frame, c));
  return coordinates.map((_, s) => {
    const together = pixels
      .map((p, k) => (Math.hypot(p[0] - pixels[s][0], p[1] - pixels[s][1]) < SAMPLE_HALF ? k : -1))
      .filter((k) => k >= 0);
    if (together[0] !== s) return { input: '', labelH: null, labelK: null };
    const input = together.map((k) => `(${rows[k].join(', ')})`).join(' ');
    const size = textSize(input, POINT_LABEL_FONT, false);
    const [px, py] = pixels[s];
    const dx = SAMPLE_HALF + 3 + size.width / 2;
    const dy = SAMPLE_HALF + 2 + size.height / 2;
    const centres: [number, number][] = [
      [px + dx, py - dy / 2],
      [px - dx, py - dy / 2],
      [px, py - dy],
      [px, py + dy],
      [px + dx, py + dy / 2],
      [px - dx, py + dy / 2],
      [px + dx, py - dy],
      [px - dx, py + dy],
    ];
    const centre = centres[placeLabel(frame, centres, size, obstacles)];
    const [labelH, labelK] = toData(frame, centre);
    return { input, labelH, labelK };
  });
}

/** A square box around the values with a tenth of their range as margin (a unit range around a single value). */
function dataBox(values: number[]): ViewBox {
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  return { min: min - 0.1 * span, max: max + 0.1 * span };
}

/** The output layer's first output over the plane of units `pair`, the others at their mean, by core's forward pass. */
function outputPlane(
  config: TrainingConfig,
  parameters: Float64Array,
  out: { inputs: number; units: number; weightOffset: number; end: number },
  hidden: Float64Array,
  samples: number,
  pair: [number, number],
  box: ViewBox,
  resolution: number,
): HiddenSpace['grid'] {
  const units = out.inputs;
  const means = Array.from({ length: units }, (_, k) => {
    let mean = 0;
    for (let s = 0; s < samples; s++) mean += hidden[s * units + k] / samples;
    return mean;
  });
  const step = (box.max - box.min) / resolution;
  const centre = (i: number) => box.min + (i + 0.5) * step;
  const rows: number[][] = [];
  for (let i = 0; i < resolution; i++) {
    for (let j = 0; j < resolution; j++) {
      const row = [...means];
      row[pair[0]] = centre(i);
      row[pair[1]] = centre(j);
      rows.push(row);
    }
  }
  // The output layer alone is a network without hidden layers: core's forward pass, on the layer's parameters.
  const plane = makeDataset(
    'plane',
    rows,
    rows.map(() => new Array<number>(out.units).fill(0)),
  );
  const net = new Network({ ...config, hidden: [] }, plane);
  net.forward(parameters.subarray(out.weightOffset, out.end));
  const values = net.predictions();
  return rows.map((row, k) => ({
    hlo: row[pair[0]] - step / 2,
    hhi: row[pair[0]] + step / 2,
    klo: row[pair[1]] - step / 2,
    khi: row[pair[1]] + step / 2,
    output: values[k][0],
  }));
}
