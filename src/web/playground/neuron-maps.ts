// Every neuron's own output over the input square, as TensorFlow Playground shows them: a small map per unit of
// every layer (from core's forward pass, run by the worker over the grid), and the one selected drawn large with its
// line and its weights.
import { drawHeatmap, putViridis } from './canvas.js';
import { byId, el } from './dom.js';
import { drawUnitLines, firstLayerLines, fitOverlay, arrowHead } from './unit-lines.js';
import { svg } from './svg.js';
import {
  activationRange,
  layerTitle,
  outputAtZero,
  short,
  unitLabel,
  type DrawContext,
  type FrameView,
} from './views.js';
import type { TrainFrame } from './protocol.js';
import type { TrainingSetup } from './state.js';

interface Selected {
  layer: number;
  unit: number;
}

export class NeuronMapsView implements FrameView {
  readonly name = 'neuron-maps';
  private readonly details = byId<HTMLDetailsElement>('maps-details');
  private readonly container = byId('neuron-maps');
  private readonly large = byId<HTMLCanvasElement>('neuron-large-canvas');
  private readonly largeLines = byId('neuron-large-lines') as unknown as SVGSVGElement;
  private readonly lineGroup = svg('g');
  private buttons: HTMLButtonElement[] = [];
  private selected: Selected = { layer: 1, unit: 0 };
  private image: ImageData | null = null;

  constructor(
    private readonly redraw: () => void,
    onShown: () => void,
  ) {
    this.largeLines.append(arrowHead('large-arrow'), this.lineGroup);
    this.details.addEventListener('toggle', onShown);
  }

  shown(): boolean {
    return this.details.open;
  }

  load(setup: TrainingSetup): void {
    const { sizes } = setup.shape;
    this.buttons = [];
    if (this.selected.layer >= sizes.length || this.selected.unit >= sizes[this.selected.layer])
      this.selected = { layer: 1, unit: 0 };
    if (setup.dataset.inputCount !== 2) {
      this.container.replaceChildren(
        el(
          'p',
          { class: 'note' },
          `The maps are drawn for datasets with 2 inputs; ${setup.dataset.name} has ${setup.dataset.inputCount}.`,
        ),
      );
      return;
    }
    const groups = sizes.slice(1).map((units, k) => {
      const layer = k + 1;
      const buttons = Array.from({ length: layer === sizes.length - 1 ? 1 : units }, (_, unit) => {
        const canvas = el('canvas', { width: '1', height: '1', 'aria-hidden': 'true' });
        const label = unitLabel(setup.shape, layer, unit);
        const button = el(
          'button',
          {
            type: 'button',
            class: 'neuron-map',
            'data-testid': 'neuron-map',
            'data-layer': String(layer),
            'data-unit': String(unit),
            'aria-pressed': 'false',
            'aria-label': `${label}: show its map large`,
          },
          canvas,
          el('span', {}, label),
        );
        button.addEventListener('click', () => {
          this.selected = { layer, unit };
          this.redraw();
        });
        this.buttons.push(button);
        return button;
      });
      return el(
        'div',
        { class: 'map-layer' },
        el('h4', {}, layerTitle(setup.shape, layer)),
        el('div', { class: 'map-row' }, ...buttons),
      );
    });
    this.container.replaceChildren(...groups);
  }

  /** Unit `unit` of layer `layer` over the grid (cells), or null when the worker sent no maps. */
  private values(setup: TrainingSetup, frame: TrainFrame, layer: number, unit: number): ArrayLike<number> | null {
    const last = setup.shape.sizes.length - 1;
    if (layer === last) return frame.grid;
    const maps = frame.maps?.[layer - 1];
    if (!maps) return null;
    const units = setup.shape.sizes[layer];
    const cells = maps.length / units;
    const out = new Float64Array(cells);
    for (let c = 0; c < cells; c++) out[c] = maps[c * units + unit];
    return out;
  }

  draw({ setup, frame, grid }: DrawContext): void {
    if (!frame || !grid || frame.diverged) return;
    const last = setup.shape.sizes.length - 1;
    const n = grid.resolution;
    if (!this.image || this.image.width !== n) this.image = new ImageData(n, n);
    for (const button of this.buttons) {
      const layer = Number(button.dataset.layer);
      const unit = Number(button.dataset.unit);
      const values = this.values(setup, frame, layer, unit);
      button.setAttribute('aria-pressed', String(layer === this.selected.layer && unit === this.selected.unit));
      if (!values) continue;
      const activation = layer === last ? setup.config.outputActivation : setup.config.activation;
      const [lo, hi] = activationRange(activation, values);
      const data = this.image.data;
      for (let j = 0; j < n; j++) {
        for (let i = 0; i < n; i++) {
          putViridis(data, ((n - 1 - j) * n + i) * 4, (values[j * n + i] - lo) / (hi - lo));
        }
      }
      const canvas = button.querySelector('canvas')!;
      if (canvas.width !== n) {
        canvas.width = n;
        canvas.height = n;
      }
      canvas.getContext('2d')!.putImageData(this.image, 0, 0);
    }
    this.drawLarge(setup, frame, grid);
  }

  private drawLarge(setup: TrainingSetup, frame: TrainFrame, grid: NonNullable<DrawContext['grid']>): void {
    const { layer, unit } = this.selected;
    const values = this.values(setup, frame, layer, unit);
    const last = setup.shape.sizes.length - 1;
    const activation = layer === last ? setup.config.outputActivation : setup.config.activation;
    const label = unitLabel(setup.shape, layer, unit);
    const plot = drawHeatmap(this.large, {
      grid: values,
      resolution: grid.resolution,
      x: grid.x,
      y: grid.y,
      samples: Array.from({ length: setup.dataset.size }, (_, s) => ({
        x: setup.dataset.inputs[2 * s],
        y: setup.dataset.inputs[2 * s + 1],
        target: setup.dataset.targets[s],
      })),
      xLabel: 'input 1',
      yLabel: 'input 2',
      range: values ? activationRange(activation, values) : [0, 1],
      level: outputAtZero(activation),
    });
    fitOverlay(this.largeLines, this.large);
    const lines = layer === 1 && last > 1 ? firstLayerLines(setup, frame.params).slice(unit, unit + 1) : [];
    const [crossing] = drawUnitLines(
      this.lineGroup,
      plot,
      lines.map((line) => ({ ...line, dash: [] })),
      'large-arrow',
    );
    // Its weights: the unit's input is w·(the layer below) + b.
    const shapeLayer = setup.shape.layers[layer - 1];
    const terms = Array.from({ length: shapeLayer.inputs }, (_, i) => {
      const w = frame.params[shapeLayer.weightOffset + i * shapeLayer.units + unit];
      return `${short(w)}·${unitLabel(setup.shape, layer - 1, i)}`;
    });
    const bias = frame.params[shapeLayer.biasOffset + unit];
    const text = `${label} = ${activation}(${[...terms, short(bias)].join(' + ').replaceAll('+ −', '− ')})`;
    const caption = byId('neuron-large-caption');
    const line =
      lines.length === 0
        ? ''
        : crossing
          ? ', its line w·x + b = 0 (black) and the arrow to its positive side'
          : ' (its line w·x + b = 0 misses this square)';
    const captionText = `${label}, ${layerTitle(setup.shape, layer)}: its output over the input square${line}; white where w·input + b crosses 0.`;
    if (caption.textContent !== captionText) caption.textContent = captionText;
    const weights = byId('neuron-weights');
    if (weights.textContent !== text) weights.textContent = text;
  }
}
