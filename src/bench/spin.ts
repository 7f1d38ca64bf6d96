// The bench's control for the all-cores figure: a loop that shares nothing between threads and touches no memory,
// so it scales with cores exactly as far as the machine lets any code scale. Timed the same way as the engine, it
// tells how much of a shortfall from 2x on two cores is the machine's (other tenants on a shared host) and how much
// is the engine's.
//
// The loop is WebAssembly SIMD, like the kernel, and throughput-bound, like the kernel: 12 independent f32x4 chains
// a <- a * m + c per iteration (24 vector operations; at 6 cycles of latency per step, 12 chains keep the FP pipes
// of a current x86 core full). A latency-bound loop would hide the contention that a busy neighbour on the same
// physical core causes. The module is a few hundred bytes written here directly, so that the bench needs no
// build step of its own.

const CHAINS = 12;
/** The multiplier and the addend of every chain: the chains converge to c / (1 - m) = 1 and stay normal numbers. */
const SPIN_MULTIPLIER = 0.9999999;
const SPIN_ADDEND = 1e-7;

/** Unsigned LEB128, as WebAssembly encodes indices, counts and sizes. */
function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

const f32Bytes = (x: number) => [...new Uint8Array(new Float32Array([x]).buffer)];
const section = (id: number, content: number[]) => [id, ...leb(content.length), ...content];

// Opcodes used (core and SIMD; SIMD ones follow the 0xfd prefix as LEB128).
const LOCAL_GET = 0x20,
  LOCAL_SET = 0x21,
  LOCAL_TEE = 0x22,
  F32_CONST = 0x43,
  I32_CONST = 0x41,
  I32_SUB = 0x6b;
const LOOP = 0x03,
  BR_IF = 0x0d,
  END = 0x0b,
  EMPTY = 0x40,
  V128 = 0x7b,
  I32 = 0x7f,
  F32 = 0x7d;
const simd = (op: number) => [0xfd, ...leb(op)];
const F32X4_SPLAT = 0x13,
  F32X4_EXTRACT_LANE = 0x1f,
  F32X4_ADD = 0xe4,
  F32X4_MUL = 0xe6;

/** The bytes of a module exporting `spin(iterations: i32): f32` (lane 0 of the sum of the chains; iterations >= 1). */
export function spinModuleBytes(): Uint8Array {
  // Locals: 0 = iterations (the parameter), 1..CHAINS = the chains, then m and c.
  const m = CHAINS + 1,
    c = CHAINS + 2;
  const body: number[] = [
    1,
    ...leb(CHAINS + 2),
    V128, // one run of CHAINS + 2 v128 locals
    F32_CONST,
    ...f32Bytes(SPIN_MULTIPLIER),
    ...simd(F32X4_SPLAT),
    LOCAL_SET,
    m,
    F32_CONST,
    ...f32Bytes(SPIN_ADDEND),
    ...simd(F32X4_SPLAT),
    LOCAL_SET,
    c,
  ];
  for (let k = 1; k <= CHAINS; k++) body.push(F32_CONST, ...f32Bytes(k), ...simd(F32X4_SPLAT), LOCAL_SET, k);
  body.push(LOOP, EMPTY);
  for (let k = 1; k <= CHAINS; k++) {
    body.push(LOCAL_GET, k, LOCAL_GET, m, ...simd(F32X4_MUL), LOCAL_GET, c, ...simd(F32X4_ADD), LOCAL_SET, k);
  }
  body.push(LOCAL_GET, 0, I32_CONST, 1, I32_SUB, LOCAL_TEE, 0, BR_IF, 0, END);
  body.push(LOCAL_GET, 1);
  for (let k = 2; k <= CHAINS; k++) body.push(LOCAL_GET, k, ...simd(F32X4_ADD));
  body.push(...simd(F32X4_EXTRACT_LANE), 0, END);

  const name = [...new TextEncoder().encode('spin')];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00, // "\0asm", version 1
    ...section(1, [1, 0x60, 1, I32, 1, F32]), // type 0: (i32) -> f32
    ...section(3, [1, 0]), // function 0 has type 0
    ...section(7, [1, ...leb(name.length), ...name, 0x00, 0]), // export "spin" = function 0
    ...section(10, [1, ...leb(body.length), ...body]), // its code
  ]);
}

// The project's TypeScript lib (ES2022, no DOM) does not declare WebAssembly; this is the part used here.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: { spin: (iterations: number) => number } };
}

/** The control loop, compiled for this thread. */
export function loadSpin(): (iterations: number) => number {
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  return new wasm.Instance(new wasm.Module(spinModuleBytes())).exports.spin;
}

/** What spin(iterations) returns, computed in plain JavaScript (every step rounded to f32 as WebAssembly does). */
export function spinExpected(iterations: number): number {
  const f = Math.fround,
    m = f(SPIN_MULTIPLIER),
    c = f(SPIN_ADDEND);
  let sum = 0;
  for (let k = 1; k <= CHAINS; k++) {
    let a = f(k);
    for (let i = 0; i < iterations; i++) a = f(f(a * m) + c);
    sum = k === 1 ? a : f(sum + a);
  }
  return sum;
}
