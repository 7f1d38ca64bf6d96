// Each neuron is a linear classifier: unit j of a layer draws the line w_j . x + b_j = 0 in its input plane, and its
// output is above f(0) on the side where w_j . x + b_j > 0 (for a sigmoid unit: output > 0.5). These are the
// article's "two black lines", clipped to a view box, and the planes the hidden layers send the samples to.
import type { NetworkShape } from './network.js';

/** An axis-aligned box [min, max]^2 in a layer's input coordinates. */
export interface ViewBox {
  min: number;
  max: number;
}

/** A point (x1, x2) of a plane. */
type PlanePoint = [number, number];

/** Two points where a line crosses the box's edges, in order of increasing x1 (then x2). */
export type Crossing = [PlanePoint, PlanePoint];

/**
 * Where the line w1 x1 + w2 x2 + b = 0 crosses the edges of `box`: the two ends of its visible segment, or null
 * when it misses the box (or only touches a corner, or w1 = w2 = 0).
 */
export function lineCrossing(w1: number, w2: number, b: number, box: ViewBox): Crossing | null {
  const { min, max } = box;
  const points: PlanePoint[] = [];
  const inside = (v: number) => v >= min - 1e-12 * (Math.abs(min) + 1) && v <= max + 1e-12 * (Math.abs(max) + 1);
  const clamp = (v: number) => Math.min(max, Math.max(min, v));
  if (w2 !== 0) {
    for (const x1 of [min, max]) {
      const x2 = -(w1 * x1 + b) / w2;
      if (inside(x2)) points.push([x1, clamp(x2)]);
    }
  }
  if (w1 !== 0) {
    for (const x2 of [min, max]) {
      const x1 = -(w2 * x2 + b) / w1;
      if (inside(x1)) points.push([clamp(x1), x2]);
    }
  }
  // A line through a corner is found on two edges: keep distinct points.
  const distinct = points.filter(
    (p, k) => points.findIndex((q) => Math.abs(q[0] - p[0]) + Math.abs(q[1] - p[1]) <= 1e-12 * (max - min)) === k,
  );
  if (distinct.length < 2) return null;
  distinct.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  return [distinct[0], distinct[distinct.length - 1]];
}

/** A unit's line in its layer's input plane (the layer's first two inputs). */
interface UnitLine {
  /** 0-based unit index in its layer. */
  unit: number;
  /** The unit's weights from inputs i and j of the plane, and its bias (what else it receives counted in). */
  w1: number;
  w2: number;
  b: number;
  /** Where the line crosses the box's edges; null when it misses the box. */
  crossing: Crossing | null;
}

/**
 * The line of every unit of the first layer (layer 0: weights inputs x units, the article's hidden_weights) in the
 * input plane of a two-input network, clipped to `box`. Throws RangeError for a network without two inputs or
 * without a hidden layer.
 */
export function firstLayerLines(shape: NetworkShape, params: ArrayLike<number>, box: ViewBox): UnitLine[] {
  if (shape.sizes[0] !== 2)
    throw new RangeError(`unit lines need a network with 2 inputs; this one has ${shape.sizes[0]}`);
  if (shape.layers.length < 2) throw new RangeError('unit lines need a hidden layer; this network has none');
  const { units, weightOffset, biasOffset } = shape.layers[0];
  return Array.from({ length: units }, (_, j) => {
    const w1 = params[weightOffset + j];
    const w2 = params[weightOffset + units + j];
    const b = params[biasOffset + j];
    return { unit: j, w1, w2, b, crossing: lineCrossing(w1, w2, b, box) };
  });
}
