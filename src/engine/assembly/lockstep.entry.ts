// The lockstep kernel: many networks with one hidden layer trained at once by full-batch gradient descent.
// One network per SIMD lane (4 in f32x4, 2 in f64x2); a "vector" holds one value of 4 (or 2) networks.
// Networks are processed in blocks of B vectors: every step of an epoch runs as a loop over the block's B
// vectors, whose iterations are independent, so the CPU overlaps them instead of waiting on one long chain.
// The JavaScript driver (../lockstep.ts) lays out memory, calls configure() once, train() for each chunk of
// epochs and finish() once.
//
// Memory: byte offsets, 16-byte aligned; one slot = one v128. Per-block arrays are [index][b], b < B.
//   x      N*I        dataset inputs, each value splatted across the lanes
//   y      N          targets, splatted
//   lr     E'         the learning rate of each epoch of the current chunk (scalar T values, not splatted)
//   h, df  N*H*B      hidden activations and their derivatives (then the hidden errors) of the last forward pass
//   d      N*B        output deltas dLoss/dz
//   g      (H+1)*B    output-layer gradients
//   acc    B          loss summed over the samples
//   state  blocks * (P+4)*B: the P parameters in core's flat order (w[i*H+j], b[j], v[j], c), then ok (lane
//          mask: no non-finite loss yet), ett (first epoch below threshold, -1 = none; integer lanes) and the
//          running total loss as two f64x2 (lanes 0-1 and 2-3; f64 uses the first).
//   out    blocks * (N+2)*B: predictions of the final parameters, their mean loss, all-parameters-finite mask.
import {
  vexp, vlog1p, vexpNeg, vlog1pX, vlog1pWideD, kv, setK, initMathConstants, K_ONE, K_TWO, K_SIGN, K_ABS, K_MINUS_TWO, K_INF, K_USER,
  K_FACTOR_LIMIT, K_HIDDEN_LO, K_HIDDEN_E_MAX, K_HIDDEN_CAP_FROM, K_EXP_LO, K_EXP_HI, CLAMP_NONE, CLAMP_UPPER, CLAMP_BOTH,
} from './vmath';

// Configuration constants in the constant table (see vmath.ts), splatted for each precision.
const K_LOWER = K_USER, K_UPPER = K_USER + 1, K_THRESHOLD = K_USER + 2, K_SLOPE = K_USER + 3, K_ALPHA = K_USER + 4, K_COUNT = K_USER + 5;

const SIGMOID = 0, TANH = 1, RELU = 2, LEAKY_RELU = 3, ELU = 4, LINEAR = 5;
const BCE = 0;

// Compile-time tags: every (precision, activation, loss) combination is compiled into its own function with
// no run-time branches on them (idof<A>() == idof<B>() is a constant that the compiler folds).
class Sigmoid {}
class Tanh {}
class Relu {}
class LeakyRelu {}
class Elu {}
class Linear {}
class Bce {}
class Mse {}

@inline function is<A, B>(): bool {
  return idof<A>() == idof<B>();
}

let I: i32 = 2, H: i32 = 2, N: i32 = 4, P: i32 = 9, B: i32 = 1;
let activation: i32 = SIGMOID, loss: i32 = BCE, seedOrder: bool = true;
let leakySlope: f64 = 0.01, eluAlpha: f64 = 1, lossLower: f64 = 0, lossUpper: f64 = Infinity, threshold: f64 = 0.05;
let xPtr: usize = 0, yPtr: usize = 0, lrPtr: usize = 0, hPtr: usize = 0, dfPtr: usize = 0, dPtr: usize = 0, gPtr: usize = 0;
let accPtr: usize = 0, statePtr: usize = 0, outPtr: usize = 0;
let forceGeneral: bool = false;
export function setForceGeneral(v: bool): void { forceGeneral = v; }
/** Which routine the last call ran (3 = XOR, 2 = fused 2-2 x4, 1 = fused 2-2 x2, 0 = general): lets tests check
 * that a configuration takes the fast path meant for it. Written once per call, outside the epoch loops. */
let lastRoutine: i32 = -1;
export function routine(): i32 { return lastRoutine; }
/** Test hook: how many (vector, epoch) steps of the XOR routine took the clamped hidden-layer path since configure(). */
let clampedStepCount: i32 = 0;
export function clampedSteps(): i32 { return clampedStepCount; }
/** Moves the start of the state array, so that the driver can train a few blocks per call. */
export function setStatePointer(ptr: usize): void { statePtr = ptr; }

/** First free byte after the module's static data, 16-byte aligned. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

export function configure(
  inputs: i32, hidden: i32, samples: i32, block: i32,
  act: i32, lossKind: i32, seed: bool,
  slope: f64, alpha: f64, lower: f64, upper: f64, thr: f64,
  x: usize, y: usize, lr: usize, h: usize, df: usize, d: usize, g: usize, acc: usize, state: usize, out: usize,
): void {
  I = inputs; H = hidden; N = samples; B = block; P = inputs * hidden + 2 * hidden + 1;
  clampedStepCount = 0;
  activation = act; loss = lossKind; seedOrder = seed;
  leakySlope = slope; eluAlpha = alpha; lossLower = lower; lossUpper = upper; threshold = thr;
  xPtr = x; yPtr = y; lrPtr = lr; hPtr = h; dfPtr = df; dPtr = d; gPtr = g; accPtr = acc; statePtr = state; outPtr = out;
  initMathConstants();
  setK<f32>(K_LOWER, lower); setK<f64>(K_LOWER, lower);
  setK<f32>(K_UPPER, upper); setK<f64>(K_UPPER, upper);
  setK<f32>(K_THRESHOLD, thr); setK<f64>(K_THRESHOLD, thr);
  setK<f32>(K_SLOPE, slope); setK<f64>(K_SLOPE, slope);
  setK<f32>(K_ALPHA, alpha); setK<f64>(K_ALPHA, alpha);
  setK<f32>(K_COUNT, <f64>samples); setK<f64>(K_COUNT, <f64>samples);
}

@inline function neg<T>(x: v128): v128 {
  return v128.xor(x, kv<T>(K_SIGN));
}

@inline function abs<T>(x: v128): v128 {
  return v128.and(x, kv<T>(K_ABS));
}

@inline function splat<T>(v: f64): v128 {
  return v128.splat<T>(<T>v);
}

@inline function at(base: usize, slot: i32): usize {
  return base + (<usize>slot << 4);
}

/** Hidden unit j for sample s over the block: a = f(z) and f'(z), computed from z and a as core's activations do. */
@inline function hiddenUnit<T, A>(bp: usize, s: i32, j: i32): void {
  const one = kv<T>(K_ONE);
  const zero = splat<T>(0);
  const xs = at(xPtr, s * I);
  const bias = at(bp, (I * H + j) * B);
  const hs = at(hPtr, (s * H + j) * B);
  const dfs = at(dfPtr, (s * H + j) * B);
  for (let b = 0; b < B; b++) {
    let z = v128.load(at(bias, b));
    for (let i = 0; i < I; i++) z = v128.add<T>(z, v128.mul<T>(v128.load(at(xs, i)), v128.load(at(bp, (i * H + j) * B + b))));
    const a = act<T, A>(z);
    v128.store(at(hs, b), a);
    v128.store(at(dfs, b), dact<T, A>(z, a));
  }
}

/** The sigmoid output for sample s over the block: delta, loss (added to acc) and, if predOut, the prediction. */
@inline function outputUnit<T, L>(bp: usize, s: i32, predOut: usize): void {
  const one = kv<T>(K_ONE);
  const zero = splat<T>(0);
  const lower = kv<T>(K_LOWER);
  const upper = kv<T>(K_UPPER);
  const y = v128.load(at(yPtr, s));
  const c = at(bp, (I * H + 2 * H) * B);
  const v = at(bp, (I * H + H) * B);
  const hs = at(hPtr, s * H * B);
  const ds = at(dPtr, s * B);
  for (let b = 0; b < B; b++) {
    let z = v128.load(at(c, b));
    for (let j = 0; j < H; j++) z = v128.add<T>(z, v128.mul<T>(v128.load(at(hs, j * B + b)), v128.load(at(v, j * B + b))));
    // sigmoid(z) from e = exp(-|z|) as core's sigmoid does: 1 / (1 + e) for z >= 0, e / (1 + e) below.
    const e = vexp<T>(neg<T>(abs<T>(z)));
    const r = v128.div<T>(one, v128.add<T>(one, e));
    const a = v128.bitselect(r, v128.mul<T>(e, r), v128.ge<T>(z, zero));
    const diff = v128.sub<T>(a, y);
    let l: v128, d: v128;
    if (is<L, Bce>()) {
      // max(z, 0) - y z + log1p(e^-|z|), clamped to [lower, upper] for bceClip; pmax/pmin keep a NaN.
      l = v128.add<T>(v128.sub<T>(v128.pmax<T>(z, zero), v128.mul<T>(y, z)), vlog1p<T>(e));
      l = v128.pmin<T>(v128.pmax<T>(l, lower), upper);
      d = diff;
    } else {
      l = v128.mul<T>(diff, diff);
      d = v128.mul<T>(v128.mul<T>(kv<T>(K_TWO), diff), v128.mul<T>(a, v128.sub<T>(one, a)));
    }
    v128.store(at(ds, b), d);
    if (predOut) v128.store(at(predOut, s * B + b), a);
    const acc = at(accPtr, b);
    v128.store(acc, s == 0 ? l : v128.add<T>(v128.load(acc), l));
  }
}

/** Forward pass of one block over every sample: h, df, d, the loss sums in acc and, if predOut, predictions. */
@inline function forward<T, A, L>(bp: usize, predOut: usize): void {
  for (let s = 0; s < N; s++) {
    for (let j = 0; j < H; j++) hiddenUnit<T, A>(bp, s, j);
    outputUnit<T, L>(bp, s, predOut);
  }
}

/** v[j] and c (contiguous) -= lr * their gradients. */
@inline function updateOutput<T>(bp: usize, lr: v128): void {
  const v = at(bp, (I * H + H) * B);
  for (let k = 0; k < (H + 1) * B; k++) {
    const p = at(v, k);
    v128.store(p, v128.sub<T>(v128.load(p), v128.mul<T>(lr, v128.load(at(gPtr, k)))));
  }
}

/** One gradient-descent step of one block from the last forward pass, in core's order (Network.backward). */
@inline function backward<T>(bp: usize, lr: v128): void {
  // Output layer: g[j] = sum_s h[s][j] d[s], g[H] = sum_s d[s].
  for (let j = 0; j < H; j++) {
    for (let b = 0; b < B; b++) {
      let g = splat<T>(0);
      for (let s = 0; s < N; s++) g = v128.add<T>(g, v128.mul<T>(v128.load(at(hPtr, (s * H + j) * B + b)), v128.load(at(dPtr, s * B + b))));
      v128.store(at(gPtr, j * B + b), g);
    }
  }
  for (let b = 0; b < B; b++) {
    let g = splat<T>(0);
    for (let s = 0; s < N; s++) g = v128.add<T>(g, v128.load(at(dPtr, s * B + b)));
    v128.store(at(gPtr, H * B + b), g);
  }
  // In seed order the hidden errors see the updated output weights.
  if (seedOrder) updateOutput<T>(bp, lr);
  const v = at(bp, (I * H + H) * B);
  for (let s = 0; s < N; s++) {
    for (let j = 0; j < H; j++) {
      const e = at(dfPtr, (s * H + j) * B);
      for (let b = 0; b < B; b++) {
        const p = at(e, b);
        v128.store(p, v128.mul<T>(v128.mul<T>(v128.load(at(v, j * B + b)), v128.load(at(dPtr, s * B + b))), v128.load(p)));
      }
    }
  }
  if (!seedOrder) updateOutput<T>(bp, lr);
  // Hidden layer: w[i][j] -= lr sum_s x[s][i] e[s][j]; b[j] -= lr sum_s e[s][j].
  for (let j = 0; j < H; j++) {
    for (let i = 0; i < I; i++) {
      const w = at(bp, (i * H + j) * B);
      for (let b = 0; b < B; b++) {
        let g = splat<T>(0);
        for (let s = 0; s < N; s++) g = v128.add<T>(g, v128.mul<T>(v128.load(at(xPtr, s * I + i)), v128.load(at(dfPtr, (s * H + j) * B + b))));
        const p = at(w, b);
        v128.store(p, v128.sub<T>(v128.load(p), v128.mul<T>(lr, g)));
      }
    }
    const bias = at(bp, (I * H + j) * B);
    for (let b = 0; b < B; b++) {
      let g = splat<T>(0);
      for (let s = 0; s < N; s++) g = v128.add<T>(g, v128.load(at(dfPtr, (s * H + j) * B + b)));
      const p = at(bias, b);
      v128.store(p, v128.sub<T>(v128.load(p), v128.mul<T>(lr, g)));
    }
  }
}

/** Integer lanes matching T's lanes: i32x4 for f32, i64x2 for f64. */
@inline function splatInt<T>(v: i32): v128 {
  if (sizeof<T>() == 4) return i32x4.splat(v);
  return i64x2.splat(<i64>v);
}

@inline function eqInt<T>(a: v128, b: v128): v128 {
  if (sizeof<T>() == 4) return i32x4.eq(a, b);
  return i64x2.eq(a, b);
}

/** After a forward pass: the mean loss of each network, its running total (f64), ok and first epoch below threshold. */
/** record() for vector b of a block, given its mean loss. */
@inline function recordOne<T>(bp: usize, b: i32, mean: v128, epoch: i32): void {
  const okPtr = at(bp, P * B + b), ettPtr = at(bp, (P + 1) * B + b), t0Ptr = at(bp, (P + 2) * B + b), t1Ptr = at(bp, (P + 3) * B + b);
  const ok = v128.and(v128.load(okPtr), v128.lt<T>(mean, kv<T>(K_INF)));
  v128.store(okPtr, ok);
  const ett = v128.load(ettPtr);
  const below = v128.and(v128.and(v128.lt<T>(mean, kv<T>(K_THRESHOLD)), ok), eqInt<T>(ett, splatInt<T>(-1)));
  v128.store(ettPtr, v128.bitselect(splatInt<T>(epoch), ett, below));
  if (sizeof<T>() == 4) {
    v128.store(t0Ptr, f64x2.add(v128.load(t0Ptr), f64x2.promote_low_f32x4(mean)));
    v128.store(t1Ptr, f64x2.add(v128.load(t1Ptr), f64x2.promote_low_f32x4(v128.shuffle<f32>(mean, mean, 2, 3, 0, 1))));
  } else {
    v128.store(t0Ptr, f64x2.add(v128.load(t0Ptr), mean));
  }
}

@inline function record<T>(bp: usize, epoch: i32): void {
  const count = kv<T>(K_COUNT);
  for (let b = 0; b < B; b++) recordOne<T>(bp, b, v128.div<T>(v128.load(at(accPtr, b)), count), epoch);
}

/** f(z) of a hidden activation, as core's activations.ts. */
@inline function act<T, A>(z: v128): v128 {
  const one = kv<T>(K_ONE);
  const zero = splat<T>(0);
  if (is<A, Sigmoid>()) {
    // f32: z >= -40, as in hiddenXor: a saturated unit's a ~ 1e-38 made the backward products subnormal (slow).
    const zs = sizeof<T>() == 4 ? v128.pmax<T>(z, kv<T>(K_HIDDEN_LO)) : z;
    return v128.div<T>(one, v128.add<T>(one, vexp<T>(neg<T>(zs))));
  }
  if (is<A, Tanh>()) {
    // tanh |z| = (1 - e) / (1 + e), e = exp(-2|z|); the sign bit is copied back from z.
    const e = vexp<T>(v128.mul<T>(abs<T>(z), kv<T>(K_MINUS_TWO)));
    return v128.or(v128.div<T>(v128.sub<T>(one, e), v128.add<T>(one, e)), v128.and(z, kv<T>(K_SIGN)));
  }
  if (is<A, Relu>()) return v128.and(z, v128.gt<T>(z, zero));
  if (is<A, LeakyRelu>()) return v128.bitselect(z, v128.mul<T>(z, kv<T>(K_SLOPE)), v128.gt<T>(z, zero));
  if (is<A, Elu>()) {
    const em1 = v128.sub<T>(vexp<T>(v128.pmin<T>(z, zero)), one);
    return v128.bitselect(z, v128.mul<T>(kv<T>(K_ALPHA), em1), v128.gt<T>(z, zero));
  }
  return z;
}

/** f'(z) given z and a = f(z), as core's activations.ts. */
@inline function dact<T, A>(z: v128, a: v128): v128 {
  const one = kv<T>(K_ONE);
  const zero = splat<T>(0);
  if (is<A, Sigmoid>()) return v128.mul<T>(a, v128.sub<T>(one, a));
  if (is<A, Tanh>()) return v128.sub<T>(one, v128.mul<T>(a, a));
  if (is<A, Relu>()) return v128.and(one, v128.gt<T>(z, zero));
  if (is<A, LeakyRelu>()) return v128.bitselect(one, kv<T>(K_SLOPE), v128.gt<T>(z, zero));
  if (is<A, Elu>()) return v128.bitselect(one, v128.add<T>(a, kv<T>(K_ALPHA)), v128.gt<T>(z, zero));
  return one;
}

/**
 * The study's shape, 2 inputs and 2 hidden units, with the 9 parameters of a vector in registers and one pass
 * per epoch: the gradients are summed while the samples go forward. The hidden gradient
 * sum_s x[s][i] (v[j] d[s]) f'[s][j] is taken as v[j] * sum_s x[s][i] d[s] f'[s][j], so that v[j] may be the
 * already-updated one (seed order) without a second pass; only the rounding differs from core.
 * train22xK handles K samples per iteration, written side by side so that the CPU works on K independent
 * dependency chains at once; N must be a multiple of K. Their text is generated by scripts/gen-train22.mjs, which
 * the build puts in place of the two lines below.
 */
// @generate train22x4

// @generate train22x2

/** exp(-|z|) */
@inline function expNegAbsX<T>(z: v128): v128 {
  return vexpNeg<T>(abs<T>(z), CLAMP_UPPER);
}
@inline function log1pX<T>(e: v128): v128 {
  if (sizeof<T>() == 4) return vlog1pX(e);
  return vlog1p<T>(e);
}

/** Whether the dataset in memory is XOR, samples in the order 00, 01, 10, 11 (the builtin dataset). */
function isXor<T>(): bool {
  if (I != 2 || H != 2 || N != 4) return false;
  // No array literal here: the stub runtime would allocate it at the heap base, where the driver's data lives.
  for (let k = 0; k < 4; k++) {
    if (load<T>(at(xPtr, 2 * k)) != <T>(k >> 1) || load<T>(at(xPtr, 2 * k + 1)) != <T>(k & 1)) return false;
    if (load<T>(at(yPtr, k)) != <T>((k >> 1) ^ (k & 1))) return false;
  }
  return true;
}

/**
 * recordOne for f32 in fewer operations: the first epoch below the threshold is the unsigned minimum of the
 * epochs below it (ett starts at -1, the largest unsigned value), and the ok mask is left alone: a non-finite
 * loss makes the f64 running total non-finite for good, which the driver reads as diverged (and a NaN or
 * infinite loss is never below the threshold).
 */
@inline function recordXor(pb: usize, sb: usize, mean: v128, epoch: v128, thr: v128): void {
  const ettPtr = pb + <usize>(P + 1) * sb, t0Ptr = ettPtr + sb, t1Ptr = t0Ptr + sb;
  v128.store(ettPtr, i32x4.min_u(v128.load(ettPtr), v128.or(v128.not(f32x4.lt(mean, thr)), epoch)));
  v128.store(t0Ptr, f64x2.add(v128.load(t0Ptr), f64x2.promote_low_f32x4(mean)));
  v128.store(t1Ptr, f64x2.add(v128.load(t1Ptr), f64x2.promote_low_f32x4(v128.shuffle<f32>(mean, mean, 2, 3, 0, 1))));
}

/** recordXor for f64 (no unsigned i64 minimum: a select where ett is still -1). */
@inline function recordXorD(pb: usize, sb: usize, mean: v128, epoch: v128): void {
  const ettPtr = pb + <usize>(P + 1) * sb, t0Ptr = ettPtr + sb;
  const ett = v128.load(ettPtr);
  v128.store(ettPtr, v128.bitselect(epoch, ett, v128.and(f64x2.lt(mean, kv<f64>(K_THRESHOLD)), i64x2.eq(ett, i64x2.splat(-1)))));
  v128.store(t0Ptr, f64x2.add(v128.load(t0Ptr), mean));
}

/** p -= u g, in memory (g already holds the learning rate). */
@inline function updateAt<T>(p: usize, u: v128, g: v128): void {
  v128.store(p, v128.sub<T>(v128.load(p), v128.mul<T>(u, g)));
}

/** Records the mean loss of the vector at pb for `epoch` from its pending loss inputs (see trainXor). */
@inline function recordPending<T>(pb: usize, sb: usize, epoch: i32, pending: usize, clipped: bool): void {
  const quarter = splat<T>(0.25);
  const linear = v128.load(at(pending, 0));
  if (clipped) {
    // bceClip: each sample's loss clamped to [lower, upper] (pmax/pmin keep a NaN), as core's clipped BCE.
    const lower = kv<T>(K_LOWER), upper = kv<T>(K_UPPER);
    let l = splat<T>(0);
    for (let s = 0; s < 4; s++) {
      const ls = v128.add<T>(v128.load(at(pending, s)), log1pX<T>(v128.load(at(pending, 4 + s))));
      l = v128.add<T>(l, v128.pmin<T>(v128.pmax<T>(ls, lower), upper));
    }
    const mean = v128.mul<T>(l, quarter);
    if (sizeof<T>() == 4) recordXor(pb, sb, mean, i32x4.splat(epoch), kv<f32>(K_THRESHOLD));
    else recordXorD(pb, sb, mean, i64x2.splat(<i64>epoch));
  } else if (sizeof<T>() == 4) {
    const l = v128.add<T>(v128.add<T>(v128.add<T>(v128.add<T>(linear, log1pX<T>(v128.load(at(pending, 1)))),
      log1pX<T>(v128.load(at(pending, 2)))), log1pX<T>(v128.load(at(pending, 3)))), log1pX<T>(v128.load(at(pending, 4))));
    recordXor(pb, sb, v128.mul<T>(l, quarter), i32x4.splat(epoch), kv<f32>(K_THRESHOLD));
  } else {
    recordXorD(pb, sb, v128.mul<T>(v128.add<T>(linear, vlog1pWideD(v128.load(at(pending, 1)))), quarter), i64x2.splat(<i64>epoch));
  }
}

/** A hidden unit's z on the clamped path: [-40, 87.3] in f32 (see hiddenXor), [-708.4, 708.4] in f64. */
@inline function clampHidden<T>(z: v128): v128 {
  return v128.pmin<T>(v128.pmax<T>(z, kv<T>(sizeof<T>() == 4 ? K_HIDDEN_LO : K_EXP_LO)), kv<T>(K_EXP_HI));
}

/** The product path's cap on a hidden exp(-z) in f32, E <= e^40 (see hiddenXor); f64 has none. */
@inline function capHidden<T>(e: v128): v128 {
  return sizeof<T>() == 4 ? v128.pmin<T>(e, kv<T>(K_HIDDEN_E_MAX)) : e;
}

/**
 * The XOR kernel's hidden layer for the vector whose parameters start at pb: h of sample s, unit j to slot 2s + j
 * at out.
 */
@inline function hiddenXor<T>(pb: usize, sb: usize, out: usize): void {
  const one = kv<T>(K_ONE);
  const w00 = v128.load(pb + 0 * sb), w01 = v128.load(pb + 1 * sb);
  const w10 = v128.load(pb + 2 * sb), w11 = v128.load(pb + 3 * sb);
  const b0 = v128.load(pb + 4 * sb), b1 = v128.load(pb + 5 * sb);
  // Hidden unit j, sample s: h = 1 / (1 + E) with E = exp(-z), z = b, b + w1j, b + w0j, b + w0j + w1j for
  // samples 00, 01, 10, 11. exp(-(b + w)) = exp(-b) exp(-w) gives the four E of a unit from three exps, as
  // long as no product can leave the normal range: |b| + |w0j| + |w1j| <= 86 (f32) / 700 (f64) for both units of
  // the lane, which also makes the exps' clamps unnecessary. Otherwise (large weights) each E of the lane is its own
  // clamped exp.
  // f32 also caps E at e^40 (z >= -40), so h >= 4e-18: a saturated unit's h ~ e^-86 made the backward products
  // h m and h (1 - h) m subnormal, which x86 computes in slow microcode (no flush-to-zero in WebAssembly); std 54.6
  // trained 1.4x slower. The change to h (< 4.3e-18 absolute) is far below what f32 resolves in z = c + h v and in
  // the parameter updates: results were identical to the bit on 4,096 networks at stds 5 to 200.
  const s0 = v128.add<T>(v128.add<T>(abs<T>(b0), abs<T>(w00)), abs<T>(w10));
  const s1 = v128.add<T>(v128.add<T>(abs<T>(b1), abs<T>(w01)), abs<T>(w11));
  const sMax = v128.pmax<T>(s0, s1);
  // The path is chosen per lane, so that a network's bits never depend on the networks beside it: a vector whose
  // lanes all fit takes the product path, one whose lanes all exceed the clamped path, and in a mixed vector the
  // lanes that exceed get their clamped exps and the others their products, from one set of 8 exps whose arguments
  // are selected per lane.
  const over = v128.gt<T>(sMax, kv<T>(K_FACTOR_LIMIT));
  let E00: v128, E01: v128, E10: v128, E11: v128, E20: v128, E21: v128, E30: v128, E31: v128;
  if (!v128.any_true(over)) {
    E00 = vexpNeg<T>(b0, CLAMP_NONE); E01 = vexpNeg<T>(b1, CLAMP_NONE);
    const X00 = vexpNeg<T>(w00, CLAMP_NONE), X01 = vexpNeg<T>(w01, CLAMP_NONE);
    const X10 = vexpNeg<T>(w10, CLAMP_NONE), X11 = vexpNeg<T>(w11, CLAMP_NONE);
    E10 = v128.mul<T>(E00, X10); E11 = v128.mul<T>(E01, X11);
    E20 = v128.mul<T>(E00, X00); E21 = v128.mul<T>(E01, X01);
    E30 = v128.mul<T>(E20, X10); E31 = v128.mul<T>(E21, X11);
    // The cap, where some lane's |b| + |w0j| + |w1j| exceeds 39: only such a lane's E can exceed e^40 (a lane at 39
    // or below has E <= e^39 (1 + a few ulps) < e^40, which the cap leaves exactly as it is, so that applying it to
    // the whole vector changes no other lane).
    if (sizeof<T>() == 4 && v128.any_true(v128.gt<T>(sMax, kv<T>(K_HIDDEN_CAP_FROM)))) {
      E00 = capHidden<T>(E00); E01 = capHidden<T>(E01); E10 = capHidden<T>(E10); E11 = capHidden<T>(E11);
      E20 = capHidden<T>(E20); E21 = capHidden<T>(E21); E30 = capHidden<T>(E30); E31 = capHidden<T>(E31);
    }
  } else if (sizeof<T>() == 4 ? i32x4.all_true(over) : i64x2.all_true(over)) {
    clampedStepCount++;
    // Every lane exceeds (most vectors at large stds): the clamped exps alone, as the mixed case computes them.
    const z20 = v128.add<T>(b0, w00), z21 = v128.add<T>(b1, w01);
    E00 = vexpNeg<T>(clampHidden<T>(b0), CLAMP_NONE); E01 = vexpNeg<T>(clampHidden<T>(b1), CLAMP_NONE);
    E10 = vexpNeg<T>(clampHidden<T>(v128.add<T>(b0, w10)), CLAMP_NONE); E11 = vexpNeg<T>(clampHidden<T>(v128.add<T>(b1, w11)), CLAMP_NONE);
    E20 = vexpNeg<T>(clampHidden<T>(z20), CLAMP_NONE); E21 = vexpNeg<T>(clampHidden<T>(z21), CLAMP_NONE);
    E30 = vexpNeg<T>(clampHidden<T>(v128.add<T>(z20, w10)), CLAMP_NONE); E31 = vexpNeg<T>(clampHidden<T>(v128.add<T>(z21, w11)), CLAMP_NONE);
  } else {
    clampedStepCount++;
    // z summed in core's order: b + w0j first. A lane that exceeds takes exp(-clamp(z)) for each of its 8 z; a lane
    // that fits takes exp(-b), exp(-w1j), exp(-w0j) for its products (the last two exps are only the clamped lanes').
    const z10 = v128.add<T>(b0, w10), z11 = v128.add<T>(b1, w11);
    const z20 = v128.add<T>(b0, w00), z21 = v128.add<T>(b1, w01);
    const A00 = vexpNeg<T>(v128.bitselect(clampHidden<T>(b0), b0, over), CLAMP_NONE);
    const A01 = vexpNeg<T>(v128.bitselect(clampHidden<T>(b1), b1, over), CLAMP_NONE);
    const A10 = vexpNeg<T>(v128.bitselect(clampHidden<T>(z10), w10, over), CLAMP_NONE);
    const A11 = vexpNeg<T>(v128.bitselect(clampHidden<T>(z11), w11, over), CLAMP_NONE);
    const A20 = vexpNeg<T>(v128.bitselect(clampHidden<T>(z20), w00, over), CLAMP_NONE);
    const A21 = vexpNeg<T>(v128.bitselect(clampHidden<T>(z21), w01, over), CLAMP_NONE);
    const C30 = vexpNeg<T>(clampHidden<T>(v128.add<T>(z20, w10)), CLAMP_NONE);
    const C31 = vexpNeg<T>(clampHidden<T>(v128.add<T>(z21, w11)), CLAMP_NONE);
    // The products as on the product path, capped in f32 (some lane exceeds 86 > 39 here); then the selection. An
    // exceeding lane multiplies by 1 instead: its exps' products could be subnormal, which x86 computes slowly.
    const X10 = v128.bitselect(one, A10, over), X11 = v128.bitselect(one, A11, over);
    const X20 = v128.bitselect(one, A20, over), X21 = v128.bitselect(one, A21, over);
    const P20 = v128.mul<T>(A00, X20), P21 = v128.mul<T>(A01, X21);
    E00 = v128.bitselect(A00, capHidden<T>(A00), over); E01 = v128.bitselect(A01, capHidden<T>(A01), over);
    E10 = v128.bitselect(A10, capHidden<T>(v128.mul<T>(A00, X10)), over);
    E11 = v128.bitselect(A11, capHidden<T>(v128.mul<T>(A01, X11)), over);
    E20 = v128.bitselect(A20, capHidden<T>(P20), over); E21 = v128.bitselect(A21, capHidden<T>(P21), over);
    E30 = v128.bitselect(C30, capHidden<T>(v128.mul<T>(P20, X10)), over);
    E31 = v128.bitselect(C31, capHidden<T>(v128.mul<T>(P21, X11)), over);
  }
  const h00 = v128.div<T>(one, v128.add<T>(one, E00)), h01 = v128.div<T>(one, v128.add<T>(one, E01));
  const h10 = v128.div<T>(one, v128.add<T>(one, E10)), h11 = v128.div<T>(one, v128.add<T>(one, E11));
  const h20 = v128.div<T>(one, v128.add<T>(one, E20)), h21 = v128.div<T>(one, v128.add<T>(one, E21));
  const h30 = v128.div<T>(one, v128.add<T>(one, E30)), h31 = v128.div<T>(one, v128.add<T>(one, E31));
  v128.store(at(out, 0), h00); v128.store(at(out, 1), h01); v128.store(at(out, 2), h10); v128.store(at(out, 3), h11);
  v128.store(at(out, 4), h20); v128.store(at(out, 5), h21); v128.store(at(out, 6), h30); v128.store(at(out, 7), h31);
}

/**
 * The study's exact problem: XOR (inputs 00, 01, 10, 11, targets 0 1 1 0 baked in), 2 hidden sigmoid units,
 * sigmoid output, BCE. As train22x4 otherwise (same state layout and update order), with the zero
 * inputs' products and sums left out (they are exact: x * w is 0 or w), the hidden exps as products (hiddenXor),
 * one exp per output shared by its sigmoid and its BCE term, the learning rate folded into the output deltas,
 * cheaper f32 exp and log1p (vexpNeg, vlog1pX) and one f64 log per vector and epoch (vlog1pWideD).
 * With bceClip each sample's loss is clamped (core's clipped BCE; the gradient is unclipped, as there).
 * Needs B >= 3 (the driver pads blocks to 3 vectors): the h scratch holds two hidden layers (16 of its 8B slots), the
 * df scratch the pending loss inputs (its 8B slots).
 */
function trainXor<T>(blocks: i32, firstEpoch: i32, epochs: i32): void {
  const one = kv<T>(K_ONE);
  const zero = splat<T>(0);
  const stride = (P + 4) * B;
  // Byte distance between a vector's consecutive parameters, in a local: B is a global, which the compiler
  // reloads after every store.
  const sb = <usize>B << 4;
  // Loss inputs of each vector of the block (8 slots: the linear part, then X in f64 or e0..e3 in f32; with a clip
  // each sample's linear part, then e0..e3), turned into losses and recorded in a loop of their own after the
  // epoch's pass over the block.
  const pendingBase = dfPtr;
  const clipped = lossLower > 0 || lossUpper != Infinity;
  for (let k = 0; k < blocks; k++) {
    const bp = at(statePtr, k * stride);
    // Two hidden layers (8 slots each) in the h scratch, used in turn: vectors 0 and 1 first.
    hiddenXor<T>(bp, sb, hPtr);
    hiddenXor<T>(at(bp, 1), sb, at(hPtr, 8));
    let ring = 0;
    for (let e = 0; e < epochs; e++) {
      const lr = v128.splat<T>(load<T>(lrPtr + (<usize>e << alignof<T>())));
      for (let b = 0; b < B; b++) {
        const pb = at(bp, b);
        const pending = at(pendingBase, 8 * b);
        // This vector's hidden layer, computed two iterations ago (or before the loop).
        const hp = at(hPtr, 8 * ring);
        const h00 = v128.load(at(hp, 0)), h01 = v128.load(at(hp, 1)), h10 = v128.load(at(hp, 2)), h11 = v128.load(at(hp, 3));
        const h20 = v128.load(at(hp, 4)), h21 = v128.load(at(hp, 5)), h30 = v128.load(at(hp, 6)), h31 = v128.load(at(hp, 7));
        const v0 = v128.load(pb + 6 * sb), v1 = v128.load(pb + 7 * sb), c = v128.load(pb + 8 * sb);
        // Output: e = exp(-|z|) and r = 1 / (1 + e) give both a = sigmoid(z) and 1 - a without cancellation:
        // a = r max(e, [z >= 0]) and 1 - a = r max(e, [z < 0]) ([.] = 1 or 0; e <= 1). BCE = max(z, 0) - y z + log1p(e).
        // dLoss/dz = a - y, scaled by lr here once instead of in every update: m = lr a for the targets 0 (samples
        // 00, 11) and m = lr (1 - a) = -lr (a - y) for the targets 1 (samples 01, 10), subtracted in the sums below.
        const zo0 = v128.add<T>(v128.add<T>(c, v128.mul<T>(h00, v0)), v128.mul<T>(h01, v1));
        const zo1 = v128.add<T>(v128.add<T>(c, v128.mul<T>(h10, v0)), v128.mul<T>(h11, v1));
        const zo2 = v128.add<T>(v128.add<T>(c, v128.mul<T>(h20, v0)), v128.mul<T>(h21, v1));
        const zo3 = v128.add<T>(v128.add<T>(c, v128.mul<T>(h30, v0)), v128.mul<T>(h31, v1));
        const e0 = expNegAbsX<T>(zo0), e1 = expNegAbsX<T>(zo1);
        const e2 = expNegAbsX<T>(zo2), e3 = expNegAbsX<T>(zo3);
        const r0 = v128.div<T>(lr, v128.add<T>(one, e0)), r1 = v128.div<T>(lr, v128.add<T>(one, e1));
        const r2 = v128.div<T>(lr, v128.add<T>(one, e2)), r3 = v128.div<T>(lr, v128.add<T>(one, e3));
        const m0 = v128.mul<T>(r0, v128.pmax<T>(e0, v128.and(v128.ge<T>(zo0, zero), one)));
        const m1 = v128.mul<T>(r1, v128.pmax<T>(e1, v128.and(v128.lt<T>(zo1, zero), one)));
        const m2 = v128.mul<T>(r2, v128.pmax<T>(e2, v128.and(v128.lt<T>(zo2, zero), one)));
        const m3 = v128.mul<T>(r3, v128.pmax<T>(e3, v128.and(v128.ge<T>(zo3, zero), one)));
        // The loss: BCE = max(z, 0) - y z + log1p(e). Its inputs go to the pending slots; the logs and the record
        // come after the pass over the block.
        const lin0 = v128.pmax<T>(zo0, zero), lin1 = v128.sub<T>(v128.pmax<T>(zo1, zero), zo1);
        const lin2 = v128.sub<T>(v128.pmax<T>(zo2, zero), zo2), lin3 = v128.pmax<T>(zo3, zero);
        if (clipped) {
          // The article's clip: each sample's loss is clamped, so each keeps its own terms.
          v128.store(at(pending, 0), lin0); v128.store(at(pending, 1), lin1); v128.store(at(pending, 2), lin2); v128.store(at(pending, 3), lin3);
          v128.store(at(pending, 4), e0); v128.store(at(pending, 5), e1); v128.store(at(pending, 6), e2); v128.store(at(pending, 7), e3);
        } else {
          v128.store(at(pending, 0), v128.add<T>(v128.add<T>(lin0, lin1), v128.add<T>(lin2, lin3)));
          if (sizeof<T>() == 4) {
            v128.store(at(pending, 1), e0); v128.store(at(pending, 2), e1); v128.store(at(pending, 3), e2); v128.store(at(pending, 4), e3);
          } else {
            // f64: one log for the four samples, sum log1p(e) = log1p(X) with X = (1 + e0)(1 + e1)(1 + e2)(1 + e3) - 1,
            // built as (1 + a)(1 + b) - 1 = a + b + a b, which keeps a small e's relative accuracy.
            const x01 = v128.add<T>(v128.add<T>(e0, e1), v128.mul<T>(e0, e1));
            const x23 = v128.add<T>(v128.add<T>(e2, e3), v128.mul<T>(e2, e3));
            v128.store(at(pending, 1), v128.add<T>(v128.add<T>(x01, x23), v128.mul<T>(x01, x23)));
          }
        }
        const gv0 = v128.add<T>(v128.sub<T>(v128.sub<T>(v128.mul<T>(h00, m0), v128.mul<T>(h10, m1)), v128.mul<T>(h20, m2)), v128.mul<T>(h30, m3));
        const gv1 = v128.add<T>(v128.sub<T>(v128.sub<T>(v128.mul<T>(h01, m0), v128.mul<T>(h11, m1)), v128.mul<T>(h21, m2)), v128.mul<T>(h31, m3));
        const gc = v128.add<T>(v128.sub<T>(v128.sub<T>(m0, m1), m2), m3);
        // Hidden errors before the output weight: m f'(z), f' = h (1 - h) (with the sign of m's target).
        const q00 = v128.mul<T>(m0, v128.mul<T>(h00, v128.sub<T>(one, h00))), q01 = v128.mul<T>(m0, v128.mul<T>(h01, v128.sub<T>(one, h01)));
        const q10 = v128.mul<T>(m1, v128.mul<T>(h10, v128.sub<T>(one, h10))), q11 = v128.mul<T>(m1, v128.mul<T>(h11, v128.sub<T>(one, h11)));
        const q20 = v128.mul<T>(m2, v128.mul<T>(h20, v128.sub<T>(one, h20))), q21 = v128.mul<T>(m2, v128.mul<T>(h21, v128.sub<T>(one, h21)));
        const q30 = v128.mul<T>(m3, v128.mul<T>(h30, v128.sub<T>(one, h30))), q31 = v128.mul<T>(m3, v128.mul<T>(h31, v128.sub<T>(one, h31)));
        // Sums over the samples: x0 is 1 in samples 10, 11; x1 in 01, 11.
        const a00 = v128.sub<T>(q30, q20), a01 = v128.sub<T>(q31, q21);
        const a10 = v128.sub<T>(q30, q10), a11 = v128.sub<T>(q31, q11);
        const ab0 = v128.add<T>(v128.sub<T>(v128.sub<T>(q00, q10), q20), q30);
        const ab1 = v128.add<T>(v128.sub<T>(v128.sub<T>(q01, q11), q21), q31);
        const nv0 = v128.sub<T>(v0, gv0);
        const nv1 = v128.sub<T>(v1, gv1);
        const u0 = seedOrder ? nv0 : v0, u1 = seedOrder ? nv1 : v1;
        // The hidden parameters are read again from memory (after the stores above, so the compiler does not
        // reuse the first loads): holding them across the body would only spill them.
        v128.store(pb + 6 * sb, nv0);
        v128.store(pb + 7 * sb, nv1);
        v128.store(pb + 8 * sb, v128.sub<T>(c, gc));
        updateAt<T>(pb + 0 * sb, u0, a00);
        updateAt<T>(pb + 1 * sb, u1, a01);
        updateAt<T>(pb + 2 * sb, u0, a10);
        updateAt<T>(pb + 3 * sb, u1, a11);
        updateAt<T>(pb + 4 * sb, u0, ab0);
        updateAt<T>(pb + 5 * sb, u1, ab1);
        // Software pipelining: the hidden layer of the vector two places on (in the next epoch after the block's
        // end; B >= 3, so that vector's parameters are final for its epoch) goes to the slot this vector has
        // just read. Nothing in the next iteration depends on it, so the CPU overlaps its exps with that
        // iteration's output pass instead of waiting on one long chain per vector.
        const ahead = b + 2 < B ? b + 2 : b + 2 - B;
        hiddenXor<T>(at(bp, ahead), sb, hp);
        ring ^= 1;
      }
      // The logs apart from the long pass above: this short loop's iterations are independent, so the CPU overlaps
      // them, and the pass above keeps fewer values live.
      for (let b = 0; b < B; b++) recordPending<T>(at(bp, b), sb, firstEpoch + e, at(pendingBase, 8 * b), clipped);
    }
  }
}

function trainBlocks<T, A, L>(blocks: i32, firstEpoch: i32, epochs: i32): void {
  const stride = (P + 4) * B;
  for (let k = 0; k < blocks; k++) {
    const bp = at(statePtr, k * stride);
    for (let e = 0; e < epochs; e++) {
      forward<T, A, L>(bp, 0);
      record<T>(bp, firstEpoch + e);
      backward<T>(bp, v128.splat<T>(load<T>(lrPtr + (<usize>e << alignof<T>()))));
    }
  }
}

/** A forward pass of the final parameters: predictions, mean loss and whether every parameter is finite. */
function finishBlocks<T, A, L>(blocks: i32): void {
  const infinity = kv<T>(K_INF);
  const count = kv<T>(K_COUNT);
  for (let k = 0; k < blocks; k++) {
    const bp = at(statePtr, k * (P + 4) * B);
    const out = at(outPtr, k * (N + 2) * B);
    forward<T, A, L>(bp, out);
    for (let b = 0; b < B; b++) {
      v128.store(at(out, N * B + b), v128.div<T>(v128.load(at(accPtr, b)), count));
      let finite = splatInt<T>(-1);
      for (let p = 0; p < P; p++) finite = v128.and(finite, v128.lt<T>(abs<T>(v128.load(at(bp, p * B + b))), infinity));
      v128.store(at(out, (N + 1) * B + b), finite);
    }
  }
}

/** The kernel for this configuration: 2-2 shapes get the fused one-pass kernel, others the general one. */
@inline function trainWith<T, A, L>(blocks: i32, firstEpoch: i32, epochs: i32): void {
  if (is<A, Sigmoid>() && is<L, Bce>() && !forceGeneral && B >= 3 && isXor<T>()) {
    lastRoutine = 3;
    trainXor<T>(blocks, firstEpoch, epochs);
  } else if (I == 2 && H == 2 && (N & 3) == 0 && !forceGeneral && sizeof<T>() == 4) {
    lastRoutine = 2;
    train22x4<T, A, L>(blocks, firstEpoch, epochs);
  } else if (I == 2 && H == 2 && (N & 1) == 0 && !forceGeneral) {
    lastRoutine = 1;
    train22x2<T, A, L>(blocks, firstEpoch, epochs);
  } else {
    lastRoutine = 0;
    trainBlocks<T, A, L>(blocks, firstEpoch, epochs);
  }
}

@inline function trainLoss<T, A>(blocks: i32, firstEpoch: i32, epochs: i32): void {
  if (loss == BCE) trainWith<T, A, Bce>(blocks, firstEpoch, epochs);
  else trainWith<T, A, Mse>(blocks, firstEpoch, epochs);
}

@inline function train<T>(blocks: i32, firstEpoch: i32, epochs: i32): void {
  switch (activation) {
    case SIGMOID: trainLoss<T, Sigmoid>(blocks, firstEpoch, epochs); break;
    case TANH: trainLoss<T, Tanh>(blocks, firstEpoch, epochs); break;
    case RELU: trainLoss<T, Relu>(blocks, firstEpoch, epochs); break;
    case LEAKY_RELU: trainLoss<T, LeakyRelu>(blocks, firstEpoch, epochs); break;
    case ELU: trainLoss<T, Elu>(blocks, firstEpoch, epochs); break;
    default: trainLoss<T, Linear>(blocks, firstEpoch, epochs); break;
  }
}

@inline function finishLoss<T, A>(blocks: i32): void {
  if (loss == BCE) finishBlocks<T, A, Bce>(blocks);
  else finishBlocks<T, A, Mse>(blocks);
}

@inline function finish<T>(blocks: i32): void {
  switch (activation) {
    case SIGMOID: finishLoss<T, Sigmoid>(blocks); break;
    case TANH: finishLoss<T, Tanh>(blocks); break;
    case RELU: finishLoss<T, Relu>(blocks); break;
    case LEAKY_RELU: finishLoss<T, LeakyRelu>(blocks); break;
    case ELU: finishLoss<T, Elu>(blocks); break;
    default: finishLoss<T, Linear>(blocks); break;
  }
}

export function trainF32(blocks: i32, firstEpoch: i32, epochs: i32): void {
  train<f32>(blocks, firstEpoch, epochs);
}

export function trainF64(blocks: i32, firstEpoch: i32, epochs: i32): void {
  train<f64>(blocks, firstEpoch, epochs);
}

export function finishF32(blocks: i32): void {
  finish<f32>(blocks);
}

export function finishF64(blocks: i32): void {
  finish<f64>(blocks);
}

// For the accuracy tests and the bench: apply the vector functions in place to n values at ptr.
export function mapExpF32(ptr: usize, n: i32): void {
  initMathConstants();
  for (let k = 0; k < n; k += 4) v128.store(ptr + (<usize>k << 2), vexp<f32>(v128.load(ptr + (<usize>k << 2))));
}
export function mapExpF64(ptr: usize, n: i32): void {
  initMathConstants();
  for (let k = 0; k < n; k += 2) v128.store(ptr + (<usize>k << 3), vexp<f64>(v128.load(ptr + (<usize>k << 3))));
}
export function mapLog1pF32(ptr: usize, n: i32): void {
  initMathConstants();
  for (let k = 0; k < n; k += 4) v128.store(ptr + (<usize>k << 2), vlog1p<f32>(v128.load(ptr + (<usize>k << 2))));
}
export function mapLog1pF64(ptr: usize, n: i32): void {
  initMathConstants();
  for (let k = 0; k < n; k += 2) v128.store(ptr + (<usize>k << 3), vlog1p<f64>(v128.load(ptr + (<usize>k << 3))));
}
export function mapExpXorF32(ptr: usize, n: i32): void {
  initMathConstants();
  for (let k = 0; k < n; k += 4) v128.store(ptr + (<usize>k << 2), vexpNeg<f32>(f32x4.neg(v128.load(ptr + (<usize>k << 2))), CLAMP_BOTH));
}
export function mapExpXorF64(ptr: usize, n: i32): void {
  initMathConstants();
  for (let k = 0; k < n; k += 2) v128.store(ptr + (<usize>k << 3), vexpNeg<f64>(f64x2.neg(v128.load(ptr + (<usize>k << 3))), CLAMP_BOTH));
}
export function mapLog1pWideF64(ptr: usize, n: i32): void {
  initMathConstants();
  for (let k = 0; k < n; k += 2) v128.store(ptr + (<usize>k << 3), vlog1pWideD(v128.load(ptr + (<usize>k << 3))));
}
export function mapLog1pXorF32(ptr: usize, n: i32): void {
  initMathConstants();
  for (let k = 0; k < n; k += 4) v128.store(ptr + (<usize>k << 2), vlog1pX(v128.load(ptr + (<usize>k << 2))));
}
