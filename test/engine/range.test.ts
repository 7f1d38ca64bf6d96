// The fast engine in its default f32 against the reference engine (f64) over the whole range any study or the report
// uses, and beyond: every hidden activation, both losses, hidden stds 0.05 to 54.6, learning rates 0.1 to 10.
//
// What f32 must not do is change a trial's fate: a network whose weights leave f32's range (3.4e38: an unbounded
// activation at a large init grows them exponentially, and the clipped BCE keeps the loss bounded while they grow)
// was stored as diverged and dropped from every mean. The fast engine now trains such a trial again in f64
// (src/engine/train-many.ts), so no trial the reference carries is diverged in f32.
//
// Where the dynamics are sensitive (a saddle escaped a few epochs earlier or later, a learning rate past the edge of
// stability), f32's rounding and f64's give different trajectories, as any two roundings do (the fast f64 engine and
// the reference differ there too): those trials are compared by the mean over the seeds, paired, within four standard
// errors of the paired difference; elsewhere test/engine/agreement.test.ts holds each network to 2e-3.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACTIVATION_NAMES, builtinDataset } from '../../src/core/index.js';
import { defaultConfig } from '../../src/config/index.js';
import { trainMany } from '../../src/engine/index.js';

const xor = builtinDataset('xor');
const STDS = [0.05, 1, 2, 7.39, 20, 54.6];
const LRS = [0.1, 1, 10];
const SEEDS = Array.from({ length: 16 }, (_, k) => 500 + k);
/** Long enough for ReLU-family weights at std >= 2 to leave f32's range (from ~1,200 epochs at lr 0.1). */
const EPOCHS = 2000;

for (const loss of ['bce', 'mse'] as const) {
  test(`${loss}: f32 (with its f64 retrials) against the reference, every activation x std 0.05-54.6 x lr 0.1-10`, () => {
    let trials = 0;
    let rescued = 0;
    let carriedOnlyByF32 = 0;
    for (const activation of ACTIVATION_NAMES) {
      for (const std of STDS) {
        for (const lr of LRS) {
          const where = `${loss} ${activation} std ${std} lr ${lr}`;
          const config = defaultConfig({
            activation,
            loss,
            hiddenStd: std,
            outputStd: 0.8165,
            lr,
            epochs: EPOCHS,
            updateOrder: 'seed',
            bceClip: 1e-15,
          });
          const reference = trainMany(config, xor, SEEDS, { engine: 'reference', precision: 'f64' });
          const fast = trainMany(config, xor, SEEDS, { engine: 'fast', precision: 'f32' });
          assert.equal(fast.engine, 'fast', where);
          rescued += fast.retriedInF64;
          const differences: number[] = [];
          let sumReference = 0;
          fast.metrics.forEach((f, n) => {
            const r = reference.metrics[n];
            trials++;
            // The defect this file is about: a trial f64 carries is never diverged in f32.
            assert.ok(
              !(f.diverged && !r.diverged),
              `${where}: seed ${SEEDS[n]} diverged in f32 but not in the reference`,
            );
            if (!f.diverged && r.diverged) carriedOnlyByF32++;
            if (f.diverged || r.diverged) return;
            differences.push(f.totalLoss! - r.totalLoss!);
            sumReference += r.totalLoss!;
          });
          if (differences.length < 2) continue;
          const mean = differences.reduce((s, d) => s + d, 0) / differences.length;
          const sd = Math.sqrt(differences.reduce((s, d) => s + (d - mean) ** 2, 0) / (differences.length - 1));
          const bound = 2e-5 * (sumReference / differences.length) + 4 * (sd / Math.sqrt(differences.length));
          assert.ok(
            Math.abs(mean) <= bound,
            `${where}: mean totalLoss f32 - reference ${mean} over ${differences.length} trials, bound ${bound}`,
          );
        }
      }
    }
    // With BCE, f32 overflows in this range (the ReLU family at std >= 2): the retrial path was exercised. (MSE's
    // gradient carries the factor p(1 - p), which stops the weights' runaway: none needed it.)
    if (loss === 'bce') assert.ok(rescued > 0, `${loss}: no trial needed its f64 retrial`);
    // The other way round, a trial f32 carries and f64 does not (GD past the edge of stability, where the rounding
    // decides whether the weights run away): seen once in 6,912 trials while exploring; allowed at 1 in 1,000.
    assert.ok(
      carriedOnlyByF32 <= trials / 1000,
      `${loss}: ${carriedOnlyByF32} of ${trials} trials diverged in the reference only`,
    );
  });
}
