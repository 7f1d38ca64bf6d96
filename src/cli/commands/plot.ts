// `xorlab plot <chart>`: the figures. Study charts (curve, heatmap) read a study's summary from the store;
// training charts (weights, loss, boundary) train on the fly from the training flags, or replay a
// `xorlab train --json` file. `--out file.svg|file.png` renders; `--spec` prints the Vega-Lite spec instead.
import { randomInt } from 'node:crypto';
import { Option, type Command } from 'commander';
import type { TopLevelSpec } from 'vega-lite';
import {
  MAX_SEED,
  describeUnknownKeys,
  unknownKeys,
  fromParameterFile,
  seededInitialParameters,
  shapeFor,
  train,
  type Dataset,
  type TrainingConfig,
  type TrainingResult,
} from '../../core/index.js';
import {
  TrainingConfigSchema,
  defaultConfig,
  describeIssues,
  parameterNamed,
  suggestParameter,
  type TrainingConfigInput,
} from '../../config/index.js';
import { boundaryChart, describeTraining, lossChart, weightsChart, type LabelledTrace } from '../../plot/charts.js';
import { writeChart } from '../../plot/render.js';
import { boundaryUnitsChart, hiddenSpaceChart } from '../../plot/neuron-charts.js';
import { networkChart } from '../../plot/network-diagram.js';
import { short } from '../../text/format.js';
import { studyCurveSpec, studyHeatmapSpec, type DatasetShape } from '../../study/views/charts.js';
import { METRIC_HELP, METRIC_NAMES, type MetricName } from '../../study/analysis/metrics.js';
import { addConfigOptions, configInputFromOptions, validateConfig } from '../config-options.js';
import { addDbOption, withStore } from '../db-option.js';
import { UsageError, withFlag } from '../errors.js';
import { loadDataset, readJsonFile } from '../files.js';
import { parseNumber } from '../parse.js';
import { MAX_CHART_POINTS, checkRecording } from '../limits.js';
import { printable, quote } from '../../text/quote.js';

interface OutputOptions {
  out?: string;
  spec?: boolean;
}

function addOutputOptions(command: Command): Command {
  return command
    .option('--out <file>', 'write the chart to this .svg or .png file')
    .option('--spec', 'print the Vega-Lite spec (JSON) instead of rendering');
}

/** Checks --out/--spec before any work is done. */
function checkOutput(options: OutputOptions): void {
  if (!options.spec && options.out === undefined)
    throw new UsageError('give --out <file.svg|file.png>, or --spec to print the Vega-Lite spec');
  if (options.out !== undefined && !/\.(svg|png)$/i.test(options.out))
    throw new UsageError(`--out must name a .svg or .png file, got ${quote(options.out)}`);
}

async function emit(spec: TopLevelSpec, options: OutputOptions): Promise<void> {
  if (options.spec) process.stdout.write(`${JSON.stringify(spec, null, 2)}\n`);
  if (options.out !== undefined) {
    await withFlag('--out', () => writeChart(spec, options.out!));
    process.stderr.write(`wrote ${options.out}\n`);
  }
}

// ---- trainings ------------------------------------------------------------------------------------------------

interface TrainingFlags extends Record<string, unknown>, OutputOptions {
  seed?: string;
  from?: string[];
  recordEvery?: string;
}

interface PlotTraining {
  config: TrainingConfig;
  dataset: Dataset;
  seed: number | null;
  result: TrainingResult;
}

/** The keys of a `xorlab train --json` document. */
const TRAIN_JSON_KEYS = ['config', 'seed', 'initialParameters', 'finalParameters', 'trace', 'metrics', 'engine'];

/** What a chart records of each training; `check` refuses a recording that would be too large, before training. */
interface Recording {
  snapshotEvery?: number;
  traceEvery?: number;
  check?: (config: TrainingConfig, dataset: Dataset) => void;
}

/** Replays the training of a `xorlab train --json` file: its config from its initial parameters. */
function trainingFromFile(path: string, options: Recording): PlotTraining {
  const doc = readJsonFile('--from', path) as { config?: unknown; seed?: unknown; initialParameters?: unknown } | null;
  if (
    typeof doc !== 'object' ||
    doc === null ||
    Array.isArray(doc) ||
    doc.config === undefined ||
    doc.initialParameters === undefined
  ) {
    throw new UsageError(
      `--from: ${path} is not the output of \`xorlab train --json\` (needs "config" and "initialParameters")`,
    );
  }
  const unknown = unknownKeys(doc, TRAIN_JSON_KEYS);
  if (unknown.length) throw new UsageError(`--from: ${path}: ${describeUnknownKeys(unknown, TRAIN_JSON_KEYS)}`);
  const parsed = TrainingConfigSchema.safeParse(doc.config);
  if (!parsed.success)
    throw new UsageError(
      `--from: ${path}: ${describeIssues(parsed.error, (p) => `config.${p.map(String).join('.')}`)}`,
    );
  const config = parsed.data;
  const dataset = loadDataset(config.dataset);
  const initial = withFlag(`--from: ${path}: initialParameters`, () =>
    fromParameterFile(shapeFor(config, dataset), doc.initialParameters),
  );
  const seed = typeof doc.seed === 'number' ? doc.seed : null;
  options.check?.(config, dataset);
  return { config, dataset, seed, result: train(config, dataset, initial, options) };
}

function seedOf(raw: string): number {
  return parseNumber('--seed', raw, { integer: true, min: 0, max: MAX_SEED });
}

/** The seeds of --seed (comma-separated where several are allowed); without it one random seed, as `train` does
 * (the caller prints it with printSeed once the figure is drawn; it is in the figure's subtitle too). */
function seedsOf(raw: string | undefined): { seeds: number[]; random: boolean } {
  if (raw !== undefined) return { seeds: raw.split(',').map((s) => seedOf(s.trim())), random: false };
  return { seeds: [randomInt(0, 2 ** 47)], random: true };
}

/** Says which random seed a figure used, so that it can be drawn again. */
function printSeed(seed: number | null, random: boolean): void {
  if (random && seed !== null) process.stderr.write(`seed: ${seed} (draw this figure again with --seed ${seed})\n`);
}

function trainingFromFlags(input: TrainingConfigInput, seed: number, record: Recording): PlotTraining {
  if (input.init === 'file')
    throw new UsageError('--init file is not available here; replay a saved training with --from <train.json>');
  const config = validateConfig(input);
  const dataset = loadDataset(config.dataset);
  record.check?.(config, dataset);
  return {
    config,
    dataset,
    seed,
    result: train(config, dataset, seededInitialParameters(config, dataset, seed), record),
  };
}

function recordEvery(options: TrainingFlags, fallback: number): number {
  return options.recordEvery === undefined
    ? fallback
    : parseNumber('--record-every', options.recordEvery, { integer: true, min: 1 });
}

/** One training: from --from (one file) or from the flags (`random`: its seed was drawn, not given). */
function oneTraining(options: TrainingFlags, record: Recording): PlotTraining & { random: boolean } {
  if (options.from && options.from.length > 1) throw new UsageError('--from takes one file for this chart');
  if (options.from?.length) return { ...trainingFromFile(options.from[0], record), random: false };
  const { seeds, random } = seedsOf(options.seed);
  if (seeds.length > 1) throw new UsageError('--seed takes one seed for this chart');
  return { ...trainingFromFlags(configInputFromOptions(options), seeds[0], record), random };
}

/** A repeatable option's values, in order. */
const collect = (value: string, previous: string[] = []) => [...previous, value];

function addTrainingOptions(command: Command, several: boolean): Command {
  addConfigOptions(command)
    .option(
      '--seed <n>',
      `${several ? 'seed(s) of the initial parameters, comma-separated' : 'seed of the initial parameters'} (default: random, printed and shown in the subtitle)`,
    )
    .option(
      '--from <train.json>',
      'replay the training saved by `xorlab train --json` instead of the training flags' +
        (several ? ' (repeatable)' : ''),
      collect,
    );
  return addOutputOptions(command);
}

// ---- commands -------------------------------------------------------------------------------------------------

export function registerPlot(program: Command): void {
  const plot = program
    .command('plot')
    .description(
      "draw a figure: a study curve or heatmap, or the weights, loss curves, decision boundary (with each hidden unit's line), hidden space or network diagram of a training",
    )
    .addHelpText(
      'after',
      `
Examples:
  xorlab plot curve article --db xorlab.db --out curve.png
  xorlab plot heatmap landscape --out landscape.svg
  xorlab plot weights --hidden-std 0.05 --output-std 0.8165 --update-order seed --seed 1 --out weights.png
  xorlab plot loss --vary hiddenStd=0.05,0.7071,10 --update-order seed --out loss.png
  xorlab plot boundary --from run.json --out boundary.png     (run.json from \`xorlab train --json\`)
  xorlab plot boundary --units --seed 1 --out units.png       (each hidden neuron's line and its own output)
  xorlab plot hidden-space --seed 1 --out hidden.png          (where the hidden layer sends the samples)
  xorlab plot hidden-space --hidden 4 --units 1,3 --seed 1 --out hidden.png
  xorlab plot network --hidden 4,4 --seed 1 --out network.svg`,
    );

  const curve = plot
    .command('curve <study>')
    .description(
      "a metric (mean total loss by default) against a swept parameter with error bars, the init rule for the study's layer shape (Xavier/Glorot, or He for the ReLU family) and the fitted minimum with its interval beside the lowest grid mean; a line per category of another swept parameter",
    );
  addDbOption(curve)
    .option('--param <name>', 'the swept parameter for the x-axis (default: the only numeric one)')
    .option(
      '--at <name=value>',
      'hold another swept parameter at one value (numbers: the nearest grid value); repeatable',
      collect,
    )
    .option('--facet <name>', 'one panel per value of another swept parameter')
    .option(
      '--series <name>',
      'one line per value of another swept parameter (default: the one categorical parameter left)',
    )
    .addOption(
      new Option('--metric <name>', `what to draw: ${METRIC_HELP}`).choices([...METRIC_NAMES]).default('totalLoss'),
    );
  addOutputOptions(curve).action(
    async (
      study: string,
      options: OutputOptions & {
        db?: string;
        param?: string;
        at?: string[];
        facet?: string;
        series?: string;
        metric: MetricName;
      },
    ) => {
      checkOutput(options);
      const at = atValues(options.at);
      const spec = await withStore(options, (store) =>
        studyCurveSpec(store, study, {
          param: options.param,
          at,
          facet: options.facet,
          series: options.series,
          metric: options.metric,
          datasetShape,
          onWarning: (line) => process.stderr.write(`xorlab: warning: ${printable(line)}\n`),
        }),
      );
      await emit(spec, options);
    },
  );

  const heatmap = plot
    .command('heatmap <study>')
    .description('the loss landscape of a study that sweeps two parameters');
  addDbOption(heatmap);
  addOutputOptions(heatmap).action(async (study: string, options: OutputOptions & { db?: string }) => {
    checkOutput(options);
    const spec = await withStore(options, (store) => studyHeatmapSpec(store, study));
    await emit(spec, options);
  });

  const weights = plot
    .command('weights')
    .description(
      "every weight and bias against the epoch for one training (the article's std 0.05 and std 10 pictures)",
    );
  addTrainingOptions(weights, false).option(
    '--record-every <epochs>',
    'record the parameters every this many epochs (default: 10)',
  );
  weights.action(async (options: TrainingFlags) => {
    checkOutput(options);
    const every = recordEvery(options, 10);
    const t = oneTraining(options, {
      snapshotEvery: every,
      check: (config, dataset) =>
        checkRecording(
          '--record-every',
          every,
          config.epochs,
          shapeFor(config, dataset).parameterCount,
          MAX_CHART_POINTS,
          'points on the chart',
        ),
    });
    await emit(weightsChart(t.config, t.dataset, t.result, t.seed), options);
    printSeed(t.seed, t.random);
  });

  const boundary = plot
    .command('boundary')
    .description(
      "a trained network's output over the input square, with the four XOR points; --units adds each hidden unit's line and its own output",
    );
  addTrainingOptions(boundary, false).option(
    '--units',
    "draw each first-layer hidden unit's line w.x + b = 0 (labelled on the side where its output is above 0.5) and a panel per unit with its own output",
  );
  boundary.action(async (options: TrainingFlags & { units?: boolean }) => {
    checkOutput(options);
    const t = trainedNetwork(options);
    if (options.units && t.config.hidden.length === 0)
      throw new UsageError('--units needs a hidden layer; this network has none (--hidden 2)');
    const draw = options.units ? boundaryUnitsChart : boundaryChart;
    await emit(draw(t.config, t.dataset, t.result.finalParameters, t.seed, t.result.metrics.totalLoss), options);
    printSeed(t.seed, t.random);
  });

  const hidden = plot
    .command('hidden-space')
    .description(
      "the samples where the hidden layer sends them (h1, h2), over the network's output there, with the output neuron's line",
    );
  addTrainingOptions(hidden, false).option(
    '--units <i,j>',
    'with more than two units in the last hidden layer: the two to draw, 1-based (default: 1,2)',
  );
  hidden.action(async (options: TrainingFlags & { units?: string }) => {
    checkOutput(options);
    const t = oneTraining(options, {});
    const layers = t.config.hidden;
    if (layers.length === 0)
      throw new UsageError('a hidden space needs a hidden layer; this network has none (--hidden 2)');
    const count = layers[layers.length - 1];
    if (count < 2) throw new UsageError(`a hidden space needs two units in the last hidden layer; it has ${count}`);
    const pair = unitPair(options.units, count);
    if (t.result.metrics.diverged)
      throw new UsageError(
        'the training diverged (NaN or infinite loss); there is no network to draw (try a smaller --lr)',
      );
    await emit(hiddenSpaceChart(t.config, t.dataset, t.result.finalParameters, t.seed, pair), options);
    printSeed(t.seed, t.random);
  });

  const network = plot
    .command('network')
    .description(
      "the network as a diagram: inputs, units and output, each edge coloured by its weight's sign and as wide as its magnitude, each unit's bias",
    );
  addTrainingOptions(network, false);
  network.action(async (options: TrainingFlags) => {
    checkOutput(options);
    const t = oneTraining(options, {});
    if (t.result.metrics.diverged)
      throw new UsageError(
        'the training diverged (NaN or infinite loss); there is no network to draw (try a smaller --lr)',
      );
    await emit(
      networkChart(
        t.config,
        t.dataset,
        t.result.finalParameters,
        t.seed,
        `after ${t.config.epochs.toLocaleString('en-US')} epochs`,
      ),
      options,
    );
    printSeed(t.seed, t.random);
  });

  const loss = plot.command('loss').description('loss curves of one or several trainings (log y-axis)');
  addTrainingOptions(loss, true)
    .option(
      '--vary <key=values>',
      'one training per value of a training parameter, e.g. hiddenStd=0.05,0.7071,10',
      collect,
    )
    .option('--record-every <epochs>', 'record the loss every this many epochs (default: 10)');
  loss.action(async (options: TrainingFlags & { vary?: string[] }) => {
    checkOutput(options);
    const every = recordEvery(options, 10);
    const fromFlags = !options.from?.length || options.vary?.length || options.seed !== undefined;
    const { key, values } = varyValues(options.vary);
    const base = configInputFromOptions(options);
    const { seeds, random } = fromFlags ? seedsOf(options.seed) : { seeds: [], random: false };
    // Every run's losses count towards the chart's points: the runs' epochs are known before any of them trains.
    const runCount = (options.from?.length ?? 0) + values.length * seeds.length;
    const record: Recording = {
      traceEvery: every,
      check: (config) =>
        checkRecording('--record-every', every, config.epochs, runCount, MAX_CHART_POINTS, 'points on the chart'),
    };
    const runs: LabelledTrace[] = [];
    for (const path of options.from ?? []) runs.push({ label: path, result: trainingFromFile(path, record).result });
    let subtitle: string | undefined;
    if (fromFlags) {
      for (const value of values) {
        for (const seed of seeds) {
          const input = key ? { ...base, [key]: value } : base;
          const label = [key ? `${key} ${short(value!, 4)}` : '', seeds.length > 1 || !key ? `seed ${seed}` : '']
            .filter(Boolean)
            .join(', ');
          runs.push({ label, result: trainingFromFlags(input, seed, record).result });
        }
      }
      if (!options.from?.length) {
        const seedText = seeds.length === 1 ? `, seed ${seeds[0]}` : `, seeds ${seeds.join(', ')}`;
        subtitle = `${describeTraining(validateConfig(base), null)}${seedText}${key ? ` (${key} varies)` : ''}; mean loss over the samples`;
      }
    }
    await emit(lossChart(runs, subtitle), options);
    printSeed(seeds[0] ?? null, random);
  });
}

/** One trained two-input network for the input-plane charts (boundary), refused in one line otherwise. */
function trainedNetwork(options: TrainingFlags): PlotTraining & { random: boolean } {
  const t = oneTraining(options, {});
  if (t.dataset.inputCount !== 2)
    throw new UsageError(
      `a decision boundary needs a dataset with 2 inputs; ${t.config.dataset} has ${t.dataset.inputCount}`,
    );
  if (t.result.metrics.diverged)
    throw new UsageError(
      'the training diverged (NaN or infinite loss); there is no network to draw (try a smaller --lr)',
    );
  return t;
}

/** --units i,j of hidden-space: two different 1-based units of the last hidden layer (0-based out). */
function unitPair(raw: string | undefined, count: number): [number, number] {
  if (raw === undefined) return [0, 1];
  const parts = raw.split(',').map((p) => p.trim());
  const allowed = `two different units from 1 to ${count}, e.g. --units 1,${Math.min(3, count)}`;
  if (parts.length !== 2) throw new UsageError(`--units must name ${allowed}, got "${raw}"`);
  const [a, b] = parts.map((p) => parseNumber('--units', p, { integer: true, min: 1, max: count }));
  if (a === b) throw new UsageError(`--units must name ${allowed}, got "${raw}"`);
  return [a - 1, b - 1];
}

/** --at name=value, repeatable. */
function atValues(raw: string[] | undefined): Record<string, string> {
  const at: Record<string, string> = {};
  for (const item of raw ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0 || eq === item.length - 1)
      throw new UsageError(`--at must look like name=value (e.g. --at lr=0.1), got ${quote(item)}`);
    const name = item.slice(0, eq).trim();
    if (name in at) throw new UsageError(`--at ${name} is given twice`);
    at[name] = item.slice(eq + 1).trim();
  }
  return at;
}

/** A study's dataset shape for the init rules: built-in names and readable files; null when it cannot be read. */
const datasetShape: DatasetShape = (name) => {
  try {
    const d = loadDataset(name);
    return { inputs: d.inputCount, outputs: d.outputCount };
  } catch {
    return null;
  }
};

/** --vary key=v1,v2,...: a numeric training parameter and its values. */
function varyValues(raw: string[] | undefined): { key: string | null; values: (number | undefined)[] } {
  if (!raw?.length) return { key: null, values: [undefined] };
  if (raw.length > 1) throw new UsageError('--vary can be given once (one parameter)');
  const match = /^([A-Za-z-]+)=(.+)$/.exec(raw[0]);
  const defaults = defaultConfig() as Record<string, unknown>;
  const numeric = Object.keys(defaults).filter((k) => typeof defaults[k] === 'number');
  // The key as in a study file (hiddenStd) or as its flag (hidden-std).
  const key = match ? parameterNamed(match[1], numeric) : null;
  if (!match || key === null) {
    const typed = match?.[1] ?? raw[0].split('=')[0];
    throw new UsageError(
      `--vary must look like key=v1,v2 with a numeric key${suggestParameter(typed, numeric)} (${numeric.join(', ')}), got ${quote(raw[0])}`,
    );
  }
  return { key, values: match[2].split(',').map((v) => parseNumber('--vary', v.trim())) };
}
