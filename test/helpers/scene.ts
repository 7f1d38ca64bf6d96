// Where a chart draws what: its vega scenegraph flattened into items with bounds in the picture's own pixels, so a
// test can ask whether a label covers a data mark.
import type { TopLevelSpec } from 'vega-lite';
import { renderScene } from '../../src/plot/render.js';

export interface SceneItem {
  /** The vega mark type (text, line, symbol, rule, rect, area, ...). */
  type: string;
  /** The mark's name (a Vega-Lite layer named `means` gives `means_marks`, and so on), '' when it has none. */
  name: string;
  /** The mark's role: 'mark' for what the spec's layers draw, else axis-label, legend-label, title-text, ... */
  role: string;
  text: string;
  /** The mark this item belongs to (items of one line mark are its points, in order). */
  mark: number;
  /** The item's own position (a line's point) and its bounds; a line's points have no bounds of their own. */
  x: number;
  y: number;
  /** A rule's other end (its own x and y when not given). */
  xEnd: number;
  yEnd: number;
  strokeWidth: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

interface RawBounds {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}
interface RawItem {
  x?: number;
  y?: number;
  x2?: number;
  y2?: number;
  text?: unknown;
  strokeWidth?: number;
  bounds?: RawBounds;
  items?: RawMark[];
}
interface RawMark {
  marktype: string;
  name?: string;
  role?: string;
  items: RawItem[];
}

/** Every item of every mark, with its bounds moved out of its groups into the picture's coordinates. */
export async function sceneItems(spec: TopLevelSpec): Promise<SceneItem[]> {
  const out: SceneItem[] = [];
  let marks = 0;
  const visit = (mark: RawMark, dx: number, dy: number) => {
    const id = marks++;
    for (const item of mark.items ?? []) {
      const b = item.bounds;
      const [x, y] = [(item.x ?? 0) + dx, (item.y ?? 0) + dy];
      const has = b !== undefined && Number.isFinite(b.x1) && b.x2 >= b.x1;
      out.push({
        type: mark.marktype,
        name: mark.name ?? '',
        role: mark.role ?? '',
        text: Array.isArray(item.text)
          ? item.text.join(' ')
          : typeof item.text === 'string' || typeof item.text === 'number'
            ? String(item.text)
            : '',
        mark: id,
        x,
        y,
        xEnd: item.x2 !== undefined ? item.x2 + dx : x,
        yEnd: item.y2 !== undefined ? item.y2 + dy : y,
        strokeWidth: item.strokeWidth ?? 1,
        x1: has ? b.x1 + dx : x,
        y1: has ? b.y1 + dy : y,
        x2: has ? b.x2 + dx : x,
        y2: has ? b.y2 + dy : y,
      });
      // A group's children are placed relative to the group's own x and y.
      if (mark.marktype === 'group')
        for (const child of item.items ?? []) visit(child, dx + (item.x ?? 0), dy + (item.y ?? 0));
    }
  };
  visit((await renderScene(spec)) as RawMark, 0, 0);
  return out;
}

/** Whether two boxes overlap by more than `slack` px each way (touching is not covering). */
export function overlaps(a: SceneItem, b: SceneItem, slack = 0.5): boolean {
  return a.x1 < b.x2 - slack && b.x1 < a.x2 - slack && a.y1 < b.y2 - slack && b.y1 < a.y2 - slack;
}

/** The items a chart draws from its data: points, error bars and interval bars (rules other than the reference rules: series' reference_*, the curve's Xavier, minimum and lowest-mean rules),
 * and the segments of its lines and areas' edges; axes, grids, legends, titles and reference rules are not data. */
function isData(item: SceneItem): boolean {
  if (item.role !== 'mark') return false;
  if (item.type === 'rule') return !/^(reference_|xavier_rule|minimum_rule|lowest_rule)/.test(item.name);
  return ['line', 'symbol', 'area', 'trail'].includes(item.type);
}

/** Text the chart's own layers draw (labels), not axis, legend or title text. */
export function labelItems(items: readonly SceneItem[]): SceneItem[] {
  return items.filter((i) => i.type === 'text' && i.role === 'mark' && i.text.trim() !== '');
}

/** Whether a label's box touches a data mark: a point's or bar's box, or any point along a line's segments (within
 * half the stroke). Returns what it covers, or null. */
export function coveredData(label: SceneItem, items: readonly SceneItem[]): string | null {
  const data = items.filter(isData);
  const segments: [SceneItem, SceneItem | null][] = [];
  const byMark = new Map<number, SceneItem[]>();
  for (const d of data) {
    if (d.type === 'symbol' && overlaps(label, d)) return `${d.name} (symbol) at ${d.x1.toFixed(0)},${d.y1.toFixed(0)}`;
    if (d.type === 'rule') segments.push([d, null]);
    if (d.type === 'line' || d.type === 'area' || d.type === 'trail')
      byMark.set(d.mark, [...(byMark.get(d.mark) ?? []), d]);
  }
  for (const points of byMark.values())
    for (let k = 1; k < points.length; k++) segments.push([points[k - 1], points[k]]);
  for (const [a, b] of segments) {
    // A rule runs from its x, y to its x2, y2; a line's segment from one point to the next.
    const [x0, y0, x1, y1] = b === null ? [a.x, a.y, a.xEnd, a.yEnd] : [a.x, a.y, b.x, b.y];
    const pad = Math.max(a.strokeWidth, 1) / 2;
    const steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0)));
    for (let s = 0; s <= steps; s++) {
      const x = x0 + ((x1 - x0) * s) / steps;
      const y = y0 + ((y1 - y0) * s) / steps;
      if (x > label.x1 - pad && x < label.x2 + pad && y > label.y1 - pad && y < label.y2 + pad)
        return `${a.name} (${a.type}) at ${x.toFixed(0)},${y.toFixed(0)}`;
    }
  }
  return null;
}
