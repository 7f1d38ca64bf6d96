// The hidden space: every sample drawn where the last hidden layer sends it, (h_a, h_b) for two of its units, with
// the output unit's own line in that plane: the picture in which XOR becomes linearly separable. The points are the
// worker's (core's forward pass); the line is read from the output layer's weights.
import { byId, el } from './dom.js';
import { toPixel, type PlotSquare, type Point } from './geometry.js';
import { niceTicks } from './canvas.js';
import { drawUnitLines, arrowHead } from './unit-lines.js';
import { setAttrs, svg } from './svg.js';
import { activationRange, short, unitLabel, type DrawContext, type FrameView } from './views.js';
import type { TrainingSetup } from './state.js';

const SIZE = 340;
const PLOT: Omit<PlotSquare, 'x' | 'y'> = { left: 46, top: 10, size: 270 };

export class HiddenSpaceView implements FrameView {
  readonly name = 'hidden-space';
  private readonly details = byId<HTMLDetailsElement>('hidden-details');
  private readonly view = byId('hidden-space') as unknown as SVGSVGElement;
  private readonly pickA = byId<HTMLSelectElement>('hidden-a');
  private readonly pickB = byId<HTMLSelectElement>('hidden-b');
  private readonly axes = svg('g', { class: 'axes' });
  private readonly points = svg('g', { class: 'points' });
  private readonly line = svg('g');
  private units: [number, number] = [0, 1];

  constructor(redraw: () => void) {
    setAttrs(this.view, { viewBox: `0 0 ${SIZE} ${SIZE}` });
    this.view.append(arrowHead('hidden-arrow'), this.axes, this.line, this.points);
    this.details.addEventListener('toggle', redraw);
    const pick = () => {
      const a = Number(this.pickA.value);
      const b = Number(this.pickB.value);
      this.units = [a, b];
      redraw();
    };
    this.pickA.addEventListener('change', pick);
    this.pickB.addEventListener('change', pick);
  }

  shown(): boolean {
    return this.details.open;
  }

  load(setup: TrainingSetup): void {
    const { sizes } = setup.shape;
    const layer = sizes.length - 2;
    const units = layer >= 1 ? sizes[layer] : 0;
    const options = (selected: number) =>
      Array.from({ length: units }, (_, j) =>
        el(
          'option',
          { value: String(j), ...(j === selected ? { selected: '' } : {}) },
          unitLabel(setup.shape, layer, j),
        ),
      );
    if (this.units[0] >= units || this.units[1] >= units || this.units[0] === this.units[1])
      this.units = [0, Math.min(1, units - 1)];
    this.pickA.replaceChildren(...options(this.units[0]));
    this.pickB.replaceChildren(...options(this.units[1]));
    byId('hidden-choose').hidden = units <= 2;
    this.points.replaceChildren();
    this.line.replaceChildren();
    this.axes.replaceChildren();
    const note = byId('hidden-note');
    note.textContent =
      units === 0
        ? 'This network has no hidden layer: its output draws a single line in the input square.'
        : units === 1
          ? 'One hidden unit: the samples lie on a line (drawn at h = its output, 0).'
          : '';
    note.hidden = note.textContent === '';
    this.view.dataset.units = JSON.stringify(this.units);
    this.view.dataset.points = '[]';
  }

  draw({ setup, frame }: DrawContext): void {
    const { sizes, layers } = setup.shape;
    const layer = sizes.length - 2;
    if (!frame || frame.diverged || layer < 1) return;
    const units = sizes[layer];
    const hidden = frame.hidden[layer - 1];
    if (!hidden) return;
    const [a, b] = units >= 2 ? this.units : [0, 0];
    const n = setup.dataset.size;
    const points: Point[] = Array.from({ length: n }, (_, s) => [
      hidden[s * units + a],
      units >= 2 ? hidden[s * units + b] : 0,
    ]);
    const activation = setup.config.activation;
    const pad = (r: [number, number]): [number, number] => [r[0] - 0.1 * (r[1] - r[0]), r[1] + 0.1 * (r[1] - r[0])];
    const plot: PlotSquare = {
      ...PLOT,
      x: pad(activationRange(activation, hidden, a, units)),
      y: units >= 2 ? pad(activationRange(activation, hidden, b, units)) : [-1, 1],
    };
    this.drawAxes(plot, unitLabel(setup.shape, layer, a), units >= 2 ? unitLabel(setup.shape, layer, b) : '');
    // The output unit's line in this plane; the other units held at their mean over the samples.
    const out = layers[layers.length - 1];
    const weight = (i: number) => frame.params[out.weightOffset + i * out.units];
    let offset = frame.params[out.biasOffset];
    for (let i = 0; i < units; i++) {
      if (i === a || (units >= 2 && i === b)) continue;
      let mean = 0;
      for (let s = 0; s < n; s++) mean += hidden[s * units + i] / n;
      offset += weight(i) * mean;
    }
    const w1 = units >= 2 ? weight(b) : 0;
    const crossings = drawUnitLines(
      this.line,
      plot,
      [{ label: 'out', w0: weight(a), w1, b: offset, dash: [] }],
      'hidden-arrow',
    );
    // The samples: target above 0.5 as white squares, below as black circles (as on the boundary).
    const marks = this.points.children;
    while (marks.length > n) marks[marks.length - 1].remove();
    while (marks.length < n) this.points.append(svg('path', { stroke: '#000', 'stroke-width': 1.5 }));
    const r = n > 32 ? 3.5 : 6;
    points.forEach((p, s) => {
      const [x, y] = toPixel(plot, p);
      const high = setup.dataset.targets[s * setup.dataset.outputCount] > 0.5;
      const d = high
        ? `M${x - r} ${y - r}h${2 * r}v${2 * r}h${-2 * r}z`
        : `M${x - r} ${y}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0z`;
      setAttrs(marks[s], { d, fill: high ? '#fff' : '#000' });
    });
    this.view.dataset.units = JSON.stringify(units >= 2 ? [a, b] : [a]);
    this.view.dataset.points = JSON.stringify(points);
    this.view.dataset.line = JSON.stringify(crossings[0]);
    const label = byId('hidden-caption');
    const others =
      units > 2
        ? ` The network has ${units} units here: drawn are ${unitLabel(setup.shape, layer, a)} and ${unitLabel(setup.shape, layer, b)}; the output's line is its slice with the other units at their mean over the samples.`
        : '';
    const text = `Each sample at the outputs of the ${layer === 1 ? 'hidden layer' : `last hidden layer (${layer})`}; the black line is where the output unit's input is 0 (its output 0.5 for a sigmoid), the arrow points to where it is above.${others}${crossings[0] ? '' : " The output's line misses this square."}`;
    if (label.textContent !== text) label.textContent = text;
  }

  private drawAxes(plot: PlotSquare, xName: string, yName: string): void {
    const key = JSON.stringify([plot.x, plot.y, xName, yName]);
    if (this.axes.dataset.key === key) return;
    this.axes.dataset.key = key;
    const { left, top, size } = plot;
    const items: SVGElement[] = [
      svg('rect', { x: left, y: top, width: size, height: size, fill: '#fafafa', stroke: '#bbb' }),
    ];
    for (const t of niceTicks(plot.x[0], plot.x[1], 4)) {
      const [x] = toPixel(plot, [t, plot.y[0]]);
      items.push(
        svg('line', { x1: x, y1: top, x2: x, y2: top + size, stroke: '#e6e6e6' }),
        svg('text', { x, y: top + size + 14, 'text-anchor': 'middle', class: 'tick' }, short(t, 2)),
      );
    }
    for (const t of niceTicks(plot.y[0], plot.y[1], 4)) {
      const [, y] = toPixel(plot, [plot.x[0], t]);
      items.push(
        svg('line', { x1: left, y1: y, x2: left + size, y2: y, stroke: '#e6e6e6' }),
        svg(
          'text',
          { x: left - 5, y, 'text-anchor': 'end', 'dominant-baseline': 'middle', class: 'tick' },
          short(t, 2),
        ),
      );
    }
    items.push(svg('text', { x: left + size / 2, y: top + size + 30, 'text-anchor': 'middle', class: 'axis' }, xName));
    if (yName)
      items.push(
        svg(
          'text',
          {
            x: 12,
            y: top + size / 2,
            'text-anchor': 'middle',
            transform: `rotate(-90 12 ${top + size / 2})`,
            class: 'axis',
          },
          yName,
        ),
      );
    this.axes.replaceChildren(...items);
  }
}
