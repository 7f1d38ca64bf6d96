// Trial rows for the store tests.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TrialRow } from '../../src/store/types.js';

export function trial(
  study: string,
  point: number,
  repeat: number,
  totalLoss: number | null,
  extra: Partial<TrialRow> = {},
): TrialRow {
  const diverged = totalLoss === null;
  return {
    study,
    point,
    repeat,
    params: { hiddenStd: [0.5, 1, 2, 4][point % 4] * (1 + Math.floor(point / 4)) },
    seed: point * 1000 + repeat,
    totalLoss,
    finalLoss: diverged ? null : 0.001 * (repeat + 1),
    success: !diverged,
    epochsToThreshold: diverged ? null : 100 + repeat,
    diverged,
    engine: 'fast',
    precision: 'f64',
    ...extra,
  };
}

export function sha1(path: string): string {
  return createHash('sha1').update(readFileSync(path)).digest('hex');
}
