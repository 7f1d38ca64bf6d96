// What a study's charts say about its own network: the dataset's name for people ("Learned 3-bit parity"), and the
// initialisation rules for its layer shape (Xavier/Glorot sqrt(2 / (fan_in + fan_out)), He sqrt(2 / fan_in) for
// the ReLU family) where the x-axis is an init std.
import { heStd, isBuiltinDataset, xavierStd, type ActivationName } from '../../core/index.js';
import { short } from '../../text/format.js';

/** The dataset as a reader names it: XOR, AND, 3-bit parity, or a file's name. */
export function datasetLabel(name: string): string {
  const parity = /^parity(\d+)$/.exec(name);
  if (parity) return `${parity[1]}-bit parity`;
  if (isBuiltinDataset(name)) return name.toUpperCase();
  return name.split(/[\\/]/).pop() ?? name;
}

/** Activations whose layers He's rule is for (the ReLU family); the others get Xavier/Glorot's. */
const HE_ACTIVATIONS: readonly ActivationName[] = ['relu', 'leaky-relu', 'elu'];

export interface LayerShape {
  /** Inputs and units of the layer whose weights the std draws. */
  fanIn: number;
  fanOut: number;
  activation: ActivationName;
}

export interface InitRule {
  x: number;
  label: string;
  he: boolean;
}

/** The rule an init std is predicted by for a layer of this shape and activation, with a label that shows it with
 * the layer's own fan_in and fan_out: "Xavier/Glorot √(2/(3+2)) ≈ 0.632" for 3 inputs and 2 units. */
export function initRule(shape: LayerShape, activations?: readonly string[]): InitRule {
  const he = HE_ACTIVATIONS.includes(shape.activation);
  const which = activations?.length ? ` (${activations.join(', ')})` : '';
  if (he) {
    const x = heStd(shape.fanIn);
    return { x, he, label: `He √(2/${shape.fanIn}) ≈ ${short(x)}${which}` };
  }
  const x = xavierStd(shape.fanIn, shape.fanOut);
  return { x, he, label: `Xavier/Glorot √(2/(${shape.fanIn}+${shape.fanOut})) ≈ ${short(x)}${which}` };
}
