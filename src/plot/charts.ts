// Ready-made training charts with titles that say what was trained: the weights of one training, its decision
// boundary, and loss curves of several. Pure: core results in, Vega-Lite specs out.
import type { TopLevelSpec } from 'vega-lite';
import type { Dataset, TrainingConfig, TrainingResult } from '../core/index.js';
import { ChartDataError } from './errors.js';
import { short } from '../text/format.js';
import { boundarySpec } from './landscape.js';
import { lossRows, outputGrid, samplePoints, weightRows } from './training.js';
import { lossSpec, weightsSpec } from './trajectories.js';

/** "hidden std 0.05, output std 0.8165, lr 0.1, seed order, seed 1" */
export function describeTraining(config: TrainingConfig, seed: number | null): string {
  const init =
    config.init === 'normal'
      ? `hidden std ${short(config.hiddenStd, 4)}, output std ${short(config.outputStd, 4)}`
      : `init ${config.init}`;
  const net = `${config.dataset}, hidden ${config.hidden.length ? config.hidden.join('x') : 'none'} ${config.activation}`;
  return `${net}, ${init}, lr ${short(config.lr)}, ${config.updateOrder} order${seed === null ? '' : `, seed ${seed}`}`;
}

export function weightsChart(
  config: TrainingConfig,
  dataset: Dataset,
  result: TrainingResult,
  seed: number | null,
): TopLevelSpec {
  // Nothing to draw when no snapshot has a finite loss: the training diverged at its first forward pass, and the
  // only snapshot there may be (the start, kept at the epoch that diverges) holds no trajectory.
  if (result.metrics.diverged && !result.snapshots.some((s) => Number.isFinite(s.loss))) {
    const epoch = result.snapshots.find((s) => !Number.isFinite(s.loss))?.epoch ?? 0;
    throw new ChartDataError(
      `the training diverged at epoch ${epoch}; nothing to draw — try a smaller std or learning rate`,
    );
  }
  if (result.snapshots.length === 0) throw new RangeError('the training recorded no snapshots (snapshotEvery was 0)');
  return weightsSpec({
    rows: weightRows(config, dataset, result.snapshots),
    title: `Weights during training (hidden std ${short(config.hiddenStd, 4)})`,
    subtitle: [describeTraining(config, seed), "w[i][j] connects input i to unit j, b[j] is unit j's bias"],
  });
}

export function boundaryChart(
  config: TrainingConfig,
  dataset: Dataset,
  parameters: Float64Array,
  seed: number | null,
  totalLoss: number | null,
): TopLevelSpec {
  return boundarySpec({
    grid: outputGrid(config, dataset, parameters),
    samples: samplePoints(dataset),
    title: `What the network learned after ${config.epochs.toLocaleString('en-US')} epochs`,
    subtitle: [
      `${describeTraining(config, seed)}${totalLoss === null ? '' : `, total loss ${short(totalLoss, 4)}`}`,
      'network output for every input pair; the white line is where it crosses 0.5',
    ],
  });
}

export interface LabelledTrace {
  label: string;
  result: TrainingResult;
}

export function lossChart(runs: readonly LabelledTrace[], subtitle?: string | string[], title?: string): TopLevelSpec {
  return lossSpec({
    rows: runs.flatMap((r) => lossRows(r.label, r.result.trace)),
    ...(subtitle ? { subtitle } : {}),
    ...(title ? { title } : {}),
  });
}
