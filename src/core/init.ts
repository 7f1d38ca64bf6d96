// Initial parameters. Every scheme draws each layer's weights (row-major, inputs x units) and then its biases
// from the same distribution, as the article does for its normal initialisation; the draw order is fixed, so a
// seed gives the same starting network whichever engine trains it.
import type { TrainingConfig } from './config.js';
import type { NetworkShape } from './network.js';
import type { Rng } from './rng.js';

interface LayerDistribution {
  kind: 'normal' | 'uniform';
  /** std for normal, half-width for uniform */
  scale: number;
}

/** Xavier/Glorot's std for a layer: sqrt(2 / (fan_in + fan_out)) (1/sqrt(2) for the article's 2-2 layers). */
export function xavierStd(fanIn: number, fanOut: number): number {
  return Math.sqrt(2 / (fanIn + fanOut));
}

/** He's std for a ReLU-family layer: sqrt(2 / fan_in). */
export function heStd(fanIn: number): number {
  return Math.sqrt(2 / fanIn);
}

function layerDistributions(
  config: Pick<TrainingConfig, 'init' | 'hiddenStd' | 'outputStd'>,
  shape: NetworkShape,
): LayerDistribution[] {
  const last = shape.layers.length - 1;
  return shape.layers.map((layer, l) => {
    const fanIn = layer.inputs;
    const fanOut = layer.units;
    switch (config.init) {
      case 'normal':
        return { kind: 'normal', scale: l === last ? config.outputStd : config.hiddenStd };
      case 'xavier-normal':
        return { kind: 'normal', scale: xavierStd(fanIn, fanOut) };
      case 'xavier-uniform':
        return { kind: 'uniform', scale: Math.sqrt(6 / (fanIn + fanOut)) };
      case 'he-normal':
        return { kind: 'normal', scale: heStd(fanIn) };
      case 'file':
        throw new Error('init "file" takes its parameters from a file, not from the random generator');
    }
  });
}

export function initialParameters(
  config: Pick<TrainingConfig, 'init' | 'hiddenStd' | 'outputStd'>,
  shape: NetworkShape,
  rng: Rng,
): Float64Array {
  const params = new Float64Array(shape.parameterCount);
  const distributions = layerDistributions(config, shape);
  shape.layers.forEach((layer, l) => {
    const { kind, scale } = distributions[l];
    for (let p = layer.weightOffset; p < layer.end; p++) {
      params[p] = kind === 'normal' ? rng.nextNormal() * scale : (2 * rng.nextDouble() - 1) * scale;
    }
  });
  return params;
}
