// Every hidden layer's own outputs, computed by core's forward pass (one implementation of the maths): layer l's
// outputs are the outputs of the network cut after layer l, whose parameters are the first ones of the flat vector
// (core stores them layer by layer) and whose last activation is the hidden layers' one.
import type { TrainingConfig } from '../../core/config.js';
import type { Dataset } from '../../core/datasets.js';
import { Network } from '../../core/train.js';

/** Rows of inputs (rows x inputs, row-major) seen through each hidden layer. */
export class HiddenProbe {
  private readonly nets: Network[];

  constructor(config: TrainingConfig, inputs: Float64Array, inputCount: number) {
    const size = inputs.length / inputCount;
    this.nets = config.hidden.map((units, l) => {
      const cut: TrainingConfig = { ...config, hidden: config.hidden.slice(0, l), outputActivation: config.activation, loss: 'mse' };
      const rows: Dataset = { name: `hidden layer ${l + 1}`, inputCount, outputCount: units, size, inputs, targets: new Float64Array(size * units) };
      return new Network(cut, rows);
    });
  }

  /** Per hidden layer, its outputs for every row (rows x units, row-major), at these parameters. */
  outputs(params: Float64Array): Float64Array[] {
    return this.nets.map((net) => {
      net.forward(params);
      return Float64Array.from(net.predictions().flat());
    });
  }
}
