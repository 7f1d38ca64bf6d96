// The small stored studies that `summarizeStudy` (test/study/analysis/summary.test.ts) and `xorlab summary`
// (test/cli/summary.test.ts) are checked on: real SQLite files, numbers chosen so that every figure can be computed
// by hand.
import { join } from 'node:path';
import { openSqliteStore } from '../../../src/store/index.js';
import type { TrialRow } from '../../../src/store/types.js';
import { tempDir } from '../../helpers/cli.js';

export const STDS = [0.5, Math.SQRT1_2, 1, 2];
const LOSSES = [
  [120, 130, 140],
  [81.5, 91.5, 101.5],
  [90, 100, 110],
  [200, 210, 220],
];

/** Study "article": 4 points x 3 trials, plus one diverged trial at point 3. */
export async function studyDb(): Promise<string> {
  const path = join(tempDir(), 'study.db');
  const store = openSqliteStore(path);
  await store.ensureStudy('article', { sweep: { hiddenStd: STDS }, repeats: 3 });
  const rows: TrialRow[] = LOSSES.flatMap((losses, point) =>
    losses.map((totalLoss, repeat) => ({
      study: 'article',
      point,
      repeat,
      params: { hiddenStd: STDS[point] },
      seed: point * 3 + repeat,
      totalLoss,
      finalLoss: 0.01,
      success: repeat !== 2,
      epochsToThreshold: 1000 * (repeat + 1),
      diverged: false,
      engine: 'fast',
      precision: 'f64',
    })),
  );
  rows.push({
    ...rows[rows.length - 1],
    repeat: 3,
    totalLoss: null,
    finalLoss: null,
    success: false,
    epochsToThreshold: null,
    diverged: true,
  });
  await store.insertTrials(rows);
  await store.close();
  return path;
}

/** Study "two": activation (sigmoid, tanh) x 30 hiddenStd values, 4 trials each, on parabolas in ln std whose minima
 * are at 0.6 (sigmoid) and 0.2 (tanh). */
export async function twoAxisDb(): Promise<string> {
  const path = join(tempDir(), 'two.db');
  const store = openSqliteStore(path);
  const stds = Array.from({ length: 30 }, (_, i) => Math.exp(-3 + (5 * i) / 29));
  await store.ensureStudy('two', { sweep: { activation: ['sigmoid', 'tanh'], hiddenStd: stds }, repeats: 4 });
  const rows: TrialRow[] = [];
  ['sigmoid', 'tanh'].forEach((activation, a) =>
    stds.forEach((std, i) => {
      // The repeats spread +-15 around the parabola.
      const centre = 1000 + 500 * Math.log(std / (a === 0 ? 0.6 : 0.2)) ** 2;
      for (let r = 0; r < 4; r++) {
        rows.push({
          study: 'two',
          point: a * 30 + i,
          repeat: r,
          params: { activation, hiddenStd: std },
          seed: r,
          totalLoss: centre + [-15, -5, 5, 15][r],
          finalLoss: 0.01,
          success: true,
          epochsToThreshold: 10,
          diverged: false,
          engine: 'fast',
          precision: 'f32',
        });
      }
    }),
  );
  await store.insertTrials(rows);
  await store.close();
  return path;
}
