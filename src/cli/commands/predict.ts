// `xorlab predict`: saved parameters evaluated on a dataset, without training: the network's output for every
// sample beside its target, the mean loss and whether every output is on the target's side of 0.5. The weights
// are a parameter file (--save-weights) or a whole `xorlab train --json` document, whose configuration then gives
// the activations, loss and dataset (flags override it).
import type { Command } from 'commander';
import { TrainingConfigSchema, describeIssues, type ParameterName } from '../../config/index.js';
import { type ParameterFile, type TrainingConfig } from '../../core/index.js';
import { evaluate, hiddenOf } from '../../core/predict.js';
import { shapeOfParameterFile } from '../../core/network.js';
import { alignedTable, shortNumber } from '../../text/format.js';
import { addConfigOptions, configInputFromOptions, validateConfig } from '../config-options.js';
import { UsageError, withFlag } from '../errors.js';
import { loadDataset, readJsonFile } from '../files.js';

/** The settings that decide a forward pass and its loss; the others (learning rate, epochs, ...) play no part. */
const FORWARD_PARAMETERS = [
  'dataset',
  'activation',
  'outputActivation',
  'leakySlope',
  'eluAlpha',
  'loss',
  'bceClip',
] as const satisfies readonly ParameterName[];

interface PredictOptions extends Record<string, unknown> {
  weights?: string;
  json?: boolean;
}

export function registerPredict(program: Command): void {
  const command = program
    .command('predict')
    .description(
      "evaluate saved parameters without training: each sample's output beside its target, the mean loss, and whether every output is on the right side of 0.5",
    )
    .option(
      '--weights <file>',
      'the parameters: a file from --save-weights, or a `xorlab train --json` document (its config gives the defaults below)',
    )
    .option(
      '--json',
      'print one JSON document (config, inputs, targets, predictions, loss, success) at full precision',
    );
  addConfigOptions(command, FORWARD_PARAMETERS).addHelpText(
    'after',
    `
The network's shape comes from the weights ({"layers": [{"weights": [[...]], "biases": [...]}, ...]}, weights[i][j]
from input i to unit j); its inputs and outputs must match the dataset's columns.

Examples:
  xorlab train --seed 1 --save-weights w.json && xorlab predict --weights w.json
  xorlab train --seed 1 --activation tanh --json > run.json && xorlab predict --weights run.json --dataset xnor
  xorlab predict --weights w.json --dataset table.csv --json`,
  );
  command.action((options: PredictOptions) => runPredict(options));
}

/** The parameters of --weights and the configuration that came with them (a train --json document's). */
function readWeights(path: string): { parameters: ParameterFile; config: Partial<TrainingConfig> } {
  const doc = readJsonFile('--weights', path) as {
    layers?: unknown;
    finalParameters?: unknown;
    config?: unknown;
  } | null;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new UsageError(`--weights: ${path} must hold a JSON object`);
  if (doc.layers !== undefined) return { parameters: doc as ParameterFile, config: {} };
  if (doc.finalParameters === undefined || doc.config === undefined) {
    throw new UsageError(
      `--weights: ${path} is neither a parameter file {"layers": [...]} (--save-weights) nor a \`xorlab train --json\` document (config, finalParameters)`,
    );
  }
  const parsed = TrainingConfigSchema.safeParse(doc.config);
  if (!parsed.success)
    throw new UsageError(
      `--weights: ${path}: ${describeIssues(parsed.error, (p) => `config.${p.map(String).join('.')}`)}`,
    );
  if (parsed.data.init === 'file') parsed.data.init = 'normal'; // how the training started plays no part here
  return { parameters: doc.finalParameters as ParameterFile, config: parsed.data };
}

function runPredict(options: PredictOptions): void {
  if (options.weights === undefined)
    throw new UsageError(
      'give --weights <file>: a parameter file from --save-weights or a `xorlab train --json` document',
    );
  const path = options.weights;
  const weights = readWeights(path);
  const config = validateConfig({ ...weights.config, ...configInputFromOptions(options) });
  const dataset = loadDataset(config.dataset);
  const { hidden, evaluation } = withFlag(`--weights: ${path}`, () => ({
    hidden: hiddenOf(shapeOfParameterFile(weights.parameters)),
    evaluation: evaluate(config, weights.parameters, dataset),
  }));
  const rows = (values: Float64Array, width: number): number[][] =>
    Array.from({ length: dataset.size }, (_, s) => Array.from(values.subarray(s * width, (s + 1) * width)));
  const inputs = rows(dataset.inputs, dataset.inputCount);
  const targets = rows(dataset.targets, dataset.outputCount);
  if (options.json) {
    const used = Object.fromEntries(FORWARD_PARAMETERS.map((key) => [key, config[key]]));
    const doc = {
      config: { ...used, hidden },
      inputs,
      targets,
      predictions: evaluation.predictions,
      loss: evaluation.loss,
      success: evaluation.success,
    };
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return;
  }
  const outputs = dataset.outputCount;
  const column = (name: string, k: number) => (outputs === 1 ? name : `${name} ${k + 1}`);
  const header = [
    'input',
    ...Array.from({ length: outputs }, (_, k) => column('output', k)),
    ...Array.from({ length: outputs }, (_, k) => column('target', k)),
  ];
  const table = inputs.map((row, s) => [
    row.map((x) => shortNumber(x)).join(' '),
    ...evaluation.predictions[s].map((p) => p.toFixed(4)),
    ...targets[s].map((t) => shortNumber(t)),
  ]);
  const loss = evaluation.loss === null ? 'not finite' : evaluation.loss.toFixed(6);
  // Say what was found, not the criterion: "no (every output on the target's side)" read as its opposite.
  const flat = evaluation.predictions.flat();
  const wrong = flat.filter((p, k) => !(p > 0.5 === targets[Math.floor(k / outputs)][k % outputs] > 0.5)).length;
  const found =
    wrong === 0
      ? `every output on the target's side of 0.5`
      : `${wrong} of ${flat.length} outputs on the wrong side of 0.5`;
  process.stdout.write(
    `${alignedTable(header, table, { leftFirst: true })}\n` +
      `Loss: ${loss} (${config.loss}, mean over ${dataset.size} samples); learned: ${evaluation.success ? 'yes' : 'no'} (${found})\n`,
  );
}
