// Which trials to run: the (point, repeat) pairs a study still misses, or the extra repeats refine allocates,
// cut into chunks for the workers.
import type { TrainingConfig } from '../core/index.js';
import type { EngineName } from '../config/index.js';
import type { ChunkTask } from './protocol.js';
import { deriveSeed } from '../core/rng.js';

/** A trial's seed: a function of (root seed, point, repeat) only, so that rerunning, resuming, or running elsewhere
 * or in another grouping gives identical numbers. */
export function trialSeed(rootSeed: number, point: number, repeat: number): number {
  return deriveSeed(rootSeed, point, repeat);
}

/** Trials to run, ordered by (point, repeat). */
export interface TrialPlan {
  points: Int32Array;
  repeats: Int32Array;
}

export function planSize(plan: TrialPlan): number {
  return plan.points.length;
}

/** The pairs (point, repeat) with point < pointCount and repeat < repeats that are not stored yet. */
export function planMissing(pointCount: number, repeats: number, stored: ReadonlyMap<number, ArrayLike<number>>): TrialPlan {
  // Each point's stored repeats, sorted and cut to [0, repeats): a merge walk then finds the gaps.
  const have = (point: number): Int32Array => {
    const r = stored.get(point);
    if (!r || r.length === 0) return new Int32Array(0);
    return Int32Array.from(r).sort().filter((x) => x >= 0 && x < repeats);
  };
  // Two passes (count, then fill) so that millions of trials need no growing arrays.
  const sorted = new Map<number, Int32Array>();
  for (const point of stored.keys()) if (point >= 0 && point < pointCount) sorted.set(point, have(point));
  const none = new Int32Array(0);
  let missing = 0;
  for (let p = 0; p < pointCount; p++) {
    const h = sorted.get(p) ?? none;
    let distinct = 0;
    for (let i = 0; i < h.length; i++) if (i === 0 || h[i] !== h[i - 1]) distinct++;
    missing += repeats - distinct;
  }
  const points = new Int32Array(missing);
  const reps = new Int32Array(missing);
  let k = 0;
  for (let p = 0; p < pointCount; p++) {
    const h = sorted.get(p) ?? none;
    let i = 0;
    for (let r = 0; r < repeats; r++) {
      while (i < h.length && h[i] < r) i++;
      if (i < h.length && h[i] === r) continue;
      points[k] = p;
      reps[k] = r;
      k++;
    }
  }
  return { points, repeats: reps };
}

/** `extra[p]` more repeats at each point p, numbered from `firsts.get(p)` on (the indices Store.reserveRepeats
 * reserved for them). */
export function planAdditional(extra: ArrayLike<number>, firsts: ReadonlyMap<number, number>): TrialPlan {
  let total = 0;
  for (let p = 0; p < extra.length; p++) total += extra[p];
  const points = new Int32Array(total);
  const reps = new Int32Array(total);
  let k = 0;
  for (let p = 0; p < extra.length; p++) {
    if (extra[p] === 0) continue;
    const first = firsts.get(p);
    if (first === undefined) throw new RangeError(`planAdditional: no first repeat index for point ${p}`);
    for (let j = 0; j < extra[p]; j++) {
      points[k] = p;
      reps[k] = first + j;
      k++;
    }
  }
  return { points, repeats: reps };
}

/** Work one chunk should hold: long enough that messaging and a transaction per chunk are noise, short enough
 * that progress moves smoothly and Ctrl-C's grace period (3 s) lets the running chunks finish. */
export const CHUNK_SECONDS = 0.5;

/** Rough seconds per epoch of one 2-2-1 XOR training (9 parameters x 4 samples) on one core: the reference
 * engine ~1.4 us, the fast lockstep engine ~0.04 us (npm run bench, engine section). */
const EPOCH_SECONDS = { reference: 1.4e-6, fast: 0.04e-6 } as const;
const XOR_221_WORK = 9 * 4;

/** Estimated seconds of one training: epochs x (parameters x samples), scaled from the 2-2-1 XOR timings. */
export function trialSeconds(engine: EngineName, epochs: number, parameters: number, samples: number): number {
  return EPOCH_SECONDS[engine] * epochs * Math.max(1, (parameters * samples) / XOR_221_WORK);
}

/** Trials per chunk: about CHUNK_SECONDS of work (at most 4096 trials), and at least 16 chunks per worker. */
export function chooseChunkSize(total: number, workers: number, secondsPerTrial: number): number {
  const byBalance = Math.ceil(total / (Math.max(1, workers) * 16));
  const byTime = Math.min(4096, Math.max(1, Math.floor(CHUNK_SECONDS / Math.max(1e-12, secondsPerTrial) + 1e-9)));
  return Math.max(1, Math.min(byBalance, byTime));
}

/**
 * The plan cut into chunks of `size` trials, with every trial's seed derived from (root, point, repeat) and every
 * point's configuration from `configFor`.
 */
export function* chunksOf(plan: TrialPlan, size: number, rootSeed: number, configFor: (point: number) => TrainingConfig): Generator<ChunkTask> {
  let id = 0;
  for (let start = 0; start < plan.points.length; start += size) {
    const end = Math.min(plan.points.length, start + size);
    const points = plan.points.slice(start, end);
    const repeats = plan.repeats.slice(start, end);
    const seeds = new Float64Array(end - start);
    const configs: Record<number, TrainingConfig> = {};
    for (let k = 0; k < seeds.length; k++) {
      seeds[k] = trialSeed(rootSeed, points[k], repeats[k]);
      configs[points[k]] ??= configFor(points[k]);
    }
    yield { id: id++, points, repeats, seeds, configs };
  }
}
