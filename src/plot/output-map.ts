// A network's output over a square of inputs (or of hidden values) as one Vega-Lite layer of rectangles, coloured by
// viridis over the activation's range: the decision-boundary chart, each hidden unit's panel and the hidden space
// draw it alike.

/** An axis of the map: the field of the cells' lower bounds with its title, scale and ticks. */
type MapAxis = { field: string } & Record<string, unknown>;

interface OutputMapInput {
  name: string;
  /** The cells, each with its bounds and its `output`. */
  values: readonly object[];
  /** The cells' lower bounds (with the axis) and the fields of their upper bounds. */
  x: MapAxis;
  x2: string;
  y: MapAxis;
  y2: string;
  /** The colour legend's title. */
  title: string;
  /** The colour scale's domain (the activation's range, [0, 1] for sigmoid); null: the data's own. */
  domain: readonly [number, number] | null;
  /** The legend's settings, or null for none; left out: vega-lite's default. */
  legend?: object | null;
}

export function outputMapLayer(input: OutputMapInput) {
  return {
    name: input.name,
    data: { values: input.values },
    mark: { type: 'rect' as const, strokeWidth: 0, stroke: null },
    encoding: {
      x: input.x,
      x2: { field: input.x2 },
      y: input.y,
      y2: { field: input.y2 },
      color: {
        field: 'output',
        type: 'quantitative' as const,
        title: input.title,
        scale: { scheme: 'viridis', ...(input.domain ? { domain: [...input.domain] } : {}) },
        ...(input.legend !== undefined ? { legend: input.legend } : {}),
      },
    },
  };
}
