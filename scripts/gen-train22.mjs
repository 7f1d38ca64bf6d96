// Writes the AssemblyScript of train22xK, the fused kernel for 2 inputs and 2 hidden units that takes K samples
// per iteration (K = 4 and 2), written side by side so that the CPU works on K independent dependency chains.
// scripts/build.mjs puts the text where the entry file says `// @generate train22xK` before compiling; the
// entry file holds no copy. Sample k of an iteration is named by a letter (a, b, c, d).

const LETTERS = 'abcd';

/** `one line per sample`, with `@` standing for the sample's letter and `#` for its index in the iteration. */
function perSample(k, line) {
  return Array.from({ length: k }, (_, i) => line.replaceAll('@', LETTERS[i]).replaceAll('#', String(i))).join('\n');
}

/** acc + t(a) + t(b) + ..., added left to right as nested v128.add<T>. */
function chain(k, acc, term) {
  let out = acc;
  for (let i = 0; i < k; i++) out = `v128.add<T>(${out}, ${term.replaceAll('@', LETTERS[i])})`;
  return out;
}

export function train22(k) {
  const I = '          ';
  const each = (line) => perSample(k, I + line);
  const ls = Array.from({ length: k }, (_, i) => `l${LETTERS[i]}: v128, d${LETTERS[i]}: v128`).join(', ');
  return `function train22x${k}<T, A, L>(blocks: i32, firstEpoch: i32, epochs: i32): void {
  const one = kv<T>(K_ONE);
  const zero = splat<T>(0);
  const two = kv<T>(K_TWO);
  const lower = kv<T>(K_LOWER);
  const upper = kv<T>(K_UPPER);
  const count = kv<T>(K_COUNT);
  const stride = (P + 4) * B;
  for (let k = 0; k < blocks; k++) {
    const bp = at(statePtr, k * stride);
    for (let e = 0; e < epochs; e++) {
      const lr = v128.splat<T>(load<T>(lrPtr + (<usize>e << alignof<T>())));
      for (let b = 0; b < B; b++) {
        const pb = at(bp, b);
        const w00 = v128.load(at(pb, 0 * B)), w01 = v128.load(at(pb, 1 * B));
        const w10 = v128.load(at(pb, 2 * B)), w11 = v128.load(at(pb, 3 * B));
        const b0 = v128.load(at(pb, 4 * B)), b1 = v128.load(at(pb, 5 * B));
        const v0 = v128.load(at(pb, 6 * B)), v1 = v128.load(at(pb, 7 * B)), c = v128.load(at(pb, 8 * B));
        let gv0 = zero, gv1 = zero, gc = zero, lsum = zero;
        let a00 = zero, a10 = zero, a01 = zero, a11 = zero, ab0 = zero, ab1 = zero;
        for (let s = 0; s < N; s += ${k}) {
${Array.from({ length: k }, (_, i) => `${I}const x${LETTERS[i]}0 = v128.load(at(xPtr, 2 * s + ${2 * i})), x${LETTERS[i]}1 = v128.load(at(xPtr, 2 * s + ${2 * i + 1})), y${LETTERS[i]} = v128.load(at(yPtr, s + ${i}));`).join('\n')}
${each('const z@0 = v128.add<T>(v128.add<T>(b0, v128.mul<T>(x@0, w00)), v128.mul<T>(x@1, w10));')}
${each('const z@1 = v128.add<T>(v128.add<T>(b1, v128.mul<T>(x@0, w01)), v128.mul<T>(x@1, w11));')}
${each('const h@0 = act<T, A>(z@0);')}
${each('const h@1 = act<T, A>(z@1);')}
${each('const zo@ = v128.add<T>(v128.add<T>(c, v128.mul<T>(h@0, v0)), v128.mul<T>(h@1, v1));')}
${each('const e@ = vexp<T>(neg<T>(abs<T>(zo@)));')}
${each('const r@ = v128.div<T>(one, v128.add<T>(one, e@));')}
${each('const a@ = v128.bitselect(r@, v128.mul<T>(e@, r@), v128.ge<T>(zo@, zero));')}
${each('const diff@ = v128.sub<T>(a@, y@);')}
${I}let ${ls};
${I}if (is<L, Bce>()) {
${perSample(k, `${I}  l@ = v128.add<T>(v128.sub<T>(v128.pmax<T>(zo@, zero), v128.mul<T>(y@, zo@)), vlog1p<T>(e@));`)}
${perSample(k, `${I}  l@ = v128.pmin<T>(v128.pmax<T>(l@, lower), upper);\n${I}  d@ = diff@;`)}
${I}} else {
${perSample(k, `${I}  l@ = v128.mul<T>(diff@, diff@);\n${I}  d@ = v128.mul<T>(v128.mul<T>(two, diff@), v128.mul<T>(a@, v128.sub<T>(one, a@)));`)}
${I}}
${I}lsum = ${chain(k, 'lsum', 'l@')};
${I}gv0 = ${chain(k, 'gv0', 'v128.mul<T>(h@0, d@)')};
${I}gv1 = ${chain(k, 'gv1', 'v128.mul<T>(h@1, d@)')};
${I}gc = ${chain(k, 'gc', 'd@')};
${each('const q@0 = v128.mul<T>(d@, dact<T, A>(z@0, h@0));')}
${each('const q@1 = v128.mul<T>(d@, dact<T, A>(z@1, h@1));')}
${I}a00 = ${chain(k, 'a00', 'v128.mul<T>(x@0, q@0)')};
${I}a10 = ${chain(k, 'a10', 'v128.mul<T>(x@1, q@0)')};
${I}a01 = ${chain(k, 'a01', 'v128.mul<T>(x@0, q@1)')};
${I}a11 = ${chain(k, 'a11', 'v128.mul<T>(x@1, q@1)')};
${I}ab0 = ${chain(k, 'ab0', 'q@0')};
${I}ab1 = ${chain(k, 'ab1', 'q@1')};
        }
        recordOne<T>(bp, b, v128.div<T>(lsum, count), firstEpoch + e);
        const nv0 = v128.sub<T>(v0, v128.mul<T>(lr, gv0));
        const nv1 = v128.sub<T>(v1, v128.mul<T>(lr, gv1));
        // The hidden errors use the updated output weights in seed order, the old ones in textbook order.
        const u0 = seedOrder ? nv0 : v0, u1 = seedOrder ? nv1 : v1;
        v128.store(at(pb, 0 * B), v128.sub<T>(w00, v128.mul<T>(lr, v128.mul<T>(u0, a00))));
        v128.store(at(pb, 1 * B), v128.sub<T>(w01, v128.mul<T>(lr, v128.mul<T>(u1, a01))));
        v128.store(at(pb, 2 * B), v128.sub<T>(w10, v128.mul<T>(lr, v128.mul<T>(u0, a10))));
        v128.store(at(pb, 3 * B), v128.sub<T>(w11, v128.mul<T>(lr, v128.mul<T>(u1, a11))));
        v128.store(at(pb, 4 * B), v128.sub<T>(b0, v128.mul<T>(lr, v128.mul<T>(u0, ab0))));
        v128.store(at(pb, 5 * B), v128.sub<T>(b1, v128.mul<T>(lr, v128.mul<T>(u1, ab1))));
        v128.store(at(pb, 6 * B), nv0);
        v128.store(at(pb, 7 * B), nv1);
        v128.store(at(pb, 8 * B), v128.sub<T>(c, v128.mul<T>(lr, gc)));
      }
    }
  }
}`;
}

/** The entry file with every `// @generate train22xK` line replaced by that function. */
export function expandGenerated(source) {
  return source.replace(/^\/\/ @generate train22x(\d)$/gm, (_, k) => train22(Number(k)));
}
