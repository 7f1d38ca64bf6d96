// Simulated studies for the goal tests, cheap enough for many studies: no training and no per-training values.
// Each run of repeats [from, to) at a point is one block whose mean is drawn directly from N(truth, sigma^2 / n)
// (and whose std is sigma's sample std, drawn through its chi² law); a range of repeats is answered by pooling the
// blocks it covers. The goal's rounds ask for ranges on their own round boundaries, so blocks always align.
import { Rng } from '../../../src/core/index.js';
import { deriveSeed } from '../../../src/core/rng.js';
import { NO_MOMENTS, type MomentsSource, type RangeMoments } from '../../../src/study/goal/moments.js';
import type { GoalNeed, GoalState } from '../../../src/study/goal/rounds.js';

interface Block {
  from: number;
  to: number;
  mean: number;
  m2: number;
}

export class SimulatedMoments implements MomentsSource {
  private readonly blocks = new Map<number, Block[]>();
  private readonly rngs = new Map<number, Rng>();
  trained = 0;

  /** `truth(point)` is the point's mean and per-training std; `rate` (optional) makes values 0/1 successes. */
  constructor(
    private readonly seed: number,
    private readonly truth: (point: number) => { mean: number; sigma: number },
    private readonly bernoulli = false,
  ) {}

  /** Draws the block [from, to) of a point unless it is held. */
  draw(point: number, from: number, to: number): void {
    if (to <= from) return;
    let list = this.blocks.get(point);
    if (!list) this.blocks.set(point, (list = []));
    if (list.some((b) => b.from === from && b.to === to)) return;
    let rng = this.rngs.get(point);
    if (!rng) this.rngs.set(point, (rng = new Rng(deriveSeed(this.seed, point))));
    const n = to - from;
    const { mean, sigma } = this.truth(point);
    let blockMean: number;
    let m2: number;
    if (this.bernoulli) {
      // Successes ~ Binomial(n, mean), by the normal approximation (n is large in these tests) kept in [0, n].
      const k = Math.round(Math.min(n, Math.max(0, n * mean + Math.sqrt(n * mean * (1 - mean)) * rng.nextNormal())));
      blockMean = k / n;
      m2 = k * (1 - blockMean) ** 2 + (n - k) * blockMean ** 2;
    } else {
      blockMean = mean + (sigma / Math.sqrt(n)) * rng.nextNormal();
      // (n - 1) s^2 / sigma^2 ~ chi^2(n - 1), about normal for the n here.
      const dof = Math.max(1, n - 1);
      m2 = sigma * sigma * Math.max(0, dof + Math.sqrt(2 * dof) * rng.nextNormal());
    }
    list.push({ from, to, mean: blockMean, m2 });
    this.trained += n;
  }

  run(need: GoalNeed): void {
    need.points.forEach((p, i) => this.draw(p, need.from[i], need.to[i]));
  }

  moments(point: number, from: number, to: number): RangeMoments {
    const inside = (this.blocks.get(point) ?? []).filter((b) => b.from >= from && b.to <= to);
    const n = inside.reduce((a, b) => a + b.to - b.from, 0);
    if (n === 0) return NO_MOMENTS;
    const mean = inside.reduce((a, b) => a + (b.to - b.from) * b.mean, 0) / n;
    const m2 = inside.reduce((a, b) => a + b.m2 + (b.to - b.from) * (b.mean - mean) ** 2, 0);
    const std = n >= 2 ? Math.sqrt(m2 / (n - 1)) : null;
    return { present: n, n, mean, std, stderr: std === null ? null : std / Math.sqrt(n), sum: mean * n };
  }
}

/** Replays until done, drawing what each step needs. */
export function drive<R>(source: SimulatedMoments, step: () => GoalState<R>): GoalState<R> {
  for (;;) {
    const state = step();
    if (!state.need) return state;
    source.run(state.need);
  }
}

/** A curve shaped like the article's with its minimum exactly at 0.6 (as in test/study/analysis/minimum.test.ts). */
export function articleLike(k: number): (u: number) => number {
  return (u) => {
    const t = u - Math.log(0.6);
    const g = (Math.exp(-k * t) - 1 + k * t) / (k * k);
    return 6000 - 4550 * Math.exp(-g / 2.76);
  };
}
