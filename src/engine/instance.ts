// One instance of the lockstep kernel per thread, created synchronously on first use, from a source that the
// thread's host provides: in Node, engine/index.ts reads dist/engine/lockstep.wasm (./node-kernel.ts); a web page
// fetches and compiles the .wasm once and hands the compiled module to each of its workers. Nothing here touches
// Node's APIs, so the engine bundles for a browser.

import type { LockstepExports } from './lockstep-exports.js';
import type { WasmApi } from './wasm-types.js';

export type { LockstepExports };

const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The kernel as a compiled WebAssembly.Module (a page's workers receive one), or the bytes of its .wasm file. */
type KernelSource = object | ArrayBuffer | ArrayBufferView;

let source: (() => KernelSource) | undefined;
let cached: LockstepExports | undefined;

/**
 * Where lockstepKernel() takes the kernel from: a compiled module or the .wasm bytes, or a function that gives
 * them when the kernel is first needed. A later call replaces the source of a kernel not yet instantiated only;
 * once instantiated, the thread keeps its instance (its memory holds the networks being trained).
 */
export function setKernelSource(from: KernelSource | (() => KernelSource)): void {
  source = typeof from === 'function' ? (from as () => KernelSource) : () => from;
}

/** Whether a source is set (Node's engine/index.ts sets one unless the host already did). */
export function hasKernelSource(): boolean {
  return source !== undefined;
}

export function lockstepKernel(): LockstepExports {
  if (!cached) {
    if (!source)
      throw new Error(
        'the WebAssembly kernel has no source: call setKernelSource() with the compiled module or the bytes of lockstep.wasm (Node: import engine/index.js)',
      );
    const from = source();
    const module = from instanceof ArrayBuffer || ArrayBuffer.isView(from) ? new wasm.Module(from) : from;
    const instance = new wasm.Instance(module, {
      env: {
        abort: () => {
          throw new Error('lockstep kernel aborted');
        },
      },
    });
    cached = instance.exports as unknown as LockstepExports;
  }
  return cached;
}

/** Makes the kernel's memory at least `bytes` long. */
export function ensureMemory(kernel: LockstepExports, bytes: number): void {
  const have = kernel.memory.buffer.byteLength;
  if (bytes > have) kernel.memory.grow(Math.ceil((bytes - have) / 65536));
}
