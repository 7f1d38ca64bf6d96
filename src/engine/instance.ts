// One instance of the lockstep kernel per thread, created synchronously on first use.
import { readKernelBytes } from './wasm-bytes.js';

// The project's TypeScript lib (ES2022, no DOM) does not declare WebAssembly; these are the few parts used here.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The kernel's exports: free functions (no `this`), so they can be passed around unbound. */
export interface LockstepExports {
  memory: WasmMemory;
  heapBase: () => number;
  configure: (
    inputs: number, hidden: number, samples: number, block: number,
    activation: number, loss: number, seedOrder: number,
    leakySlope: number, eluAlpha: number, lossLower: number, lossUpper: number, threshold: number,
    x: number, y: number, lr: number, h: number, df: number, d: number, g: number, acc: number, state: number, out: number,
  ) => void;
  trainF32: (blocks: number, firstEpoch: number, epochs: number) => void;
  trainF64: (blocks: number, firstEpoch: number, epochs: number) => void;
  finishF32: (blocks: number) => void;
  finishF64: (blocks: number) => void;
  /** Test hook: train 2-2 shapes with the general kernel instead of the fused one. */
  setForceGeneral: (force: number) => void;
  /** Test hook: the routine the last train call ran (3 = XOR, 2 = fused 2-2 x4, 1 = fused 2-2 x2, 0 = general). */
  routine: () => number;
  /** Test hook: (vector, epoch) steps of the XOR routine that took its clamped hidden-layer path since configure(). */
  clampedSteps: () => number;
  setStatePointer: (ptr: number) => void;
  mapExpF32: (ptr: number, n: number) => void;
  mapExpF64: (ptr: number, n: number) => void;
  mapLog1pF32: (ptr: number, n: number) => void;
  mapLog1pF64: (ptr: number, n: number) => void;
  /** The XOR kernel's own exp (both precisions) and log1p (f32: without range reduction; f64: any x >= 0). */
  mapExpXorF32: (ptr: number, n: number) => void;
  mapExpXorF64: (ptr: number, n: number) => void;
  mapLog1pXorF32: (ptr: number, n: number) => void;
  mapLog1pWideF64: (ptr: number, n: number) => void;
}

let cached: LockstepExports | undefined;

export function lockstepKernel(): LockstepExports {
  if (!cached) {
    const module = new wasm.Module(readKernelBytes('lockstep'));
    const instance = new wasm.Instance(module, { env: { abort: () => { throw new Error('lockstep kernel aborted'); } } });
    cached = instance.exports as unknown as LockstepExports;
  }
  return cached;
}

/** Makes the kernel's memory at least `bytes` long. */
export function ensureMemory(kernel: LockstepExports, bytes: number): void {
  const have = kernel.memory.buffer.byteLength;
  if (bytes > have) kernel.memory.grow(Math.ceil((bytes - have) / 65536));
}
