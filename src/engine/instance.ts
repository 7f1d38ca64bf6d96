// One instance of the lockstep kernel per thread, created synchronously on first use.
import { readKernelBytes } from './wasm-bytes.js';

import type { LockstepExports } from './lockstep-exports.js';
import type { WasmApi } from './wasm-types.js';

export type { LockstepExports };

const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

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
