// Saved parameters run forward: the outputs for given inputs (the library's predict) and, on a dataset with its
// targets, the mean loss and whether every output lies on the target's side of 0.5 (`xorlab predict`). The
// network's shape comes from the parameters themselves; the configuration gives its activations and loss. The
// forward pass is the training's own (Network.forward), so a prediction here is bit for bit the training's.
import type { TrainingConfig } from './config.js';
import { DatasetError, makeDataset, type Dataset } from './datasets.js';
import {
  fromParameterFile,
  ParameterFileError,
  shapeOfParameterFile,
  type NetworkShape,
  type ParameterFile,
} from './network.js';
import { Network } from './train.js';

/** Saved parameters evaluated on a dataset. */
interface Evaluation {
  /** The network's outputs, samples x outputs. */
  predictions: number[][];
  /** The mean loss over the samples (the configuration's loss); null when it is not finite. */
  loss: number | null;
  /** Every output on the same side of 0.5 as its target. */
  success: boolean;
}

/** The hidden layers of the network that `shape` describes. */
export function hiddenOf(shape: NetworkShape): number[] {
  return shape.sizes.slice(1, -1);
}

/** The parameters' shape, checked against the dataset's input and target columns (ParameterFileError). */
function shapeOn(parameters: ParameterFile, dataset: Dataset): NetworkShape {
  const shape = shapeOfParameterFile(parameters);
  const inputs = shape.sizes[0];
  const outputs = shape.sizes[shape.sizes.length - 1];
  if (dataset.inputCount !== inputs) {
    throw new ParameterFileError(
      `the network takes ${inputs} input(s) per sample, but ${dataset.name} has ${dataset.inputCount}`,
    );
  }
  if (dataset.outputCount !== outputs) {
    throw new ParameterFileError(
      `the network gives ${outputs} output(s) per sample, but ${dataset.name} has ${dataset.outputCount} target column(s)`,
    );
  }
  return shape;
}

/** Runs `parameters` on `dataset` with `config`'s activations and loss (its `hidden` is taken from the parameters). */
export function evaluate(config: TrainingConfig, parameters: ParameterFile, dataset: Dataset): Evaluation {
  const shape = shapeOn(parameters, dataset);
  const params = fromParameterFile(shape, parameters);
  const net = new Network({ ...config, hidden: hiddenOf(shape) }, dataset);
  const loss = net.forward(params);
  const predictions = net.predictions();
  const targets = dataset.targets;
  const success = predictions.flat().every((p, k) => p > 0.5 === targets[k] > 0.5);
  return { predictions, loss: Number.isFinite(loss) ? loss : null, success };
}

/** The outputs of `parameters` for each row of `inputs` (samples x outputs). Throws DatasetError for ragged or
 * non-numeric rows and ParameterFileError for parameters that are no network or take another number of inputs. */
export function predictRows(
  config: TrainingConfig,
  parameters: ParameterFile,
  inputs: readonly (readonly number[])[],
): number[][] {
  const shape = shapeOfParameterFile(parameters);
  // Callers from JavaScript can pass anything: check the rows before reading them.
  const given: unknown = inputs;
  if (!Array.isArray(given) || !given.every((row) => Array.isArray(row)))
    throw new DatasetError('inputs must be an array of rows, e.g. [[0, 1], [1, 1]]');
  if (inputs.length === 0) return [];
  const outputs = shape.sizes[shape.sizes.length - 1];
  // Targets play no part in the outputs; zeros make the rows a dataset the forward pass reads.
  const dataset = makeDataset(
    'inputs',
    inputs.map((row) => [...row]),
    inputs.map(() => new Array<number>(outputs).fill(0)),
  );
  return evaluate(config, parameters, dataset).predictions;
}

/** ParameterFileError when a caller's `hidden` does not describe the network of `parameters` (its shape decides). */
export function checkHidden(parameters: ParameterFile, hidden: readonly number[] | undefined): void {
  if (hidden === undefined) return;
  const actual = hiddenOf(shapeOfParameterFile(parameters));
  if (actual.length !== hidden.length || actual.some((units, l) => units !== hidden[l])) {
    throw new ParameterFileError(
      `the parameters have hidden layers [${actual.join(', ')}] but config.hidden is [${hidden.join(', ')}]`,
    );
  }
}
