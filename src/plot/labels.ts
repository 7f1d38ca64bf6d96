// Placing labels where they cover no data: a chart's plotting area in pixels, the rectangles that markers and text
// take there, and the first candidate position whose text overlaps nothing already drawn.
import type { ViewBox } from '../core/index.js';
import { textWidth } from './fonts.js';

/** A square view box drawn into width x height pixels (y grows downwards in pixels, upwards in data). */
export interface Frame {
  box: ViewBox;
  width: number;
  height: number;
}

/** A rectangle in pixels. */
export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export function toPixel(frame: Frame, [x, y]: readonly [number, number]): [number, number] {
  const size = frame.box.max - frame.box.min;
  return [((x - frame.box.min) / size) * frame.width, frame.height - ((y - frame.box.min) / size) * frame.height];
}

export function toData(frame: Frame, [px, py]: readonly [number, number]): [number, number] {
  const size = frame.box.max - frame.box.min;
  return [frame.box.min + (px / frame.width) * size, frame.box.min + ((frame.height - py) / frame.height) * size];
}

/** The square a point marker of `half` pixels half-side takes around a data point. */
export function markerRect(frame: Frame, point: readonly [number, number], half: number): Rect {
  const [px, py] = toPixel(frame, point);
  return { x0: px - half, y0: py - half, x1: px + half, y1: py + half };
}

/**
 * Small squares of `half` pixels half-side every `half` pixels along the segment from `a` to `b` (pixels): a drawn
 * line as obstacles, so that no label is placed across it.
 */
export function segmentRects(a: readonly [number, number], b: readonly [number, number], half: number): Rect[] {
  const steps = Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) / half));
  return Array.from({ length: steps + 1 }, (_, k) => {
    const [x, y] = [a[0] + ((b[0] - a[0]) * k) / steps, a[1] + ((b[1] - a[1]) * k) / steps];
    return { x0: x - half, y0: y - half, x1: x + half, y1: y + half };
  });
}

export function overlaps(a: Rect, b: Rect): boolean {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

/** The text's size in pixels (with a 2-pixel halo on every side). */
export function textSize(text: string, fontSize: number, bold: boolean): { width: number; height: number } {
  return { width: textWidth(text, fontSize, bold) + 4, height: fontSize * 1.2 + 4 };
}

export function rectAround([cx, cy]: readonly [number, number], size: { width: number; height: number }): Rect {
  return { x0: cx - size.width / 2, y0: cy - size.height / 2, x1: cx + size.width / 2, y1: cy + size.height / 2 };
}

/** The area of the overlap of two rectangles (0 when they do not overlap). */
function overlapArea(a: Rect, b: Rect): number {
  return (
    Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0)) * Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0))
  );
}

/**
 * The index of the first of `centres` (pixels) where a label of `size` lies inside the frame and overlaps none of
 * `obstacles`; when none is clear, the one inside the frame that covers the least of them. The chosen rectangle is
 * appended to `obstacles`.
 */
export function placeLabel(
  frame: Frame,
  centres: readonly [number, number][],
  size: { width: number; height: number },
  obstacles: Rect[],
): number {
  const outside = (r: Rect) =>
    Math.max(0, 1 - r.x0) +
    Math.max(0, 1 - r.y0) +
    Math.max(0, r.x1 - frame.width + 1) +
    Math.max(0, r.y1 - frame.height + 1);
  const cost = (c: readonly [number, number]) => {
    const r = rectAround(c, size);
    return outside(r) * 1e6 + obstacles.reduce((sum, o) => sum + overlapArea(r, o), 0);
  };
  let chosen = 0;
  let best = Infinity;
  for (let k = 0; k < centres.length && best > 0; k++) {
    const c = cost(centres[k]);
    if (c < best) [chosen, best] = [k, c];
  }
  obstacles.push(rectAround(centres[chosen], size));
  return chosen;
}

/** Whether a label of `size` at `centre` (pixels) lies inside the frame and overlaps none of `obstacles`. */
export function isClear(
  frame: Frame,
  centre: readonly [number, number],
  size: { width: number; height: number },
  obstacles: readonly Rect[],
): boolean {
  const r = rectAround(centre, size);
  const inside = r.x0 >= 1 && r.y0 >= 1 && r.x1 <= frame.width - 1 && r.y1 <= frame.height - 1;
  return inside && !obstacles.some((o) => overlaps(r, o));
}

/** `centre` moved the least that puts a label of `size` inside the frame (for a label no candidate fits). */
export function insideFrame(
  frame: Frame,
  [cx, cy]: readonly [number, number],
  size: { width: number; height: number },
): [number, number] {
  const clamp = (v: number, half: number, extent: number) => Math.min(Math.max(v, half + 1), extent - half - 1);
  return [clamp(cx, size.width / 2, frame.width), clamp(cy, size.height / 2, frame.height)];
}
