// Bench section "retry": what the f64 retrials of trials that leave f32's range cost on the paper scale's activation
// studies (hidden std exp:-3:2:40, the article's setting otherwise). Each activation's networks are trained in f32
// once by the kernel alone and once through trainManyFrom, which retries the trials f32 cannot carry in f64; the
// ratio of the two times is the cost, beside the share of trials retried.
import { builtinDataset, seededInitialParameters, shapeFor } from '../core/index.js';
import { defaultConfig } from '../config/index.js';
import { trainManyFrom } from '../engine/index.js';
import { trainManyLockstep } from '../engine/lockstep.js';
import { SCALES } from '../article/reproduce.js';
import { articleConfig } from '../article/config.js';
import { parseGrid } from '../study/definition/grid.js';
import { NEXT_ACTIVATIONS } from '../article/next.js';

interface RetryBenchOptions {
  /** Networks per std and activation; default 32. */
  networks?: number;
  /** Epochs per training; default the paper's 10,000. */
  epochs?: number;
}

interface RetryRow {
  activation: string;
  trainings: number;
  retried: number;
  /** ms for the whole activation: the kernel alone in f32, and with the f64 retrials. */
  msF32Alone: number;
  msWithRetries: number;
}

interface RetryBenchResult {
  stds: string;
  epochs: number;
  rows: RetryRow[];
}

export function benchRetry(options: RetryBenchOptions = {}): RetryBenchResult {
  const networks = options.networks ?? 32;
  const epochs = options.epochs ?? 10_000;
  const stds = SCALES.paper.next.activationStds;
  const grid = parseGrid('hiddenStd', stds).values as number[];
  const xor = builtinDataset('xor');
  const rows: RetryRow[] = [];
  for (const activation of NEXT_ACTIVATIONS) {
    let msF32Alone = 0,
      msWithRetries = 0,
      retried = 0;
    for (const std of grid) {
      const config = defaultConfig({ ...articleConfig('seed', epochs), activation, hiddenStd: std });
      const P = shapeFor(config, xor).parameterCount;
      const initial = new Float64Array(networks * P);
      for (let n = 0; n < networks; n++) initial.set(seededInitialParameters(config, xor, 1000 + n), n * P);
      let start = performance.now();
      trainManyLockstep(config, xor, initial, networks, { engine: 'fast', precision: 'f32' });
      msF32Alone += performance.now() - start;
      start = performance.now();
      retried += trainManyFrom(config, xor, initial, networks, { engine: 'fast', precision: 'f32' }).retriedInF64;
      msWithRetries += performance.now() - start;
    }
    rows.push({ activation, trainings: networks * grid.length, retried, msF32Alone, msWithRetries });
  }
  return { stds, epochs, rows };
}

export function formatRetryBench(r: RetryBenchResult): string {
  const lines = [
    `retry: f64 retrials of trials that leave f32's range, paper activation studies (hiddenStd ${r.stds}, ${r.epochs.toLocaleString('en-US')} epochs, one core)`,
  ];
  for (const row of r.rows) {
    const share = ((100 * row.retried) / row.trainings).toFixed(1);
    const change = (row.msWithRetries / row.msF32Alone - 1) * 100;
    const cost = `${change >= 0 ? '+' : '−'}${Math.abs(change).toFixed(0)}%`;
    lines.push(
      `  ${row.activation.padEnd(11)} ${row.retried.toLocaleString('en-US').padStart(5)} of ${row.trainings.toLocaleString('en-US')} retried (${share}%): ` +
        `${(row.msF32Alone / row.trainings).toFixed(3)} ms per training in f32 alone, ${(row.msWithRetries / row.trainings).toFixed(3)} with the retrials (${cost})`,
    );
  }
  return lines.join('\n');
}
