// Each first-layer unit's line w·x + b = 0 over the decision boundary (the article's black lines), clipped to the
// square, with an arrow to the side where the unit's input is positive (its output above 0.5 for a sigmoid).
import { DASHES } from './canvas.js';
import { byId, el } from './dom.js';
import { lineCrossings, toPixel, type PlotSquare, type Point } from './geometry.js';
import { setAttrs, svg } from './svg.js';
import { unitLabel, type DrawContext, type FrameView } from './views.js';
import type { TrainingSetup } from './state.js';

interface UnitLine {
  label: string;
  w0: number;
  w1: number;
  b: number;
  dash: readonly number[];
}

/** Draws the lines into `view` (a group in an SVG laid over the canvas: CSS pixels); returns each one's crossings. */
export function drawUnitLines(
  view: SVGGElement,
  plot: PlotSquare,
  lines: readonly UnitLine[],
  arrowId: string,
): ([Point, Point] | null)[] {
  const groups = view.children;
  while (groups.length > lines.length) groups[groups.length - 1].remove();
  while (groups.length < lines.length) {
    view.append(
      svg(
        'g',
        { class: 'unit-line' },
        svg('line', { class: 'halo' }),
        svg('line', { class: 'stroke' }),
        svg('line', { class: 'arrow' }),
        svg('text', {}),
      ),
    );
  }
  return lines.map((line, k) => {
    const group = groups[k] as SVGGElement;
    const [halo, stroke, arrow, text] = Array.from(group.children);
    const crossing = lineCrossings(line.w0, line.w1, line.b, plot.x, plot.y);
    group.setAttribute('visibility', crossing ? 'visible' : 'hidden');
    group.dataset.unit = String(k);
    if (!crossing) return null;
    const [a, b] = crossing.map((p) => toPixel(plot, p));
    const ends = { x1: a[0], y1: a[1], x2: b[0], y2: b[1] };
    setAttrs(halo, { ...ends, stroke: '#fff', 'stroke-width': 4, 'stroke-opacity': 0.8 });
    setAttrs(stroke, {
      ...ends,
      stroke: '#000',
      'stroke-width': 2,
      'stroke-dasharray': line.dash.length ? line.dash.join(' ') : 'none',
    });
    // The positive side: the gradient (w0, w1) in pixels (y flips).
    const gx = line.w0 / (plot.x[1] - plot.x[0]);
    const gy = -line.w1 / (plot.y[1] - plot.y[0]);
    const norm = Math.hypot(gx, gy) || 1;
    const mid: Point = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
    const tip: Point = [mid[0] + (16 * gx) / norm, mid[1] + (16 * gy) / norm];
    setAttrs(arrow, {
      x1: mid[0],
      y1: mid[1],
      x2: tip[0],
      y2: tip[1],
      stroke: '#000',
      'stroke-width': 2,
      'marker-end': `url(#${arrowId})`,
    });
    const label: Point = [mid[0] + (30 * gx) / norm, mid[1] + (30 * gy) / norm];
    setAttrs(text, {
      x: label[0],
      y: label[1],
      'text-anchor': 'middle',
      'dominant-baseline': 'middle',
      class: 'unit-label',
    });
    text.textContent = line.label;
    return crossing;
  });
}

/** Sizes an SVG laid over a canvas to the canvas's CSS box, so both use the same pixels. */
export function fitOverlay(view: SVGSVGElement, canvas: HTMLCanvasElement): void {
  const width = Math.max(1, Math.round(canvas.clientWidth));
  const height = Math.max(1, Math.round(canvas.clientHeight));
  setAttrs(view, { viewBox: `0 0 ${width} ${height}`, width, height });
}

/** The arrow head the lines' arrows use (one per page). */
export function arrowHead(id: string): SVGDefsElement {
  return svg(
    'defs',
    {},
    svg(
      'marker',
      { id, viewBox: '0 0 10 10', refX: 8, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' },
      svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#000' }),
    ),
  );
}

/** The lines of the first layer's units, read from the flat parameters (weights inputs x units, then biases). */
export function firstLayerLines(setup: TrainingSetup, params: Float64Array): UnitLine[] {
  const layer = setup.shape.layers[0];
  if (setup.shape.layers.length < 2 || layer.inputs !== 2) return [];
  return Array.from({ length: layer.units }, (_, j) => ({
    label: unitLabel(setup.shape, 1, j),
    w0: params[layer.weightOffset + j],
    w1: params[layer.weightOffset + layer.units + j],
    b: params[layer.biasOffset + j],
    dash: DASHES[j % DASHES.length],
  }));
}

export class UnitLinesView implements FrameView {
  readonly name = 'unit-lines';
  private readonly toggle = byId<HTMLInputElement>('unit-lines');
  private readonly view = byId('unit-lines-view') as unknown as SVGSVGElement;
  private readonly notes = byId('unit-lines-notes');
  private readonly layer = svg('g');

  constructor(redraw: () => void) {
    this.view.append(arrowHead('unit-arrow'), this.layer);
    this.toggle.addEventListener('change', () => {
      this.view.setAttribute('visibility', this.toggle.checked ? 'visible' : 'hidden');
      this.notes.hidden = !this.toggle.checked;
      redraw();
    });
  }

  shown(): boolean {
    return this.toggle.checked;
  }

  load(setup: TrainingSetup): void {
    this.layer.replaceChildren();
    this.view.dataset.lines = '[]';
    const hasLines = setup.shape.layers.length >= 2 && setup.dataset.inputCount === 2;
    this.notes.replaceChildren(
      hasLines
        ? ''
        : el(
            'li',
            {},
            setup.shape.layers.length < 2
              ? "No hidden layer: the output unit's line is the boundary itself."
              : 'Lines are drawn for datasets with 2 inputs.',
          ),
    );
  }

  draw({ setup, frame, boundary }: DrawContext): void {
    if (!frame || !boundary || frame.diverged) return;
    const lines = firstLayerLines(setup, frame.params);
    const canvas = byId<HTMLCanvasElement>('boundary');
    fitOverlay(this.view, canvas);
    const crossings = drawUnitLines(this.layer, boundary, lines, 'unit-arrow');
    this.view.dataset.lines = JSON.stringify(crossings);
    this.view.dataset.plot = JSON.stringify(boundary);
    const missing = lines.filter((_, k) => crossings[k] === null).map((line) => line.label);
    const text =
      missing.length === 0
        ? ''
        : `${missing.join(', ')}: ${missing.length === 1 ? 'its line misses' : 'their lines miss'} the square (the unit is on one side everywhere in it).`;
    if (this.notes.textContent !== text) this.notes.replaceChildren(...(text ? [el('li', {}, text)] : []));
  }
}
