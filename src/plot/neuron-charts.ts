// How the network solves XOR, as charts: the decision boundary with every first-layer unit's line (the article's
// two black lines) and a panel per unit with its own output; the samples in the hidden space with the output
// neuron's line. Pure: core results in, Vega-Lite specs out.
import type { TopLevelSpec } from 'vega-lite';
import { firstLayerLines, shapeFor, type Dataset, type TrainingConfig } from '../core/index.js';
import { short } from '../text/format.js';
import { describeTraining } from './charts.js';
import { boundarySpec } from './landscape.js';
import {
  INPUT_BOX,
  LINE_LABEL_FONT,
  activationRange,
  firstLayerMarks,
  hiddenSpace,
  unitGrids,
  unitName,
  type LineMark,
} from './neurons.js';
import { CHART_CONFIG } from './theme.js';
import { outputMapLayer } from './output-map.js';
import { outputGrid, samplePoints } from './training.js';

const LINE_COLOUR = '#111111';
/** Pixel sizes of the boundary's plotting area and of a unit's panel (the label placement works in pixels). */
const MAIN_SIZE = 460;
const PANEL_SIZE = 200;

/** "6.94 x1 − 7.17 x2 − 3.68": a linear form with its signs written as signs. */
function linear(terms: [number, string][], constant: number): string {
  const parts = terms.map(
    ([w, name], k) => `${k === 0 ? (w < 0 ? '−' : '') : w < 0 ? ' − ' : ' + '}${short(Math.abs(w))} ${name}`,
  );
  return `${parts.join('')}${constant < 0 ? ' − ' : ' + '}${short(Math.abs(constant))}`;
}

/** The layers that draw line marks: a white halo, the dashed line, the tick towards the positive side, the label. */
function lineLayers(marks: readonly LineMark[], name: string, fontSize = LINE_LABEL_FONT): Record<string, unknown>[] {
  const values = marks as LineMark[];
  const q = (field: string) => ({ field, type: 'quantitative' as const });
  return [
    {
      name: `${name}-halo`,
      data: { values },
      mark: { type: 'rule', color: 'white', strokeWidth: 5, opacity: 0.8 },
      encoding: { x: q('x1a'), y: q('x2a'), x2: { field: 'x1b' }, y2: { field: 'x2b' } },
    },
    {
      name,
      data: { values },
      mark: { type: 'rule', color: LINE_COLOUR, strokeWidth: 2.5, strokeDash: [9, 4] },
      encoding: { x: q('x1a'), y: q('x2a'), x2: { field: 'x1b' }, y2: { field: 'x2b' } },
    },
    {
      name: `${name}-ticks`,
      data: { values },
      mark: { type: 'rule', color: LINE_COLOUR, strokeWidth: 3 },
      encoding: { x: q('tickX1a'), y: q('tickX2a'), x2: { field: 'tickX1b' }, y2: { field: 'tickX2b' } },
    },
    {
      name: `${name}-label-halo`,
      data: { values },
      mark: {
        type: 'text',
        fontSize,
        fontWeight: 'bold',
        stroke: 'white',
        strokeWidth: 4,
        strokeJoin: 'round',
        opacity: 0.9,
      },
      encoding: { x: q('labelX1'), y: q('labelX2'), text: { field: 'label' } },
    },
    {
      name: `${name}-labels`,
      data: { values },
      mark: { type: 'text', fontSize, fontWeight: 'bold', color: LINE_COLOUR },
      encoding: { x: q('labelX1'), y: q('labelX2'), text: { field: 'label' } },
    },
  ];
}

/** "h3's line misses the view: its output is above 0.5 all over it" for each unit that misses. */
function missedText(missed: { unit: string; positive: boolean }[], activation: TrainingConfig['activation']): string[] {
  const side = (positive: boolean) =>
    activation === 'sigmoid'
      ? `its output is ${positive ? 'above' : 'below'} 0.5 all over it`
      : `z is ${positive ? 'positive' : 'negative'} all over it`;
  return missed.map((m) => `${m.unit}'s line misses the view: ${side(m.positive)}`);
}

/**
 * The decision boundary with each first-layer unit's line w.x + b = 0 (dashed, labelled on the side where the
 * unit's output is above 0.5), and below it one panel per unit: that unit's own output over the input square.
 */
export function boundaryUnitsChart(
  config: TrainingConfig,
  dataset: Dataset,
  parameters: Float64Array,
  seed: number | null,
  totalLoss: number | null,
): TopLevelSpec {
  const samples = samplePoints(dataset);
  const points = samples.map((s) => [s.x1, s.x2] as [number, number]);
  const units = config.hidden[0];
  const { view: main, missed } = boundaryLinesView(config, dataset, parameters);
  const cells = unitGrids(config, dataset, parameters);
  const range = activationRange(config.activation);
  const axis = (title: string) => ({
    type: 'quantitative' as const,
    title,
    scale: { domain: [-0.1, 1.1], nice: false, zero: false },
    axis: { values: [0, 0.5, 1], format: '.1~f' },
  });
  const lines = firstLayerLines(shapeFor(config, dataset), parameters, INPUT_BOX);
  const panels = lines.map(({ unit: j, w1, w2, b }) => {
    const name = unitName(1, j, config.hidden.length);
    const own = firstLayerMarks(
      config,
      dataset,
      parameters,
      points,
      { box: INPUT_BOX, width: PANEL_SIZE, height: PANEL_SIZE },
      { sampleHalf: 7, fontSize: 12, only: j },
    );
    return {
      title: {
        text: `${name} = ${config.activation}(${linear(
          [
            [w1, 'x1'],
            [w2, 'x2'],
          ],
          b,
        )})${own.marks.length ? '' : ': line outside'}`,
        fontSize: 13,
        fontWeight: 'normal' as const,
      },
      width: PANEL_SIZE,
      height: PANEL_SIZE,
      layer: [
        outputMapLayer({
          name: `unit-map-${j + 1}`,
          values: cells.filter((c) => c.unit === name),
          x: { ...axis('Input 1'), field: 'x1lo' },
          x2: 'x1hi',
          y: { ...axis('Input 2'), field: 'x2lo' },
          y2: 'x2hi',
          title: range ? 'Output' : 'Unit output',
          domain: range,
          ...(range && range[0] === 0 && range[1] === 1 ? { legend: null } : {}),
        }),
        ...lineLayers(own.marks, `unit-line-${j + 1}`, 12),
        {
          name: `unit-samples-${j + 1}`,
          data: { values: samples.map((s) => ({ ...s, label: `target ${s.target}` })) },
          mark: { type: 'point', filled: true, size: 110, stroke: 'black', strokeWidth: 1.5, opacity: 1 },
          encoding: {
            x: { field: 'x1', type: 'quantitative' },
            y: { field: 'x2', type: 'quantitative' },
            shape: { field: 'label', type: 'nominal', legend: null, scale: { range: ['circle', 'square'] } },
            fill: { field: 'label', type: 'nominal', legend: null, scale: { range: ['black', 'white'] } },
          },
        },
      ],
    };
  });
  const sigmoid = config.activation === 'sigmoid';
  const subtitle = [
    `${describeTraining(config, seed)}${totalLoss === null ? '' : `, total loss ${short(totalLoss, 4)}`}`,
    `network output; white: where it crosses 0.5; dashed: each hidden unit's line w.x + b = 0, labelled on the side where ${sigmoid ? 'its output is above 0.5' : 'w.x + b > 0'}`,
    ...missedText(missed, config.activation),
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `Each hidden neuron's line, after ${config.epochs.toLocaleString('en-US')} epochs`, subtitle },
    config: CHART_CONFIG,
    vconcat: [main, { concat: panels, columns: Math.min(units, 4), spacing: 30 }],
    resolve: { scale: { color: 'independent', shape: 'independent', fill: 'independent' } },
  } as unknown as TopLevelSpec;
}

/** The decision boundary with the first hidden layer's lines, as one view (no title), and the units that miss it. */
function boundaryLinesView(
  config: TrainingConfig,
  dataset: Dataset,
  parameters: Float64Array,
): { view: { width: number; height: number; layer: unknown[] }; missed: { unit: string; positive: boolean }[] } {
  const samples = samplePoints(dataset);
  const points = samples.map((s) => [s.x1, s.x2] as [number, number]);
  const { marks, missed } = firstLayerMarks(config, dataset, parameters, points, {
    box: INPUT_BOX,
    width: MAIN_SIZE,
    height: MAIN_SIZE,
  });
  const base = boundarySpec({ grid: outputGrid(config, dataset, parameters), samples }) as unknown as {
    layer: Record<string, unknown>[];
    width: number;
    height: number;
  };
  return {
    view: { width: base.width, height: base.height, layer: [...base.layer, ...lineLayers(marks, 'unit-lines')] },
    missed,
  };
}

/** One trained network of a side-by-side comparison, and what to call it. */
interface ComparedNetwork {
  config: TrainingConfig;
  parameters: Float64Array;
  /** The column's title, e.g. "Learned XOR: hidden std 1/√2, seed 1". */
  title: string;
}

/**
 * Networks side by side, each as a column: the decision boundary with its hidden units' lines above, the hidden
 * space below (the report's learned network beside one stuck at the ln 2 saddle).
 */
export function comparedNetworksChart(
  networks: readonly ComparedNetwork[],
  dataset: Dataset,
  title: string,
  subtitle: string[],
): TopLevelSpec {
  const columns = networks.map(({ config, parameters, title: heading }, k) => {
    const boundary = boundaryLinesView(config, dataset, parameters);
    const space = hiddenSpaceView(config, dataset, parameters);
    // Vega-Lite names every mark after its layer: the columns' layers need names of their own.
    for (const view of [boundary.view, space.view])
      view.layer = view.layer.map((layer) => ({
        ...(layer as object),
        name: `network-${k + 1}-${(layer as { name: string }).name}`,
      }));
    const notes = [
      `above: each hidden unit's line; below: the hidden space, output line ${space.equation}`,
      ...missedText(boundary.missed, config.activation),
    ];
    return {
      title: { text: heading, subtitle: notes, fontSize: 15, subtitleFontSize: 12 },
      vconcat: [boundary.view, space.view],
      spacing: 24,
    };
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle },
    config: CHART_CONFIG,
    hconcat: columns,
    spacing: 40,
    resolve: { scale: { color: 'shared', shape: 'shared', fill: 'shared' } },
  } as unknown as TopLevelSpec;
}

/**
 * The samples where the last hidden layer sends them (units `pair`, 0-based), over the output neuron's own output,
 * with its line: the plane in which XOR becomes linearly separable.
 */
export function hiddenSpaceChart(
  config: TrainingConfig,
  dataset: Dataset,
  parameters: Float64Array,
  seed: number | null,
  pair?: [number, number],
): TopLevelSpec {
  const { view, notes } = hiddenSpaceView(config, dataset, parameters, pair);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'The hidden space: where the hidden layer sends the samples',
      subtitle: [describeTraining(config, seed), ...notes],
    },
    config: CHART_CONFIG,
    ...view,
  } as unknown as TopLevelSpec;
}

/** The hidden space as one view (its layers, no title) and the lines that explain it. */
function hiddenSpaceView(
  config: TrainingConfig,
  dataset: Dataset,
  parameters: Float64Array,
  pair?: [number, number],
): { view: { width: number; height: number; layer: unknown[] }; notes: string[]; equation: string } {
  const space = hiddenSpace(config, dataset, parameters, pair);
  const [na, nb] = space.names;
  const { box } = space;
  const range = activationRange(config.activation);
  const ticks = range
    ? { axis: { values: range[0] === 0 ? [0, 0.25, 0.5, 0.75, 1] : [-1, -0.5, 0, 0.5, 1], format: '.2~f' } }
    : {};
  const axis = (title: string) => ({
    type: 'quantitative' as const,
    title,
    scale: { domain: [box.min, box.max], nice: false, zero: false },
    ...ticks,
  });
  const outputRange = activationRange(config.outputActivation);
  const q = (field: string) => ({ field, type: 'quantitative' as const });
  const labelled = space.points.filter((p) => p.input !== '');
  const others =
    space.units > 2
      ? [
          `units ${space.pair[0] + 1} and ${space.pair[1] + 1} of the ${space.units} in hidden layer ${space.layer} (choose with --units); the line and the background hold the other units at their mean over the samples`,
        ]
      : [];
  const [va, vb, c] = space.weights;
  const notes = [
    `each sample at (${na}, ${nb}); background: the network's output there; dashed: the output neuron's line ${linear(
      [
        [va, na],
        [vb, nb],
      ],
      c,
    )} = 0`,
    ...others,
    ...(space.line === null ? ["the output neuron's line misses the view"] : []),
  ];
  const view = {
    width: 460,
    height: 460,
    layer: [
      outputMapLayer({
        name: 'output-plane',
        values: space.grid,
        x: { ...axis(`${na} (hidden layer ${space.layer}, unit ${space.pair[0] + 1})`), field: 'hlo' },
        x2: 'hhi',
        y: { ...axis(`${nb} (hidden layer ${space.layer}, unit ${space.pair[1] + 1})`), field: 'klo' },
        y2: 'khi',
        title: 'Output',
        domain: outputRange,
        legend: { gradientLength: 300 },
      }),
      ...lineLayers(space.line ? [space.line] : [], 'output-line'),
      {
        name: 'hidden-points',
        data: { values: space.points.map((p) => ({ ...p, label: `target ${p.target}` })) },
        mark: { type: 'point', filled: true, size: 420, stroke: 'black', strokeWidth: 2, opacity: 1 },
        encoding: {
          x: q('ha'),
          y: q('hb'),
          shape: { field: 'label', type: 'nominal', title: 'XOR sample', scale: { range: ['circle', 'square'] } },
          fill: { field: 'label', type: 'nominal', title: 'XOR sample', scale: { range: ['black', 'white'] } },
        },
      },
      {
        name: 'point-label-halo',
        data: { values: labelled },
        mark: { type: 'text', fontSize: 13, stroke: 'white', strokeWidth: 4, strokeJoin: 'round', opacity: 0.9 },
        encoding: { x: q('labelH'), y: q('labelK'), text: { field: 'input' } },
      },
      {
        name: 'point-labels',
        data: { values: labelled },
        mark: { type: 'text', fontSize: 13, color: LINE_COLOUR },
        encoding: { x: q('labelH'), y: q('labelK'), text: { field: 'input' } },
      },
    ],
  };
  return {
    view,
    notes,
    equation: `${linear(
      [
        [va, na],
        [vb, nb],
      ],
      c,
    )} = 0`,
  };
}
