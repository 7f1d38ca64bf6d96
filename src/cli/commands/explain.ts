// `xorlab explain`: one epoch's arithmetic, every array the article's loop makes with its shape and the NumPy line
// that makes it, recorded from the reference engine's own training step (core/epoch-trace.ts).
import type { Command } from 'commander';
import {
  Trainer,
  epochQuantities,
  hasArticleNames,
  shapeFor,
  toParameterFile,
  traceEpoch,
  type EpochQuantity,
  type EpochTrace,
  type TrainingConfig,
} from '../../core/index.js';
import { addConfigOptions } from '../config-options.js';
import { addStartingOptions, configWithInitWeights, initialParameters, seedFromFlag } from '../starting-point.js';
import { UsageError } from '../errors.js';
import { loadDataset } from '../files.js';
import { MAX_PRINTED_PARAMETERS } from '../limits.js';
import { parseNumber } from '../parse.js';
import { formatNumpyArray } from '../../text/numpy.js';

interface ExplainOptions extends Record<string, unknown> {
  seed?: string;
  initWeights?: string;
  epoch: string;
  json?: boolean;
}

/** Arrays printed as integers, as NumPy holds the article's truth table. */
const INTEGER_KEYS = new Set(['inputs', 'expected_output', 'targets']);

export function registerExplain(program: Command): void {
  const command = program
    .command('explain')
    .description(
      "print one epoch's arithmetic as the article computes it: every array of the forward and backward pass with its shape, beside the NumPy line that makes it",
    );
  addStartingOptions(addConfigOptions(command))
    .option(
      '--epoch <n>',
      'the epoch to show, 0-based: the earlier epochs are trained first (0 .. --epochs minus 1)',
      '0',
    )
    .option('--json', 'print the arrays as one JSON document at full precision')
    .addHelpText(
      'after',
      `
The arrays are the reference engine's own (the code that \`xorlab train\` runs), taken from the training step
itself. For the article's network (one hidden layer, sigmoid units, --loss bce, --optimizer gd) they carry the
article's names: hidden_input, hidden_output, final_input, predicted_output, loss, d_predicted_output, the output
layer's gradient and updated weights, error_hidden, d_hidden, the hidden layer's gradient and updated weights.
Any other network gets per-layer names: z1, a1, ..., loss, delta2, dW2, W2 (updated), error1, delta1, ...
Shapes are NumPy's: samples x units, weights inputs x units (the article's hidden_weights is 2x2), biases 1 x units.

The update order shows in error_hidden: with --update-order seed (the article's code) it is computed with the
output weights already updated above it; with textbook (the default) with the weights of the start of the epoch.

To check a notebook line by line: set its hidden_weights, hidden_bias, output_weights and output_bias to the
arrays printed first (the start of the epoch), then run one pass of the loop; every array should match to the
digits printed (NumPy's random numbers are not xorlab's, so a seed alone does not give the same start).

Examples:
  xorlab explain --seed 1 --epoch 0
  xorlab explain --seed 1 --epoch 2000 --update-order seed --hidden-std 0.7071 --output-std 0.8165
  xorlab explain --seed 1 --hidden 4,4 --activation relu --json`,
    )
    .action((options: ExplainOptions) => runExplain(options));
}

function runExplain(options: ExplainOptions): void {
  const config = configWithInitWeights(options);
  const epoch = parseNumber('--epoch', options.epoch, { integer: true, min: 0 });
  if (epoch >= config.epochs)
    throw new UsageError(
      `--epoch ${epoch} is past the training: with --epochs ${config.epochs} the epochs are 0 .. ${config.epochs - 1}`,
    );
  const seed = seedFromFlag(options.seed);
  const dataset = loadDataset(config.dataset);
  const shape = shapeFor(config, dataset);
  // Every array is printed: samples x units per layer several times over, and the parameters four times.
  const printed =
    dataset.size * (dataset.inputCount + 6 * shape.sizes.slice(1).reduce((a, b) => a + b, 0)) +
    4 * shape.parameterCount;
  if (printed > MAX_PRINTED_PARAMETERS) {
    throw new UsageError(
      `explain would print ${printed.toLocaleString('en-US')} numbers; at most ${MAX_PRINTED_PARAMETERS.toLocaleString('en-US')} are allowed; use a smaller --hidden or dataset`,
    );
  }
  const initial = initialParameters(options, config, dataset, seed);
  const trainer = new Trainer(config, dataset, initial);
  while (trainer.epoch < epoch && !trainer.diverged) trainer.step();
  if (trainer.diverged) {
    throw new UsageError(
      `the training diverged (NaN or infinite loss) at epoch ${trainer.epoch - 1}, before epoch ${epoch}: there is no epoch ${epoch} to explain (try a smaller --lr or an earlier --epoch)`,
    );
  }
  const trace = traceEpoch(trainer);
  const quantities = epochQuantities(trace, config);
  const usedSeed = options.initWeights !== undefined ? null : seed;
  if (options.json) {
    const document = {
      config,
      seed: usedSeed,
      epoch: trace.epoch,
      updateOrder: trace.updateOrder,
      learningRate: trace.learningRate,
      meanLoss: trace.meanLoss,
      diverged: trace.diverged,
      articleNames: hasArticleNames(config),
      initialParameters: toParameterFile(shape, initial),
      quantities,
    };
    process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    return;
  }
  process.stdout.write(explainText(config, trace, quantities, usedSeed, options.initWeights));
}

/** The epoch as text: a header, then each array under its name and shape, the NumPy line beside it. */
function explainText(
  config: TrainingConfig,
  trace: EpochTrace,
  quantities: EpochQuantity[],
  seed: number | null,
  initWeights: string | undefined,
): string {
  const from = seed === null ? `the parameters in ${initWeights}` : `seed ${seed}`;
  const lines = [
    `Epoch ${trace.epoch} of a ${trace.layers
      .map((l) => l.weights.shape[0])
      .concat(trace.targets.shape[1])
      .join('-')} network on ${config.dataset} ` +
      `(${config.activation} hidden, ${config.outputActivation} output, ${config.loss} loss, ${config.optimizer}), from ${from}`,
    `learning_rate = ${trace.learningRate}; update order ${trace.updateOrder}; the arrays are the reference engine's own`,
    '',
  ];
  for (const q of quantities) {
    // A gradient is named by its expression: the line beside it would repeat it.
    lines.push(`${q.name} (${q.shape.join(', ')})${q.name === q.code ? '' : `    # ${q.code}`}`);
    if (q.note) lines.push(`    # ${q.note}`);
    lines.push(formatNumpyArray(q.rows, INTEGER_KEYS.has(q.key)), '');
  }
  lines.push(`np.mean(loss) = ${trace.meanLoss}`);
  if (trace.diverged)
    lines.push(
      'The loss is not finite: the training diverged at this epoch, so nothing was updated (try a smaller --lr).',
    );
  if (seed !== null) lines.push(`Seed: ${seed} (repeat with --seed ${seed})`);
  return `${lines.join('\n')}\n`;
}
