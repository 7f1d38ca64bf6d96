// Seeded randomness. Every random draw in xorlab comes from an Rng that is passed in; nothing reads Math.random.
// The generator is xoroshiro128+ (pure-rand); its 128-bit state is filled from the seed by a hash so that
// neighbouring seeds (0, 1, 2, ...) give unrelated streams.
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';

/** Largest seed accepted: seeds are non-negative integers that a double holds exactly. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

/** murmur3's 32-bit finaliser: a bijective mix of one word. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Splits a seed (0 <= seed <= 2^53-1) into its low and high 32-bit words. */
function seedWords(seed: number): [number, number] {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`seed must be an integer between 0 and ${MAX_SEED}, got ${seed}`);
  }
  return [seed >>> 0, Math.floor(seed / 0x1_0000_0000) >>> 0];
}

/**
 * Derives a child seed from a root seed and a path of small non-negative integers, e.g. (root, point, repeat).
 * The result depends only on its arguments, so a trial gets the same seed on any machine and in any order.
 */
export function deriveSeed(root: number, ...path: number[]): number {
  let [lo, hi] = seedWords(root);
  for (const part of path) {
    const [plo, phi] = seedWords(part);
    lo = fmix32((lo ^ fmix32(plo + 0x9e3779b9)) + Math.imul(hi, 0x27d4eb2f));
    hi = fmix32((hi ^ fmix32(phi + 0x7f4a7c15)) + Math.imul(lo, 0x165667b1));
  }
  // 21 high bits + 32 low bits = a safe integer.
  return (hi & 0x1fffff) * 0x1_0000_0000 + (lo >>> 0);
}

export class Rng {
  private readonly generator;

  constructor(readonly seed: number) {
    const [lo, hi] = seedWords(seed);
    const s0 = fmix32(lo ^ 0x243f6a88);
    const s1 = fmix32(hi ^ 0x85a308d3 ^ s0);
    const s2 = fmix32(lo ^ 0x13198a2e ^ s1);
    const s3 = fmix32(hi ^ 0x03707344 ^ s2);
    // An all-zero state would be stuck at zero; fmix32 of these constants cannot give four zeros in practice,
    // but guard anyway.
    this.generator = xoroshiro128plusFromState([s0 | 0, s1 | 0, s2 | 0, (s0 | s1 | s2 | s3) === 0 ? 1 : s3 | 0]);
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    return this.generator.next() >>> 0;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  nextDouble(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** A standard normal draw (Box-Muller, one value per call so that the draw order is easy to follow). */
  nextNormal(): number {
    // 1 - u lies in (0, 1], so the logarithm is finite.
    const u = 1 - this.nextDouble();
    const v = this.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
