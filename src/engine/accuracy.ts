// Measured accuracy of the kernel's vectorised exp and log1p against Math.exp / Math.log1p (double precision).
import { ensureMemory, lockstepKernel } from './instance.js';
import type { Precision } from './types.js';

interface Accuracy {
  precision: Precision;
  /** Largest |approx - exact| / exact over the range. */
  expMaxRelativeError: number;
  expRange: [number, number];
  log1pMaxRelativeError: number;
  log1pRange: [number, number];
  points: number;
  /**
   * The XOR kernel's own exp (same range) and log1p: in f32 a shorter exp polynomial and log1p without range
   * reduction on [0, 1]; in f64 the same exp with the negation folded in, and a log1p for the four samples'
   * product on [0, 15].
   */
  xor: { expMaxRelativeError: number; log1pMaxRelativeError: number; log1pRange: [number, number] };
}

/** Evaluates exp on an even grid of `points` values over the range the kernel uses, and log1p on (0, 1]. */
export function measureAccuracy(precision: Precision, points = 1 << 16): Accuracy {
  const kernel = lockstepKernel();
  const base = kernel.heapBase();
  ensureMemory(kernel, base + points * 8);
  const limit = precision === 'f32' ? 87.33 : 708.3;
  const expRange: [number, number] = [-limit, limit];
  const log1pRange: [number, number] = [0, 1];
  const values =
    precision === 'f32'
      ? new Float32Array(kernel.memory.buffer, base, points)
      : new Float64Array(kernel.memory.buffer, base, points);
  const worst = (
    exact: (x: number) => number,
    map: (ptr: number, n: number) => void,
    from: number,
    to: number,
    skipZero: boolean,
  ) => {
    for (let k = 0; k < points; k++) values[k] = from + ((to - from) * k) / (points - 1);
    const inputs = Float64Array.from(values); // as rounded to the precision
    map(base, points);
    let max = 0;
    for (let k = 0; k < points; k++) {
      const want = exact(inputs[k]);
      if (skipZero && want === 0) continue;
      max = Math.max(max, Math.abs(values[k] - want) / Math.abs(want));
    }
    return max;
  };
  const f32 = precision === 'f32';
  const xorLog1pRange: [number, number] = f32 ? [0, 1] : [0, 15];
  const xor = {
    expMaxRelativeError: worst(
      Math.exp,
      f32 ? kernel.mapExpXorF32 : kernel.mapExpXorF64,
      expRange[0],
      expRange[1],
      false,
    ),
    log1pMaxRelativeError: worst(
      Math.log1p,
      f32 ? kernel.mapLog1pXorF32 : kernel.mapLog1pWideF64,
      xorLog1pRange[0],
      xorLog1pRange[1],
      true,
    ),
    log1pRange: xorLog1pRange,
  };
  return {
    precision,
    expMaxRelativeError: worst(Math.exp, f32 ? kernel.mapExpF32 : kernel.mapExpF64, expRange[0], expRange[1], false),
    expRange,
    log1pMaxRelativeError: worst(
      Math.log1p,
      f32 ? kernel.mapLog1pF32 : kernel.mapLog1pF64,
      log1pRange[0],
      log1pRange[1],
      true,
    ),
    log1pRange,
    points,
    xor,
  };
}
