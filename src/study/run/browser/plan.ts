// Which trials to run: the (point, repeat) pairs a study still misses, or the extra repeats refine allocates,
// cut into chunks for the workers. A plan is kept as runs of consecutive repeats at each point, never as a list of
// trials: a study at the 100,000,000-trial cap plans in milliseconds and a few bytes per point, and the chunks'
// arrays (points, repeats, seeds) are made one chunk at a time, as the workers ask for them.
import type { Dataset, TrainingConfig } from '../../../core/index.js';
import { shapeFor } from '../../../core/train.js';
import type { EngineName } from '../../../config/parameters.js';
import { fastEngineSupport } from '../../../engine/support.js';
import type { Study } from '../../definition/types.js';
import type { ChunkTask } from './protocol.js';
import { deriveSeed } from '../../../core/rng.js';
import { BLOCK_REPEATS } from '../../../store/moments.js';

/** A trial's seed: a function of (root seed, point, repeat) only, so that rerunning, resuming, or running elsewhere
 * or in another grouping gives identical numbers. */
export function trialSeed(rootSeed: number, point: number, repeat: number): number {
  return deriveSeed(rootSeed, point, repeat);
}

/** A point's repeat indices as sorted, disjoint, non-adjacent runs [start, end): [s0, e0, s1, e1, ...]. */
type RepeatRuns = Int32Array;

/** Runs of repeats that belong to one plan slice: [point, start, end, point, start, end, ...]. */
type SliceRuns = Int32Array;

/** The runs of a list of repeat indices in any order, duplicates and negative values ignored. */
export function runsOf(repeats: ArrayLike<number>): RepeatRuns {
  const sorted = Int32Array.from(repeats).sort();
  const out: number[] = [];
  for (const r of sorted) {
    if (r < 0) continue;
    if (out.length > 0 && r <= out[out.length - 1]) {
      if (r === out[out.length - 1]) out[out.length - 1] = r + 1;
      continue;
    }
    out.push(r, r + 1);
  }
  return Int32Array.from(out);
}

/** Trials to run, ordered by (point, repeat), as runs [start, end) of consecutive repeats at each point. */
export class TrialPlan {
  private constructor(
    private readonly runPoint: Int32Array,
    private readonly runStart: Int32Array,
    private readonly runEnd: Int32Array,
    /** Runs in the plan. */
    readonly runCount: number,
    /** Trials in the plan. */
    readonly size: number,
  ) {}

  static readonly empty = new TrialPlan(new Int32Array(0), new Int32Array(0), new Int32Array(0), 0, 0);

  /** A plan from runs given in (point, start) order; adjacent runs of a point are merged, empty ones dropped. */
  static build(fill: (add: (point: number, start: number, end: number) => void) => void): TrialPlan {
    let capacity = 1024;
    let points = new Int32Array(capacity);
    let starts = new Int32Array(capacity);
    let ends = new Int32Array(capacity);
    let n = 0;
    let size = 0;
    fill((point, start, end) => {
      if (end <= start) return;
      if (n > 0 && (point < points[n - 1] || (point === points[n - 1] && start < ends[n - 1]))) {
        throw new Error(
          `plan runs out of order: point ${point} repeat ${start} after point ${points[n - 1]} repeat ${ends[n - 1] - 1}`,
        );
      }
      size += end - start;
      if (n > 0 && points[n - 1] === point && ends[n - 1] === start) {
        ends[n - 1] = end;
        return;
      }
      if (n === capacity) {
        capacity *= 2;
        const grow = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
          const b = new Int32Array(capacity);
          b.set(a);
          return b;
        };
        points = grow(points);
        starts = grow(starts);
        ends = grow(ends);
      }
      points[n] = point;
      starts[n] = start;
      ends[n] = end;
      n++;
    });
    return new TrialPlan(points.slice(0, n), starts.slice(0, n), ends.slice(0, n), n, size);
  }

  /** The i-th run: its point and repeats [start, end). */
  run(i: number): { point: number; start: number; end: number } {
    return { point: this.runPoint[i], start: this.runStart[i], end: this.runEnd[i] };
  }

  /** Every (point, repeat) in order: for tests and small plans only (a big plan has millions). */
  *trials(): Generator<[number, number]> {
    for (let i = 0; i < this.runCount; i++)
      for (let r = this.runStart[i]; r < this.runEnd[i]; r++) yield [this.runPoint[i], r];
  }

  /**
   * The plan cut in order into slices of at most `size` trials, each as its runs. A slice that ends inside a run
   * ends on the last multiple of `align` repeats it reaches, if any (the stores' aggregate blocks: a block written
   * by one chunk is not read back to recompute it), so slices may hold a little less than `size`.
   */
  *slices(size: number, align = 1): Generator<SliceRuns> {
    if (!(size >= 1)) throw new Error(`slice size must be >= 1, got ${size}`);
    let run = 0;
    let at = this.runCount > 0 ? this.runStart[0] : 0;
    while (run < this.runCount) {
      const out: number[] = [];
      let room = size;
      while (room > 0 && run < this.runCount) {
        let end = Math.min(this.runEnd[run], at + room);
        // Slices smaller than a block split blocks anyway: no aligning then.
        if (end < this.runEnd[run] && size >= align) {
          const aligned = Math.floor(end / align) * align;
          if (aligned > at) end = aligned;
        }
        out.push(this.runPoint[run], at, end);
        // A cut inside a run ends the slice.
        room = end < this.runEnd[run] ? 0 : room - (end - at);
        at = end;
        if (at === this.runEnd[run]) {
          run++;
          if (run < this.runCount) at = this.runStart[run];
        }
      }
      yield Int32Array.from(out);
    }
  }

  /** This plan without the repeats that `stored` holds (point -> runs). */
  without(stored: ReadonlyMap<number, RepeatRuns>): TrialPlan {
    return TrialPlan.build((add) => {
      for (let i = 0; i < this.runCount; i++)
        gaps(this.runPoint[i], this.runStart[i], this.runEnd[i], stored.get(this.runPoint[i]), add);
    });
  }
}

/** Adds the parts of [lo, hi) at `point` that `runs` does not cover. */
function gaps(
  point: number,
  lo: number,
  hi: number,
  runs: RepeatRuns | undefined,
  add: (point: number, start: number, end: number) => void,
): void {
  let at = lo;
  if (runs) {
    for (let k = 0; k + 1 < runs.length && at < hi; k += 2) {
      const s = runs[k];
      const e = runs[k + 1];
      if (e <= at) continue;
      if (s >= hi) break;
      if (s > at) add(point, at, s);
      at = Math.max(at, e);
    }
  }
  if (at < hi) add(point, at, hi);
}

/** The pairs (point, repeat) with point < pointCount and repeat < repeats that `stored` (point -> runs) lacks. */
export function planMissing(pointCount: number, repeats: number, stored: ReadonlyMap<number, RepeatRuns>): TrialPlan {
  return TrialPlan.build((add) => {
    for (let p = 0; p < pointCount; p++) gaps(p, 0, repeats, stored.get(p), add);
  });
}

/** `extra[p]` more repeats at each point p, numbered after the largest repeat index stored there. */
export function planAdditional(extra: ArrayLike<number>, stored: ReadonlyMap<number, RepeatRuns>): TrialPlan {
  return TrialPlan.build((add) => {
    for (let p = 0; p < extra.length; p++) {
      const runs = stored.get(p);
      const next = runs && runs.length > 0 ? runs[runs.length - 1] : 0;
      add(p, next, next + extra[p]);
    }
  });
}

/** `extra[p]` more repeats at each point p, numbered from `firsts.get(p)` on (the indices Store.reserveRepeats
 * reserved for them). */
export function planReserved(extra: ArrayLike<number>, firsts: ReadonlyMap<number, number>): TrialPlan {
  return TrialPlan.build((add) => {
    for (let p = 0; p < extra.length; p++) {
      if (extra[p] === 0) continue;
      const first = firsts.get(p);
      if (first === undefined) throw new RangeError(`planReserved: no first repeat index for point ${p}`);
      add(p, first, first + extra[p]);
    }
  });
}

/** Work one chunk should hold: long enough that messaging and a transaction per chunk are noise, short enough
 * that progress moves smoothly and Ctrl-C's grace period (3 s) lets the running chunks finish. */
const CHUNK_SECONDS = 0.5;

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

/** One slice of a plan as a worker's task: every trial's seed from (root, point, repeat), every point's
 * configuration from `configFor`. */
export function chunkTask(
  id: number,
  slice: SliceRuns,
  rootSeed: number,
  configFor: (point: number) => TrainingConfig,
): ChunkTask {
  let size = 0;
  for (let k = 0; k < slice.length; k += 3) size += slice[k + 2] - slice[k + 1];
  const points = new Int32Array(size);
  const repeats = new Int32Array(size);
  const seeds = new Float64Array(size);
  const configs: Record<number, TrainingConfig> = {};
  let i = 0;
  for (let k = 0; k < slice.length; k += 3) {
    const point = slice[k];
    configs[point] ??= configFor(point);
    for (let r = slice[k + 1]; r < slice[k + 2]; r++) {
      points[i] = point;
      repeats[i] = r;
      seeds[i] = trialSeed(rootSeed, point, r);
      i++;
    }
  }
  return { id, points, repeats, seeds, configs };
}

/** The plan cut into chunks of at most `size` trials, on block edges where they can (TrialPlan.slices), made one at a
 * time as they are asked for. */
export function* chunksOf(
  plan: TrialPlan,
  size: number,
  rootSeed: number,
  configFor: (point: number) => TrainingConfig,
): Generator<ChunkTask> {
  let id = 0;
  for (const slice of plan.slices(size, BLOCK_REPEATS)) yield chunkTask(id++, slice, rootSeed, configFor);
}

/** Points of the plan whose cost is estimated (evenly spread); a sweep over millions of points needs no more. */
const COST_SAMPLE_POINTS = 256;

/**
 * The estimated seconds of the plan's most expensive training, with the engine that will actually train it:
 * the reference engine when asked for, or where the fast engine does not cover the configuration (optimizers
 * other than gd, several hidden layers, ...).
 */
export function secondsPerTrial(
  study: Pick<Study, 'pointConfig'>,
  plan: TrialPlan,
  datasets: Record<string, Dataset>,
  engine: EngineName,
): number {
  // Runs of one point are few and adjacent: sampling runs evenly samples the points.
  const step = Math.max(1, Math.floor(plan.runCount / COST_SAMPLE_POINTS));
  let worst = 0;
  for (let i = 0; i < plan.runCount; i += step) {
    const config = study.pointConfig(plan.run(i).point);
    const dataset = datasets[config.dataset];
    if (!dataset) continue; // the workers report a missing dataset
    const runs = engine === 'fast' && fastEngineSupport(config, dataset).ok ? 'fast' : 'reference';
    worst = Math.max(worst, trialSeconds(runs, config.epochs, shapeFor(config, dataset).parameterCount, dataset.size));
  }
  return worst;
}
