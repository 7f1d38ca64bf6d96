// Where a neuron's line w·x + b = 0 crosses a rectangle, and the plot square that maps input coordinates to pixels.

export type Point = [number, number];

/**
 * The two points where the line w0 x + w1 y + b = 0 crosses the edges of [x0, x1] x [y0, y1], or null when it misses
 * the rectangle (or only touches a corner). A line along an edge gives that edge's ends.
 */
export function lineCrossings(
  w0: number,
  w1: number,
  b: number,
  x: [number, number],
  y: [number, number],
): [Point, Point] | null {
  if (![w0, w1, b].every(Number.isFinite) || (w0 === 0 && w1 === 0)) return null;
  const points: Point[] = [];
  const within = (v: number, [lo, hi]: [number, number]) => v >= lo - 1e-12 * (hi - lo) && v <= hi + 1e-12 * (hi - lo);
  if (w1 !== 0) {
    for (const xe of x) {
      const ye = -(b + w0 * xe) / w1;
      if (within(ye, y)) points.push([xe, Math.min(y[1], Math.max(y[0], ye))]);
    }
  }
  if (w0 !== 0) {
    for (const ye of y) {
      const xe = -(b + w1 * ye) / w0;
      if (within(xe, x)) points.push([Math.min(x[1], Math.max(x[0], xe)), ye]);
    }
  }
  // The two points farthest apart (a corner is found twice; a diagonal through two corners four times).
  let best: [Point, Point] | null = null;
  let far = 0;
  const scale = Math.max(x[1] - x[0], y[1] - y[0]);
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const d = Math.hypot(points[i][0] - points[j][0], points[i][1] - points[j][1]);
      if (d > far && d > 1e-9 * scale) {
        far = d;
        best = [points[i], points[j]];
      }
    }
  }
  return best;
}

/** A square plot of [x0, x1] x [y0, y1] at (left, top) of `size` CSS pixels, y upwards. */
export interface PlotSquare {
  left: number;
  top: number;
  size: number;
  x: [number, number];
  y: [number, number];
}

export function toPixel(plot: PlotSquare, [x, y]: Point): Point {
  return [
    plot.left + ((x - plot.x[0]) / (plot.x[1] - plot.x[0])) * plot.size,
    plot.top + plot.size - ((y - plot.y[0]) / (plot.y[1] - plot.y[0])) * plot.size,
  ];
}
