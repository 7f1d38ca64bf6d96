// The network as a diagram: inputs, hidden units and outputs in columns, every weight an edge whose colour is its
// sign and whose width is its magnitude, every unit's bias beside it. Pure: parameters in, a Vega-Lite spec out.
import type { TopLevelSpec } from 'vega-lite';
import { shapeFor, type Dataset, type TrainingConfig } from '../core/index.js';
import { short } from '../text/format.js';
import { describeTraining } from './charts.js';
import { unitName } from './neurons.js';
import { textWidth } from './fonts.js';
import { CHART_CONFIG, WEIGHT_NEGATIVE, WEIGHT_POSITIVE } from './theme.js';

interface DiagramUnit {
  /** "x1", "h2", "h1.3", "y" (or "y1", "y2" for several outputs). */
  name: string;
  /** 0: inputs; l: layer l (the last is the output layer). */
  layer: number;
  x: number;
  y: number;
  bias: number | null;
  biasText: string;
}

interface DiagramEdge {
  /** The layer the weight belongs to (1-based) and its place in that layer's inputs x units matrix. */
  layer: number;
  input: number;
  unit: number;
  from: string;
  to: string;
  weight: number;
  sign: 'positive' | 'negative';
  magnitude: number;
  x: number;
  y: number;
  x2: number;
  y2: number;
  /** Where the weight's value is written (a quarter of the way from its source), when edges are few enough. */
  labelX: number;
  labelY: number;
  label: string;
}

/** Edge labels are written only up to this many edges (hidden=4,4 has 28: a picture, not a table). */
const MAX_LABELLED_EDGES = 12;
const COLUMN = 230;
const ROW = 95;

/** The units and edges of the network with `parameters`, in pixel positions (y down). */
function networkDiagram(
  config: TrainingConfig,
  dataset: Dataset,
  parameters: Float64Array,
): { units: DiagramUnit[]; edges: DiagramEdge[]; width: number; height: number } {
  const shape = shapeFor(config, dataset);
  if (parameters.length !== shape.parameterCount)
    throw new RangeError(`expected ${shape.parameterCount} parameters, got ${parameters.length}`);
  const tallest = Math.max(...shape.sizes);
  const height = Math.max(2, tallest) * ROW;
  const width = (shape.sizes.length - 1) * COLUMN;
  const last = shape.layers.length;
  const name = (layer: number, j: number): string => {
    if (layer === 0) return `x${j + 1}`;
    if (layer === last) return shape.sizes[last] > 1 ? `y${j + 1}` : 'y';
    return unitName(layer, j, config.hidden.length);
  };
  const position = (layer: number, j: number): [number, number] => [
    layer * COLUMN,
    height / 2 + (j - (shape.sizes[layer] - 1) / 2) * ROW,
  ];
  const units: DiagramUnit[] = shape.sizes.flatMap((size, layer) =>
    Array.from({ length: size }, (_, j) => {
      const [x, y] = position(layer, j);
      const bias = layer === 0 ? null : parameters[shape.layers[layer - 1].biasOffset + j];
      return { name: name(layer, j), layer, x, y, bias, biasText: bias === null ? '' : `b = ${short(bias)}` };
    }),
  );
  const edgeCount = shape.layers.reduce((sum, l) => sum + l.inputs * l.units, 0);
  const edges: DiagramEdge[] = shape.layers.flatMap(({ inputs, units: count, weightOffset }, l) =>
    Array.from({ length: inputs * count }, (_, k) => {
      const [i, j] = [Math.floor(k / count), k % count];
      const weight = parameters[weightOffset + i * count + j];
      const [x, y] = position(l, i);
      const [x2, y2] = position(l + 1, j);
      return {
        layer: l + 1,
        input: i,
        unit: j,
        from: name(l, i),
        to: name(l + 1, j),
        weight,
        sign: weight < 0 ? ('negative' as const) : ('positive' as const),
        magnitude: Math.abs(weight),
        x,
        y,
        x2,
        y2,
        labelX: x + 0.3 * (x2 - x),
        labelY: y + 0.3 * (y2 - y),
        label: edgeCount <= MAX_LABELLED_EDGES ? short(weight) : '',
      };
    }),
  );
  return { units, edges, width, height };
}

/** The box a value of the edge labels' font takes around its centre, in the diagram's pixel coordinates. */
function labelBox(text: string, x: number, y: number): { x0: number; x1: number; y0: number; y1: number } {
  const half = textWidth(text, 13) / 2 + 3;
  return { x0: x - half, x1: x + half, y0: y - 9, y1: y + 9 };
}

const POSITIVE = WEIGHT_POSITIVE;
const NEGATIVE = WEIGHT_NEGATIVE;

/** The diagram as a chart: edges under the units, the weights' values on the edges when there are few of them. */
export function networkChart(
  config: TrainingConfig,
  dataset: Dataset,
  parameters: Float64Array,
  seed: number | null,
  when: string,
): TopLevelSpec {
  const { units, edges, width, height } = networkDiagram(config, dataset, parameters);
  const margin = 60;
  const x = (field: string) => ({
    field,
    type: 'quantitative' as const,
    scale: { domain: [-margin, width + margin], nice: false, zero: false },
    axis: null,
  });
  const y = (field: string) => ({
    field,
    type: 'quantitative' as const,
    scale: { domain: [height + ROW / 2, -ROW / 2], nice: false, zero: false },
    axis: null,
  });
  const maxMagnitude = Math.max(...edges.map((e) => e.magnitude), 1e-12);
  const labelled = edges.filter((e) => e.label !== '');
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `The network ${when}`,
      subtitle: [
        describeTraining(config, seed),
        `edges: blue solid = positive weight, orange dashed = negative, width = |weight| (largest ${short(maxMagnitude)}); b = each unit's bias${labelled.length ? '' : '; values left off, there are too many edges'}`,
      ],
    },
    config: { ...CHART_CONFIG, view: { stroke: null } },
    // One data unit is one pixel, so that the label boxes fit their text.
    width: width + 2 * margin,
    height: height + ROW,
    layer: [
      {
        name: 'edges',
        data: { values: edges },
        mark: { type: 'rule', strokeCap: 'round' },
        encoding: {
          x: x('x'),
          y: y('y'),
          x2: { field: 'x2' },
          y2: { field: 'y2' },
          color: {
            field: 'sign',
            type: 'nominal',
            title: 'Weight',
            scale: { domain: ['positive', 'negative'], range: [POSITIVE, NEGATIVE] },
          },
          strokeDash: {
            field: 'sign',
            type: 'nominal',
            title: 'Weight',
            scale: {
              domain: ['positive', 'negative'],
              range: [
                [1, 0],
                [7, 4],
              ],
            },
          },
          strokeWidth: {
            field: 'magnitude',
            type: 'quantitative',
            title: '|weight|',
            scale: { domain: [0, maxMagnitude], range: [0.5, 10] },
          },
          tooltip: [{ field: 'from' }, { field: 'to' }, { field: 'weight', format: '.4f' }],
        },
      },
      {
        // A white box under each value, so that the edge it sits on does not strike it through.
        name: 'edge-label-boxes',
        data: { values: labelled.map((e) => ({ ...e, ...labelBox(e.label, e.labelX, e.labelY) })) },
        mark: { type: 'rect', fill: 'white', opacity: 0.9, cornerRadius: 3 },
        encoding: { x: x('x0'), x2: { field: 'x1' }, y: y('y0'), y2: { field: 'y1' } },
      },
      {
        name: 'edge-labels',
        data: { values: labelled },
        mark: { type: 'text', fontSize: 13 },
        encoding: {
          x: x('labelX'),
          y: y('labelY'),
          text: { field: 'label' },
          color: {
            field: 'sign',
            type: 'nominal',
            legend: null,
            scale: { domain: ['positive', 'negative'], range: [POSITIVE, NEGATIVE] },
          },
        },
      },
      {
        name: 'units',
        data: { values: units },
        mark: { type: 'circle', size: 1700, fill: 'white', stroke: '#111111', strokeWidth: 2, opacity: 1 },
        encoding: { x: x('x'), y: y('y'), tooltip: [{ field: 'name' }, { field: 'bias', format: '.4f' }] },
      },
      {
        name: 'unit-names',
        data: { values: units },
        mark: { type: 'text', fontSize: 15, fontWeight: 'bold' },
        encoding: { x: x('x'), y: y('y'), text: { field: 'name' } },
      },
      {
        name: 'bias-halo',
        data: { values: units.filter((u) => u.bias !== null) },
        mark: { type: 'text', fontSize: 13, dy: 34, stroke: 'white', strokeWidth: 4, strokeJoin: 'round' },
        encoding: { x: x('x'), y: y('y'), text: { field: 'biasText' } },
      },
      {
        name: 'biases',
        data: { values: units.filter((u) => u.bias !== null) },
        mark: { type: 'text', fontSize: 13, dy: 34, color: '#333333' },
        encoding: { x: x('x'), y: y('y'), text: { field: 'biasText' } },
      },
    ],
  } as unknown as TopLevelSpec;
}
