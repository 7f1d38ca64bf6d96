// The network as a diagram: inputs, units, output; each edge coloured by its weight's sign (negative also dashed)
// and as wide as its magnitude, each unit's ring its bias, live. Hovering an edge or a unit, or moving the focus to
// it (Tab into the diagram, then the arrow keys), gives its numbers.
import { parameterNames } from '../../core/network.js';
import { byId } from './dom.js';
import { NEGATIVE, POSITIVE, setAttrs, svg } from './svg.js';
import { layerTitle, short, unitLabel, type DrawContext, type FrameView } from './views.js';
import type { TrainFrame } from './protocol.js';
import type { TrainingSetup } from './state.js';

const WIDTH = 640;

interface Item {
  element: SVGElement;
  /** Index into the flat parameters (an edge's weight or a unit's bias), or -1 for an input. */
  param: number;
  describe(frame: TrainFrame | null): string;
}

export class NetworkDiagramView implements FrameView {
  readonly name = 'network-diagram';
  private readonly details = byId<HTMLDetailsElement>('diagram-details');
  private readonly view = byId('network-diagram') as unknown as SVGSVGElement;
  private readonly info = byId('diagram-info');
  private items: Item[] = [];
  private current = 0;
  private active: Item | null = null;
  private frame: TrainFrame | null = null;

  constructor(redraw: () => void) {
    this.details.addEventListener('toggle', redraw);
    this.view.addEventListener('keydown', (event) => {
      const moves: Record<string, number> = {
        ArrowRight: 1,
        ArrowDown: 1,
        ArrowLeft: -1,
        ArrowUp: -1,
        Home: -Infinity,
        End: Infinity,
      };
      const move = moves[event.key];
      if (move === undefined || this.items.length === 0) return;
      event.preventDefault();
      const next = Math.max(
        0,
        Math.min(
          this.items.length - 1,
          Number.isFinite(move) ? this.current + move : move > 0 ? this.items.length - 1 : 0,
        ),
      );
      this.focus(next);
    });
    this.view.addEventListener('focusin', (event) =>
      this.show(this.items.findIndex((item) => item.element === event.target)),
    );
    this.view.addEventListener('mouseover', (event) =>
      this.show(this.items.findIndex((item) => item.element === event.target)),
    );
  }

  shown(): boolean {
    return this.details.open;
  }

  private focus(index: number): void {
    this.items[this.current]?.element.setAttribute('tabindex', '-1');
    this.current = index;
    const element = this.items[index].element;
    element.setAttribute('tabindex', '0');
    element.focus();
  }

  private show(index: number): void {
    if (index < 0) return;
    this.active = this.items[index];
    this.info.textContent = this.active.describe(this.frame);
  }

  load(setup: TrainingSetup): void {
    const { sizes, layers } = setup.shape;
    const names = parameterNames(setup.shape);
    const most = Math.max(...sizes);
    const spacing = Math.max(12, Math.min(56, 600 / most));
    const radius = Math.max(4, Math.min(15, spacing * 0.34));
    const height = most * spacing + 40;
    const x = (l: number) => 50 + (l * (WIDTH - 100)) / (sizes.length - 1);
    const y = (l: number, j: number) => 32 + (height - 40) / 2 + (j - (sizes[l] - 1) / 2) * spacing;
    setAttrs(this.view, { viewBox: `0 0 ${WIDTH} ${height}` });
    const edges: Item[] = [];
    const units: Item[] = [];
    const titles = sizes.map((_, l) =>
      svg('text', { x: x(l), y: 14, 'text-anchor': 'middle', class: 'layer-title' }, layerTitle(setup.shape, l)),
    );
    layers.forEach((layer, l) => {
      for (let i = 0; i < layer.inputs; i++) {
        for (let j = 0; j < layer.units; j++) {
          const param = layer.weightOffset + i * layer.units + j;
          const from = unitLabel(setup.shape, l, i);
          const to = unitLabel(setup.shape, l + 1, j);
          const element = svg('line', {
            x1: x(l),
            y1: y(l, i),
            x2: x(l + 1),
            y2: y(l + 1, j),
            class: 'edge',
            tabindex: -1,
            role: 'img',
            'aria-label': `weight from ${from} to ${to}`,
            'data-layer': l + 1,
            'data-from': i,
            'data-to': j,
          });
          edges.push({
            element,
            param,
            describe: (f) => `Weight from ${from} to ${to} (${names[param]}): ${f ? String(f.params[param]) : '–'}`,
          });
        }
      }
    });
    sizes.forEach((count, l) => {
      for (let j = 0; j < count; j++) {
        const label = unitLabel(setup.shape, l, j);
        const param = l === 0 ? -1 : layers[l - 1].biasOffset + j;
        const circle = svg('circle', {
          cx: x(l),
          cy: y(l, j),
          r: radius,
          class: l === 0 ? 'unit input' : 'unit',
          tabindex: -1,
          role: 'img',
          'aria-label': l === 0 ? `input ${label}` : `unit ${label} and its bias`,
          'data-layer': l,
          'data-unit': j,
        });
        units.push({
          element: circle,
          param,
          describe: (f) =>
            l === 0
              ? `Input ${label}: the samples' column ${j + 1}`
              : `Unit ${label} of the ${layerTitle(setup.shape, l)}: bias (${names[param]}) ${f ? String(f.params[param]) : '–'}${f ? this.outputs(setup, f, l, j) : ''}`,
        });
      }
    });
    this.items = [...units, ...edges];
    const unitGroup = svg('g', {}, ...units.map((u) => u.element));
    // The unit labels sit on top of their circles; they take no pointer events (CSS), so hovering a label hovers the unit.
    units.forEach((u) => {
      const l = Number(u.element.dataset.layer);
      const j = Number(u.element.dataset.unit);
      if (radius >= 9)
        unitGroup.append(
          svg(
            'text',
            {
              x: x(l),
              y: y(l, j),
              'text-anchor': 'middle',
              'dominant-baseline': 'central',
              class: 'unit-text',
              'aria-hidden': 'true',
            },
            unitLabel(setup.shape, l, j),
          ),
        );
    });
    this.view.replaceChildren(...titles, svg('g', { class: 'edges' }, ...edges.map((e) => e.element)), unitGroup);
    this.current = 0;
    this.items[0]?.element.setAttribute('tabindex', '0');
    this.active = null;
    this.info.textContent =
      'Hover over an edge or a unit, or Tab into the diagram and move with the arrow keys, to read its numbers.';
    this.view.dataset.edges = String(edges.length);
  }

  private outputs(setup: TrainingSetup, frame: TrainFrame, layer: number, unit: number): string {
    const last = setup.shape.sizes.length - 1;
    const units = setup.shape.sizes[layer];
    const values = layer === last ? frame.predictions : frame.hidden[layer - 1];
    if (!values) return '';
    const outs = Array.from({ length: setup.dataset.size }, (_, s) => short(values[s * units + unit], 4));
    return `; output on the ${outs.length} samples: ${outs.length > 16 ? `${outs.slice(0, 16).join(', ')}, …` : outs.join(', ')}`;
  }

  draw({ frame }: DrawContext): void {
    this.frame = frame;
    if (!frame) return;
    let most = 0;
    for (const item of this.items)
      if (item.param >= 0 && Number.isFinite(frame.params[item.param]))
        most = Math.max(most, Math.abs(frame.params[item.param]));
    for (const item of this.items) {
      if (item.param < 0) continue;
      const v = frame.params[item.param];
      const width = 0.75 + (most > 0 && Number.isFinite(v) ? (6 * Math.abs(v)) / most : 0);
      const colour = v < 0 ? NEGATIVE : POSITIVE;
      if (item.element.tagName === 'line')
        setAttrs(item.element, {
          stroke: colour,
          'stroke-width': width,
          'stroke-dasharray': v < 0 ? '6 3' : 'none',
          'data-weight': String(v),
          'data-sign': v < 0 ? '-1' : '1',
        });
      else setAttrs(item.element, { stroke: colour, 'stroke-width': Math.min(width, 7), 'data-bias': String(v) });
    }
    if (this.active) {
      const text = this.active.describe(frame);
      if (this.info.textContent !== text) this.info.textContent = text;
    }
  }
}
