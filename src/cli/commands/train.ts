// `xorlab train`: one training with the readable reference engine, printed as the article prints it.
import type { Command } from 'commander';
import { shapeFor, type TrainingConfig, type TrainingResult } from '../../core/index.js';
import { RUN_OPTIONS } from '../../config/index.js';
import { addConfigOptions } from '../config-options.js';
import { addStartingOptions, configWithInitWeights, initialParameters, seedFromFlag } from '../starting-point.js';
import { UsageError, withFlag } from '../errors.js';
import { loadDataset, writeTextFile } from '../files.js';
import { MAX_CHART_POINTS, MAX_TRACE_LINES, checkPrintedParameters, checkRecording } from '../limits.js';
import { parseChoice, parseNumber } from '../parse.js';
import { runTraining } from '../../engine/single.js';
import { weightsChart } from '../../plot/charts.js';
import { formatOf, writeChart } from '../../plot/render.js';
import { quote } from '../../text/quote.js';

interface TrainOptions extends Record<string, unknown> {
  seed?: string;
  initWeights?: string;
  saveWeights?: string;
  plotWeights?: string;
  recordEvery?: string;
  json?: boolean;
  logEvery: string;
  engine: string;
  precision: string;
}

export function registerTrain(program: Command): void {
  const command = program
    .command('train')
    .description(
      "train one network and print its loss every --log-every epochs and its predictions (the article's run)",
    );
  addStartingOptions(addConfigOptions(command))
    .option('--save-weights <file>', 'write the final parameters to this JSON file')
    .option('--log-every <epochs>', 'print the loss every this many epochs', '500')
    .option('--json', 'print one JSON document (config, seed, parameters, trace, metrics) at full precision')
    .option('--plot-weights <file>', 'draw every weight and bias against the epoch into this .svg or .png file')
    .option(
      '--record-every <epochs>',
      'with --plot-weights: record the parameters every this many epochs (default: 10)',
    )
    .option(
      '--engine <name>',
      'fast (WebAssembly SIMD; no loss trace, no --plot-weights) or reference (the readable engine)',
      'reference',
    )
    .option(
      '--precision <p>',
      'with --engine fast: f32 or f64 (the reference engine is always f64)',
      RUN_OPTIONS.precision.default,
    )
    .addHelpText(
      'after',
      `
Parameter files (--init-weights, --save-weights, and the parameters in --json) look like
  {"layers": [{"weights": [[w00, w01], [w10, w11]], "biases": [b0, b1]}, {"weights": [[v0], [v1]], "biases": [c]}]}
where weights[i][j] connects input i of the layer to its unit j (inputs x units).

Examples:
  xorlab train --seed 1
  xorlab train --hidden-std 0.7071 --output-std 0.8165 --update-order seed --json
  xorlab train --dataset parity3 --hidden 4 --activation tanh --optimizer adam --lr 0.01
  xorlab train --hidden-std 0.05 --output-std 0.8165 --update-order seed --seed 2 --plot-weights weights.png`,
    )
    .action((options: TrainOptions) => runTrain(options));
}

async function runTrain(options: TrainOptions): Promise<void> {
  const config = configWithInitWeights(options);
  const logEvery = parseNumber('--log-every', options.logEvery, { integer: true, min: 1 });
  if (options.plotWeights !== undefined && formatOf(options.plotWeights) === null)
    throw new UsageError(`--plot-weights must name a .svg or .png file, got ${quote(options.plotWeights)}`);
  if (options.recordEvery !== undefined && options.plotWeights === undefined)
    throw new UsageError('--record-every needs --plot-weights <file>');
  const recordEvery =
    options.recordEvery === undefined
      ? 10
      : parseNumber('--record-every', options.recordEvery, { integer: true, min: 1 });
  const engine = parseChoice('--engine', options.engine, RUN_OPTIONS.engine.choices);
  const precision = parseChoice('--precision', options.precision, RUN_OPTIONS.precision.choices);
  if (engine === 'fast' && options.plotWeights !== undefined)
    throw new UsageError('--plot-weights needs --engine reference (the fast engine records no parameter history)');
  const seed = seedFromFlag(options.seed);
  const dataset = loadDataset(config.dataset);
  const shape = shapeFor(config, dataset);
  // What is recorded and printed is bounded before training starts (one line instead of a crash at the end).
  if (engine === 'reference')
    checkRecording('--log-every', logEvery, config.epochs, 1, MAX_TRACE_LINES, 'losses to print');
  if (options.plotWeights !== undefined)
    checkRecording(
      '--record-every',
      recordEvery,
      config.epochs,
      shape.parameterCount,
      MAX_CHART_POINTS,
      'points on the chart',
    );
  if (options.json) checkPrintedParameters('--json', shape.parameterCount, 2);
  if (options.saveWeights !== undefined) checkPrintedParameters('--save-weights', shape.parameterCount, 1);

  const initial = initialParameters(options, config, dataset, seed);

  // The same run and document as the library's train(): only `--engine fast` adds an "engine" field to --json.
  const { result, report } = runTraining(config, dataset, initial, options.initWeights !== undefined ? null : seed, {
    engine,
    precision,
    logEvery,
    snapshotEvery: options.plotWeights !== undefined ? recordEvery : 0,
  });
  if (report.engine?.fallbackReason) process.stderr.write(`xorlab: ${report.engine.fallbackReason}\n`);
  if (report.engine && !options.json) {
    const rescued = report.engine.engine === 'fast' && precision === 'f32' && report.engine.precision === 'f64';
    const arithmetic = rescued
      ? 'f64: its values left the f32 range, so it was trained again in f64'
      : report.engine.precision;
    process.stdout.write(
      `Engine: ${report.engine.engine} (${arithmetic}); the loss every --log-every epochs is printed by --engine reference only\n`,
    );
  }
  if (options.plotWeights !== undefined) {
    const chart = weightsChart(config, dataset, result, options.initWeights !== undefined ? null : seed);
    await withFlag('--plot-weights', () => writeChart(chart, options.plotWeights!));
  }
  if (options.saveWeights !== undefined) {
    writeTextFile('--save-weights', options.saveWeights, `${JSON.stringify(report.finalParameters, null, 2)}\n`);
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    process.stdout.write(textReport(config, seed, options.initWeights, result));
  }
}

/** The article's output: the loss every few hundred epochs, then the predictions rounded to 3 decimals. */
function textReport(
  config: TrainingConfig,
  seed: number,
  initWeights: string | undefined,
  result: TrainingResult,
): string {
  const lines = result.trace.map(({ epoch, loss }) => `Epoch ${epoch}, Loss: ${loss.toFixed(4)}`);
  const m = result.metrics;
  if (m.diverged) {
    lines.push(`Diverged: a loss or parameter became NaN or infinite (try a smaller --lr).`);
  } else {
    lines.push('Predicted Output:');
    const rows = m.predictions!.map((row) => `[${row.map((p) => p.toFixed(3)).join(' ')}]`);
    lines.push(rows.map((row, i) => `${i === 0 ? '[' : ' '}${row}${i === rows.length - 1 ? ']' : ''}`).join('\n'));
    lines.push(
      `Total loss: ${m.totalLoss!.toFixed(4)} over ${config.epochs} epochs; final loss: ${m.finalLoss!.toFixed(6)}; ` +
        `learned: ${m.success ? 'yes' : 'no'}; first epoch below ${config.threshold}: ${m.epochsToThreshold ?? 'never'}`,
    );
  }
  lines.push(
    initWeights !== undefined
      ? `Initial parameters from ${initWeights}`
      : `Seed: ${seed} (repeat this run with --seed ${seed})`,
  );
  return `${lines.join('\n')}\n`;
}
