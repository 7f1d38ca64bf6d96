// The study page's fitted minimum, followed live: per curve (one per category) the minimum and its interval in
// text, and a small chart of both against the trainings stored so far, one reading per view the server pushed while
// this page was open (it narrows as a refine runs). The chart is one image to a screen reader, labelled with the
// current values; every reading is also in a table under a disclosure, reachable by keyboard.
import type { LiveCurveMinimum, LiveMinimum } from '../../study/views/live-minimum.js';
import { h, replace } from './dom.js';
import { int, num, pct } from './format.js';

const SVG = 'http://www.w3.org/2000/svg';
/** Readings kept per curve: an evening of watching a refine, at one a second, is thinned rather than grown. */
const MAX_READINGS = 500;

interface Reading {
  trials: number;
  x: number;
  low: number;
  high: number;
}

/** What the page has seen of each curve's minimum while open, by curve label. */
export class MinimumHistory {
  private readonly readings = new Map<string, Reading[]>();

  /** Adds each fitted curve's reading unless it is the same as the curve's last one. */
  add(minimum: LiveMinimum): void {
    for (const c of minimum.curves) {
      if (c.x === null || c.low === null || c.high === null) continue;
      const list = this.readings.get(c.label) ?? [];
      const last = list.at(-1);
      const reading = { trials: c.trials, x: c.x, low: c.low, high: c.high };
      if (last && last.trials === reading.trials && last.x === reading.x && last.low === reading.low) continue;
      list.push(reading);
      // Thinned by half, the first and last kept: the chart's shape stays, its memory does not grow.
      if (list.length > MAX_READINGS) this.readings.set(c.label, thin(list));
      else this.readings.set(c.label, list);
    }
  }

  of(label: string): readonly Reading[] {
    return this.readings.get(label) ?? [];
  }
}

function thin(list: Reading[]): Reading[] {
  return list.filter((_, k) => k % 2 === 0 || k === list.length - 1);
}

/** "hiddenStd ≈ 0.4895, 95% CI [0.405, 0.555], width 0.150" */
function minimumText(along: string, level: number, c: LiveCurveMinimum): string {
  if (c.x === null || c.low === null || c.high === null) return `no fitted minimum: ${c.reason ?? 'none found'}`;
  return `${along} ≈ ${num(c.x, 4)}, ${pct(level, 0)} CI [${num(c.low, 3)}, ${num(c.high, 3)}], width ${num(c.width, 3)}`;
}

function trialsText(c: LiveCurveMinimum): string {
  const points = c.points === null ? '' : `${int(c.points)} points in its window; `;
  const left = c.excluded ? ` (${int(c.excluded)} diverged, left out of the means)` : '';
  return `${points}${int(c.trials)} trials${left}`;
}

/** Renders every curve's minimum into `container` (replacing what was there). */
export function renderMinimum(container: HTMLElement, minimum: LiveMinimum, history: MinimumHistory): void {
  if (minimum.along === null) {
    replace(
      container,
      h('p', { class: 'note', 'data-testid': 'fit-note' }, `No fitted minimum: ${minimum.note ?? ''}.`),
    );
    return;
  }
  const along = minimum.along;
  const figures = minimum.curves.map((c, k) => {
    const readings = history.of(c.label);
    const name = c.label === '' ? along : `${c.label}: ${along}`;
    const text = minimumText(along, minimum.level, c);
    const caption = `${c.label === '' ? '' : `${c.label}: `}${text}; ${trialsText(c)}.`;
    const id = `fit-table-${k}`;
    return h(
      'figure',
      { class: 'fit', 'data-testid': 'fit', 'data-label': c.label, 'data-x': c.x ?? '', 'data-width': c.width ?? '' },
      h('figcaption', { 'data-testid': 'fit-text' }, caption),
      readings.length === 0
        ? null
        : minimumChart(
            readings,
            `Fitted minimum of ${name} and its interval against trainings, ${readings.length} reading${readings.length === 1 ? '' : 's'} since this page opened; now ${text}`,
          ),
      readings.length === 0
        ? null
        : h(
            'details',
            { class: 'fit-readings' },
            h('summary', {}, `The ${readings.length} reading${readings.length === 1 ? '' : 's'} as a table`),
            h(
              'div',
              { class: 'scroll' },
              h(
                'table',
                { id, 'data-testid': 'fit-readings' },
                h('caption', { class: 'visually-hidden' }, `Readings of the fitted minimum of ${name}`),
                h(
                  'thead',
                  {},
                  h('tr', {}, ...['trials', along, 'low', 'high', 'width'].map((t) => h('th', { scope: 'col' }, t))),
                ),
                h(
                  'tbody',
                  {},
                  ...readings.map((r) =>
                    h(
                      'tr',
                      {},
                      h('th', { scope: 'row' }, int(r.trials)),
                      h('td', {}, num(r.x, 4)),
                      h('td', {}, num(r.low, 4)),
                      h('td', {}, num(r.high, 4)),
                      h('td', {}, num(r.high - r.low, 3)),
                    ),
                  ),
                ),
              ),
            ),
          ),
    );
  });
  // A re-render every second must not close a table the reader opened, nor take the keyboard focus away.
  const labelOf = (e: Element | null): string | null =>
    e?.closest<HTMLElement>('figure[data-label]')?.dataset.label ?? null;
  const open = new Set([...container.querySelectorAll('details[open]')].map(labelOf));
  const focused = container.contains(document.activeElement) ? labelOf(document.activeElement) : null;
  replace(container, ...figures);
  for (const figure of container.querySelectorAll<HTMLElement>('figure[data-label]')) {
    const details = figure.querySelector('details');
    if (details && open.has(figure.dataset.label ?? null)) details.open = true;
    if (focused !== null && figure.dataset.label === focused) figure.querySelector<HTMLElement>('summary')?.focus();
  }
}

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  ...children: (SVGElement | string)[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  for (const child of children) element.append(child);
  return element;
}

const WIDTH = 360;
const HEIGHT = 140;
const MARGIN = { left: 52, right: 10, top: 8, bottom: 30 };

/** The minimum (a line) and its interval (a band) against trainings; one image with `label` as its name. */
function minimumChart(readings: readonly Reading[], label: string): SVGSVGElement {
  const trials = readings.map((r) => r.trials);
  const t0 = Math.min(...trials);
  const t1 = Math.max(...trials);
  const y0 = Math.min(...readings.map((r) => r.low));
  const y1 = Math.max(...readings.map((r) => r.high));
  const pad = (y1 - y0) * 0.08 || Math.abs(y0) * 0.05 || 1;
  const [lo, hi] = [y0 - pad, y1 + pad];
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (t: number): number => MARGIN.left + (t1 === t0 ? plotW / 2 : ((t - t0) / (t1 - t0)) * plotW);
  const sy = (y: number): number => MARGIN.top + (1 - (y - lo) / (hi - lo)) * plotH;
  const xy = (t: number, y: number): string => `${sx(t).toFixed(1)},${sy(y).toFixed(1)}`;
  const band = [
    ...readings.map((r) => xy(r.trials, r.high)),
    ...[...readings].reverse().map((r) => xy(r.trials, r.low)),
  ];
  const bottom = MARGIN.top + plotH;
  const text = (x: number, y: number, anchor: string, value: string): SVGTextElement =>
    svg('text', { x, y, 'text-anchor': anchor, class: 'fit-axis' }, value);
  return svg(
    'svg',
    {
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      width: WIDTH,
      height: HEIGHT,
      role: 'img',
      'aria-label': label,
      class: 'fit-chart',
      'data-testid': 'fit-chart',
      'data-readings': readings.length,
    },
    svg('rect', { x: MARGIN.left, y: MARGIN.top, width: plotW, height: plotH, class: 'fit-frame' }),
    readings.length > 1 ? svg('polygon', { points: band.join(' '), class: 'fit-band' }) : svg('g', {}),
    ...readings.map((r) =>
      svg('line', { x1: sx(r.trials), x2: sx(r.trials), y1: sy(r.low), y2: sy(r.high), class: 'fit-whisker' }),
    ),
    svg('polyline', { points: readings.map((r) => xy(r.trials, r.x)).join(' '), class: 'fit-line' }),
    ...readings.map((r) => svg('circle', { cx: sx(r.trials), cy: sy(r.x), r: 2.5, class: 'fit-dot' })),
    text(MARGIN.left - 4, sy(y1) + 4, 'end', num(y1, 3)),
    text(MARGIN.left - 4, sy(y0) + 4, 'end', num(y0, 3)),
    text(MARGIN.left, bottom + 14, 'start', int(t0)),
    text(MARGIN.left + plotW, bottom + 14, 'end', int(t1)),
    text(MARGIN.left + plotW / 2, bottom + 26, 'middle', 'trainings'),
  );
}
