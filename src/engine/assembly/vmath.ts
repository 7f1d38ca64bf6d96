// Vectorised exp and log1p for f32x4 and f64x2 lanes: range reduction plus a short polynomial, no tables of
// values, no branches, so every lane (every network) follows the same instruction stream.
//
// exp(x) = 2^n * e^r with n = round(x / ln 2) and r = x - n ln 2 (ln 2 split in two for an exact product),
// |r| <= ln(2)/2; 2^n is built directly in the exponent bits. x is clamped to +-708.39 (f64) / +-87.34 (f32) so
// that 2^n stays a normal number: exp is ~2e-308 / ~1e-38 there, already negligible next to 1, and a sigmoid
// 1 / (1 + exp(-z)) stays a normal number too (subnormal results would be slow on x86).
//   f32: Cephes expf's degree-7 polynomial 1 + r + r^2 P(r), P of degree 5.
//   f64: fdlibm's rational form 1 + r + r c / (2 - c), c = r - r^2 P(r^2), P of degree 4 (vexpReducedD): one
//   division in place of a longer polynomial (a degree-11 one was as exact and measurably slower).
//   Both polynomials are evaluated in Estrin's scheme (pairs, then powers of r^2) for a short dependency chain.
// log1p(x) for 0 <= x <= 1 (what BCE needs: log1p(exp(-|z|))): for x > sqrt(2) - 1 use
// log1p(x) = ln 2 + log1p((x - 1) / 2) so the argument f stays in [sqrt(2)/2 - 1, sqrt(2) - 1]; then
// log1p(f) = 2 atanh(s), s = f / (2 + f), evaluated as in fdlibm/musl: f - (hf^2 - s (hf^2 + R(s^2))) with the
// minimax R of fdlibm's log (7 terms, f64) or musl's logf (4 terms, f32). f is never formed as 1 + x - 1, so
// small x keeps its full relative accuracy.
//
// Constants live in a small table in static memory, one v128 per slot, so that each use is a single load
// instead of an immediate rebuilt in a register on every loop iteration.

export const K_ONE = 0, K_TWO = 1, K_HALF = 2, K_SIGN = 3, K_ABS = 4, K_EXP_LO = 5, K_EXP_HI = 6, K_LOG2E = 7;
export const K_MAGIC = 8, K_LN2_HI = 9, K_LN2_LO = 10, K_BIAS = 11, K_SQRT2M1 = 12, K_MINUS_TWO = 13, K_INF = 14;
/** f32 table only: the XOR kernel caps its hidden exp(-z) in vectors where some lane's |b| + |w0| + |w1| > 39. */
export const K_HIDDEN_CAP_FROM = 15;
export const K_EXP_POLY = 16; // up to 12 slots (f32: 6, f64: 5)
export const K_LOG_POLY = 28; // up to 7 slots
/** First slot free for the kernel's own configuration constants. */
export const K_USER = 36;
export const K_SLOTS = 64;
/** The XOR kernel's f32 constants (vexpNeg<f32>, vlog1pX). */
export const K_EXPX_POLY = 48; // 5 slots
export const K_LOGX_POLY = 53; // 5 slots
export const K_MINUS_LOG2E = 58, K_MINUS_LN2_HI = 59, K_MAGIC_BIAS = 60;
/** f64 table only (slots that the f32 table uses for its XOR constants): vlog1pWideD's constants. */
export const K_D_SQRT1_2 = 48, K_D_MANTISSA = 49, K_D_TWO52 = 50;
/** The largest |x| that vexpNeg takes without a clamp (86 / 700): exp(+-x) and 1 + exp(-x) stay normal. */
export const K_FACTOR_LIMIT = 61;
// (the same slots 58-61 of the f64 table hold their f64 values, for vexpNeg<f64>)
/** f32 table only: the lowest hidden sigmoid pre-activation (-40) and the largest exp(-z) = e^40 (see hiddenXor). */
export const K_HIDDEN_LO = 62, K_HIDDEN_E_MAX = 63;

/** vexpNeg: which bounds of the argument to apply. */
export const CLAMP_NONE = 0, CLAMP_UPPER = 1, CLAMP_BOTH = 2;

export const KF32: usize = memory.data(16 * K_SLOTS, 16);
export const KF64: usize = memory.data(16 * K_SLOTS, 16);

@inline export function kv<T>(slot: i32): v128 {
  return v128.load((sizeof<T>() == 4 ? KF32 : KF64) + (<usize>slot << 4));
}

export function setK<T>(slot: i32, value: f64): void {
  v128.store((sizeof<T>() == 4 ? KF32 : KF64) + (<usize>slot << 4), v128.splat<T>(<T>value));
}

function setKBits<T>(slot: i32, bits: i64): void {
  const p = (sizeof<T>() == 4 ? KF32 : KF64) + (<usize>slot << 4);
  v128.store(p, sizeof<T>() == 4 ? i32x4.splat(<i32>bits) : i64x2.splat(bits));
}

const EXP_F32: StaticArray<f64> = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
// fdlibm's exp: e^r = 1 + r + r c / (2 - c), c = r - r^2 P(r^2) on [-ln2/2, ln2/2] (its P1..P5; error below 2^-59).
const EXP_FDLIBM: StaticArray<f64> = [
  1.66666666666666019037e-01, -2.77777777770155933842e-03, 6.61375632143793436117e-05, -1.65339022054652515390e-06,
  4.13813679705723846039e-08,
];
const LOG_F32: StaticArray<f64> = [0.24279078841, 0.28498786688, 0.40000972152, 0.66666662693];
// Minimax (relative error) fits, coefficients highest degree first:
// exp(r) = 1 + r + r^2 P(r) on [-ln2/2, ln2/2], P of degree 4: 3e-9 before f32 rounding;
// log1p(e) = s Q(s^2), s = e / (2 + e), on e in [0, 1] (s^2 <= 1/9), Q of degree 4: 4e-9 before f32 rounding.
const EXPX_F32: StaticArray<f64> = [0.001381461275741458, 0.008368710055947304, 0.04166838899254799, 0.1666652113199234, 0.4999999403953552];
const LOGX_F32: StaticArray<f64> = [0.2817833423614502, 0.27960604429244995, 0.40024909377098083, 0.6666631698608398, 2.0];
const LOG_F64: StaticArray<f64> = [
  1.479819860511658591e-01, 1.531383769920937332e-01, 1.818357216161805012e-01, 2.222219843214978396e-01,
  2.857142874366239149e-01, 3.999999999940941908e-01, 6.666666666666735130e-01,
];

/** Fills both tables' math constants (once, at start-up). */
export function initMathConstants(): void {
  setK<f32>(K_ONE, 1); setK<f64>(K_ONE, 1);
  setK<f32>(K_TWO, 2); setK<f64>(K_TWO, 2);
  setK<f32>(K_HALF, 0.5); setK<f64>(K_HALF, 0.5);
  setK<f32>(K_MINUS_TWO, -2); setK<f64>(K_MINUS_TWO, -2);
  setK<f32>(K_INF, Infinity); setK<f64>(K_INF, Infinity);
  setKBits<f32>(K_SIGN, 0x80000000); setKBits<f64>(K_SIGN, 0x8000000000000000);
  setKBits<f32>(K_ABS, 0x7fffffff); setKBits<f64>(K_ABS, 0x7fffffffffffffff);
  setK<f32>(K_EXP_LO, -87.33654); setK<f64>(K_EXP_LO, -708.39);
  setK<f32>(K_EXP_HI, 87.33654); setK<f64>(K_EXP_HI, 708.39);
  setK<f32>(K_LOG2E, 1.44269504088896341); setK<f64>(K_LOG2E, 1.4426950408889634);
  setK<f32>(K_MAGIC, 12582912.0); setK<f64>(K_MAGIC, 6755399441055744.0); // 1.5 * 2^23, 1.5 * 2^52
  setK<f32>(K_LN2_HI, 0.693359375); setK<f64>(K_LN2_HI, 6.93147180369123816490e-1);
  setK<f32>(K_LN2_LO, -2.12194440e-4); setK<f64>(K_LN2_LO, 1.90821492927058770002e-10);
  setKBits<f32>(K_BIAS, 127); setKBits<f64>(K_BIAS, 1023);
  setK<f32>(K_SQRT2M1, 0.41421356237); setK<f64>(K_SQRT2M1, 0.41421356237309503);
  for (let k = 0; k < 6; k++) setK<f32>(K_EXP_POLY + k, EXP_F32[k]);
  for (let k = 0; k < 5; k++) setK<f64>(K_EXP_POLY + k, EXP_FDLIBM[k]);
  for (let k = 0; k < 4; k++) setK<f32>(K_LOG_POLY + k, LOG_F32[k]);
  for (let k = 0; k < 5; k++) setK<f32>(K_EXPX_POLY + k, EXPX_F32[k]);
  setK<f32>(K_MINUS_LOG2E, -1.44269504088896341); setK<f32>(K_MINUS_LN2_HI, -0.693359375); setK<f32>(K_MAGIC_BIAS, 12582912.0 + 127);
  setK<f64>(K_MINUS_LOG2E, -1.4426950408889634); setK<f64>(K_MINUS_LN2_HI, -6.93147180369123816490e-1); setK<f64>(K_MAGIC_BIAS, 6755399441055744.0 + 1023);
  setK<f32>(K_FACTOR_LIMIT, 86); setK<f64>(K_FACTOR_LIMIT, 700);
  setK<f32>(K_HIDDEN_LO, -40); setK<f32>(K_HIDDEN_E_MAX, 2.3538526683702e17); setK<f32>(K_HIDDEN_CAP_FROM, 39);
  setK<f64>(K_D_SQRT1_2, 0.70710678118654752440); setKBits<f64>(K_D_MANTISSA, 0x000fffffffffffff); setK<f64>(K_D_TWO52, 4503599627370496.0);
  for (let k = 0; k < 5; k++) setK<f32>(K_LOGX_POLY + k, LOGX_F32[k]);
  for (let k = 0; k < 7; k++) setK<f64>(K_LOG_POLY + k, LOG_F64[k]);
}

/** a * b + c */
@inline function madd<T>(a: v128, b: v128, c: v128): v128 {
  return v128.add<T>(v128.mul<T>(a, b), c);
}

/**
 * e^r for |r| <= ln(2)/2 in f64, fdlibm's rational form: 1 + r + r c / (2 - c) with c = r - r^2 P(r^2), P of degree
 * 4 (fdlibm's P1..P5, evaluated in Estrin's scheme).
 */
@inline function vexpReducedD(r: v128, t: v128): v128 {
  const t2 = f64x2.mul(t, t);
  const a = madd<f64>(kv<f64>(K_EXP_POLY + 1), t, kv<f64>(K_EXP_POLY));
  const b = madd<f64>(kv<f64>(K_EXP_POLY + 3), t, kv<f64>(K_EXP_POLY + 2));
  const P = madd<f64>(madd<f64>(kv<f64>(K_EXP_POLY + 4), t2, b), t2, a);
  const c = f64x2.sub(r, f64x2.mul(t, P));
  return f64x2.add(kv<f64>(K_ONE), f64x2.add(r, f64x2.div(f64x2.mul(r, c), f64x2.sub(kv<f64>(K_TWO), c))));
}

@inline export function vexp<T>(x: v128): v128 {
  // pmax/pmin keep a NaN x (x < c is false) and compile to one instruction, unlike the NaN-exact min/max.
  x = v128.pmin<T>(v128.pmax<T>(x, kv<T>(K_EXP_LO)), kv<T>(K_EXP_HI));
  // Adding 1.5 * 2^(mantissa bits) rounds x / ln 2 to an integer n, which then sits in the low mantissa bits.
  const magic = kv<T>(K_MAGIC);
  const shifted = madd<T>(x, kv<T>(K_LOG2E), magic);
  const t = v128.sub<T>(shifted, magic);
  const r = v128.sub<T>(v128.sub<T>(x, v128.mul<T>(t, kv<T>(K_LN2_HI))), v128.mul<T>(t, kv<T>(K_LN2_LO)));
  const r2 = v128.mul<T>(r, r);
  let p: v128;
  if (sizeof<T>() == 4) {
    // P(r) = c0 r^5 + ... + c5 = (c0 r + c1) r^4 + (c2 r + c3) r^2 + (c4 r + c5)
    const a = madd<T>(kv<T>(K_EXP_POLY), r, kv<T>(K_EXP_POLY + 1));
    const b = madd<T>(kv<T>(K_EXP_POLY + 2), r, kv<T>(K_EXP_POLY + 3));
    const c = madd<T>(kv<T>(K_EXP_POLY + 4), r, kv<T>(K_EXP_POLY + 5));
    p = madd<T>(madd<T>(a, r2, b), r2, c);
    p = v128.add<T>(v128.add<T>(v128.mul<T>(p, r2), r), kv<T>(K_ONE));
  } else {
    p = vexpReducedD(r, r2);
  }
  // 2^n: the shift drops the magic number's own bits (their low 9 / 12 bits are zero).
  let scale: v128;
  if (sizeof<T>() == 4) scale = i32x4.shl(i32x4.add(shifted, kv<T>(K_BIAS)), 23);
  else scale = i64x2.shl(i64x2.add(shifted, kv<T>(K_BIAS)), 52);
  return v128.mul<T>(p, scale);
}

@inline export function vlog1p<T>(x: v128): v128 {
  const one = kv<T>(K_ONE);
  const half = kv<T>(K_HALF);
  const high = v128.gt<T>(x, kv<T>(K_SQRT2M1));
  const f = v128.bitselect(v128.mul<T>(v128.sub<T>(x, one), half), x, high);
  const s = v128.div<T>(f, v128.add<T>(f, kv<T>(K_TWO)));
  const z = v128.mul<T>(s, s);
  let R: v128;
  if (sizeof<T>() == 4) {
    const z2 = v128.mul<T>(z, z);
    R = madd<T>(madd<T>(kv<T>(K_LOG_POLY), z, kv<T>(K_LOG_POLY + 1)), z2, madd<T>(kv<T>(K_LOG_POLY + 2), z, kv<T>(K_LOG_POLY + 3)));
  } else {
    const z2 = v128.mul<T>(z, z);
    const a = madd<T>(kv<T>(K_LOG_POLY), z, kv<T>(K_LOG_POLY + 1));
    const b = madd<T>(kv<T>(K_LOG_POLY + 2), z, kv<T>(K_LOG_POLY + 3));
    const c = madd<T>(kv<T>(K_LOG_POLY + 4), z, kv<T>(K_LOG_POLY + 5));
    R = madd<T>(madd<T>(madd<T>(a, z2, b), z2, c), z, kv<T>(K_LOG_POLY + 6));
  }
  R = v128.mul<T>(R, z);
  const hfsq = v128.mul<T>(v128.mul<T>(f, f), half);
  const lg = v128.sub<T>(f, v128.sub<T>(hfsq, v128.mul<T>(s, v128.add<T>(hfsq, R))));
  // ln 2 = hi + lo; adding lo to the small part first keeps the sum accurate.
  return v128.add<T>(v128.add<T>(lg, v128.and(high, kv<T>(K_LN2_LO))), v128.and(high, kv<T>(K_LN2_HI)));
}

/**
 * exp(-x) for the XOR kernel: vexp's range reduction with the negation folded in, and the exponent bias folded into
 * the rounding constant (1.5 * 2^23 + 127, or 1.5 * 2^52 + 1023), so that the rounded value's low bits are n + bias
 * and a shift makes 2^n. `clamp` says which bounds x still needs: CLAMP_BOTH for any x, CLAMP_UPPER when x >= 0 is
 * known, CLAMP_NONE when |x| <= 86 (f32) / 700 (f64) is known (the caller checked).
 * f32: the degree-6 minimax polynomial 1 + r + r^2 P(r) (measured: mapExpXorF32). f64: vexpReducedD, as vexp<f64>,
 * so its results are bit for bit those of vexp<f64>(-x) (a test checks 16,384 points over [-760, 760]).
 */
@inline export function vexpNeg<T>(x: v128, clamp: i32): v128 {
  if (clamp == CLAMP_BOTH) x = v128.pmin<T>(v128.pmax<T>(x, kv<T>(K_EXP_LO)), kv<T>(K_EXP_HI));
  else if (clamp == CLAMP_UPPER) x = v128.pmin<T>(x, kv<T>(K_EXP_HI));
  const magic = kv<T>(K_MAGIC_BIAS);
  const shifted = v128.add<T>(v128.mul<T>(x, kv<T>(K_MINUS_LOG2E)), magic);
  const t = v128.sub<T>(shifted, magic);
  // r = -x - t ln2, with ln2 = hi + lo
  const r = v128.sub<T>(v128.sub<T>(v128.mul<T>(t, kv<T>(K_MINUS_LN2_HI)), x), v128.mul<T>(t, kv<T>(K_LN2_LO)));
  const r2 = v128.mul<T>(r, r);
  if (sizeof<T>() == 8) return f64x2.mul(vexpReducedD(r, r2), i64x2.shl(shifted, 52));
  const a = f32x4.add(f32x4.mul(kv<f32>(K_EXPX_POLY), r), kv<f32>(K_EXPX_POLY + 1));
  const b = f32x4.add(f32x4.mul(kv<f32>(K_EXPX_POLY + 2), r), kv<f32>(K_EXPX_POLY + 3));
  const p = f32x4.add(f32x4.mul(f32x4.add(f32x4.mul(a, r2), b), r), kv<f32>(K_EXPX_POLY + 4));
  const q = f32x4.add(f32x4.add(f32x4.mul(p, r2), r), kv<f32>(K_ONE));
  return f32x4.mul(q, i32x4.shl(shifted, 23));
}

/** log1p(e) for 0 <= e <= 1 in f32: s Q(s^2) with s = e / (2 + e) (log1p = 2 atanh(s)), Q a degree-4 minimax fit. */
@inline export function vlog1pX(e: v128): v128 {
  const s = f32x4.div(e, f32x4.add(e, kv<f32>(K_TWO)));
  const w = f32x4.mul(s, s);
  const w2 = f32x4.mul(w, w);
  const a = f32x4.add(f32x4.mul(kv<f32>(K_LOGX_POLY), w), kv<f32>(K_LOGX_POLY + 1));
  const b = f32x4.add(f32x4.mul(kv<f32>(K_LOGX_POLY + 2), w), kv<f32>(K_LOGX_POLY + 3));
  const q = f32x4.add(f32x4.mul(f32x4.add(f32x4.mul(a, w2), b), w), kv<f32>(K_LOGX_POLY + 4));
  return f32x4.mul(s, q);
}

/**
 * log1p(x) in f64 for any x >= 0 (the XOR kernel takes the log of its four samples' product, x up to 15), as
 * fdlibm's log1p: u = 1 + x = 2^k m with m in [sqrt(2)/2, sqrt(2)) (subtracting the bits of sqrt(2)/2 leaves k in
 * the exponent field), log1p(x) = k ln 2 + log1p(m - 1) + c / u, where c = x - (u - 1) is the rounding error of
 * 1 + x (exact), and log1p(m - 1) = 2 atanh(s) with vlog1p's polynomial. k (0 to 1023) becomes a double by the
 * 2^52 trick: its bits added to those of 2^52 are the double 2^52 + k.
 */
@inline export function vlog1pWideD(x: v128): v128 {
  const one = kv<f64>(K_ONE);
  const u = f64x2.add(one, x);
  const ix = i64x2.sub(u, kv<f64>(K_D_SQRT1_2));
  const k = i64x2.shr_u(ix, 52);
  const f = f64x2.sub(i64x2.add(v128.and(ix, kv<f64>(K_D_MANTISSA)), kv<f64>(K_D_SQRT1_2)), one);
  const kd = f64x2.sub(i64x2.add(k, kv<f64>(K_D_TWO52)), kv<f64>(K_D_TWO52));
  const c = f64x2.div(f64x2.sub(x, f64x2.sub(u, one)), u);
  const s = f64x2.div(f, f64x2.add(f, kv<f64>(K_TWO)));
  const z = f64x2.mul(s, s);
  const z2 = f64x2.mul(z, z);
  const a = madd<f64>(kv<f64>(K_LOG_POLY), z, kv<f64>(K_LOG_POLY + 1));
  const b = madd<f64>(kv<f64>(K_LOG_POLY + 2), z, kv<f64>(K_LOG_POLY + 3));
  const d = madd<f64>(kv<f64>(K_LOG_POLY + 4), z, kv<f64>(K_LOG_POLY + 5));
  const R = f64x2.mul(madd<f64>(madd<f64>(madd<f64>(a, z2, b), z2, d), z, kv<f64>(K_LOG_POLY + 6)), z);
  const hfsq = f64x2.mul(f64x2.mul(f, f), kv<f64>(K_HALF));
  const lo = madd<f64>(kd, kv<f64>(K_LN2_LO), c);
  return madd<f64>(kd, kv<f64>(K_LN2_HI), f64x2.sub(f, f64x2.sub(hfsq, madd<f64>(s, f64x2.add(hfsq, R), lo))));
}
