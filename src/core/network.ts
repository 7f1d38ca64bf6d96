// The network's shape and its parameters. All parameters live in one flat Float64Array, layer by layer:
// first the layer's weights, row-major with weights[i * units + j] connecting input i to unit j (the article's
// `hidden_weights` shape, inputs x units), then its biases. Optimisers and trajectories see one vector.
import { describePrototypeKey, describeUnknownKeys, findPrototypeKey, unknownKeys } from './json.js';
import { XorlabError } from '../text/errors.js';

interface LayerLayout {
  readonly inputs: number;
  readonly units: number;
  /** Offset of weights[0][0] in the flat vector. */
  readonly weightOffset: number;
  /** Offset of biases[0]. */
  readonly biasOffset: number;
  /** One past the layer's last parameter. */
  readonly end: number;
}

export interface NetworkShape {
  /** [inputs, ...hidden, outputs] */
  readonly sizes: readonly number[];
  readonly layers: readonly LayerLayout[];
  readonly parameterCount: number;
}

export function makeShape(sizes: readonly number[]): NetworkShape {
  if (sizes.length < 2) throw new RangeError('a network needs at least an input and an output size');
  if (sizes.some((s) => !Number.isInteger(s) || s < 1))
    throw new RangeError(`layer sizes must be positive integers, got [${sizes.join(', ')}]`);
  const layers: LayerLayout[] = [];
  let offset = 0;
  for (let l = 1; l < sizes.length; l++) {
    const inputs = sizes[l - 1];
    const units = sizes[l];
    const weightOffset = offset;
    const biasOffset = weightOffset + inputs * units;
    offset = biasOffset + units;
    layers.push({ inputs, units, weightOffset, biasOffset, end: offset });
  }
  return { sizes: [...sizes], layers, parameterCount: offset };
}

/** Human-readable names of every parameter in flat order, e.g. "L1.w[0][1]", "L2.b[0]". */
export function parameterNames(shape: NetworkShape): string[] {
  const names: string[] = [];
  shape.layers.forEach((layer, l) => {
    for (let i = 0; i < layer.inputs; i++) for (let j = 0; j < layer.units; j++) names.push(`L${l + 1}.w[${i}][${j}]`);
    for (let j = 0; j < layer.units; j++) names.push(`L${l + 1}.b[${j}]`);
  });
  return names;
}

/** The parameter file format: {"layers": [{"weights": [[...], ...], "biases": [...]}, ...]}, weights inputs x units. */
export interface ParameterFile {
  layers: { weights: number[][]; biases: number[] }[];
}

export function toParameterFile(shape: NetworkShape, params: Float64Array): ParameterFile {
  return {
    layers: shape.layers.map((layer) => ({
      weights: Array.from({ length: layer.inputs }, (_, i) =>
        Array.from(params.subarray(layer.weightOffset + i * layer.units, layer.weightOffset + (i + 1) * layer.units)),
      ),
      biases: Array.from(params.subarray(layer.biasOffset, layer.end)),
    })),
  };
}

/** Parameters that do not fit the format {"layers": [...]} or the network's shape. */
export class ParameterFileError extends XorlabError {}

const LAYER_KEYS = ['weights', 'biases'];

/** Reads a parameter file's document into a flat vector, checking it against the expected shape. */
export function fromParameterFile(shape: NetworkShape, doc: unknown): Float64Array {
  const expected = `expected ${shape.layers.length} layer(s) of sizes ${shape.layers.map((l) => `${l.inputs}x${l.units}`).join(', ')} as {"layers": [{"weights": [[...]], "biases": [...]}]}`;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ParameterFileError(expected);
  const prototypeKey = findPrototypeKey(doc);
  if (prototypeKey) throw new ParameterFileError(describePrototypeKey(prototypeKey));
  const unknown = unknownKeys(doc, ['layers']);
  if (unknown.length) throw new ParameterFileError(describeUnknownKeys(unknown, ['layers']));
  const layers = (doc as ParameterFile).layers;
  if (!Array.isArray(layers) || layers.length !== shape.layers.length) throw new ParameterFileError(expected);
  layers.forEach((layer: unknown, l) => {
    if (typeof layer !== 'object' || layer === null || Array.isArray(layer))
      throw new ParameterFileError(`layer ${l + 1} is not an object; ${expected}`);
    const extra = unknownKeys(layer, LAYER_KEYS);
    if (extra.length) throw new ParameterFileError(describeUnknownKeys(extra, LAYER_KEYS, `layers[${l}]`));
  });
  const params = new Float64Array(shape.parameterCount);
  shape.layers.forEach((layer, l) => {
    const { weights, biases } = layers[l] ?? ({} as ParameterFile['layers'][number]);
    const ok =
      Array.isArray(weights) &&
      weights.length === layer.inputs &&
      weights.every(
        (row) =>
          Array.isArray(row) &&
          row.length === layer.units &&
          row.every((v) => typeof v === 'number' && Number.isFinite(v)),
      ) &&
      Array.isArray(biases) &&
      biases.length === layer.units &&
      biases.every((v) => typeof v === 'number' && Number.isFinite(v));
    if (!ok) throw new ParameterFileError(`layer ${l + 1} has the wrong shape or non-numeric values; ${expected}`);
    weights.forEach((row, i) => row.forEach((v, j) => (params[layer.weightOffset + i * layer.units + j] = v)));
    biases.forEach((v, j) => (params[layer.biasOffset + j] = v));
  });
  return params;
}

/**
 * The shape of the network that a parameter document describes: layer l's weights are inputs x units, and each
 * layer takes as many inputs as the layer before it has units. Throws ParameterFileError (one line) when the
 * document is not such a network; the values themselves are checked by fromParameterFile.
 */
export function shapeOfParameterFile(doc: unknown): NetworkShape {
  const format =
    'expected {"layers": [{"weights": [[...], ...], "biases": [...]}, ...]} with weights[i][j] from input i to unit j';
  const layers = (doc as ParameterFile | null)?.layers;
  if (typeof doc !== 'object' || doc === null || !Array.isArray(layers) || layers.length === 0)
    throw new ParameterFileError(format);
  const sizes: number[] = [];
  layers.forEach((layer, l) => {
    const weights = (layer as Partial<ParameterFile['layers'][number]> | null)?.weights;
    const rows = Array.isArray(weights) ? weights.length : 0;
    const units = rows > 0 && Array.isArray(weights![0]) ? weights![0].length : 0;
    if (rows === 0 || units === 0 || !weights!.every((row) => Array.isArray(row) && row.length === units)) {
      throw new ParameterFileError(
        `layer ${l + 1}: "weights" must be a non-empty inputs x units array of arrays; ${format}`,
      );
    }
    if (l === 0) sizes.push(rows);
    else if (rows !== sizes[l])
      throw new ParameterFileError(
        `layer ${l + 1} takes ${rows} inputs but layer ${l} has ${sizes[l]} units; ${format}`,
      );
    sizes.push(units);
  });
  return makeShape(sizes);
}
