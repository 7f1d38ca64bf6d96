// Node's source of the WebAssembly kernel: dist/engine/lockstep.wasm, read when the kernel is first used. Imported
// for its effect by engine/index.ts, the engine's entry for Node; a browser imports engine/train-many.ts instead and
// hands the kernel over itself (setKernelSource).
import { hasKernelSource, setKernelSource } from './instance.js';
import { readKernelBytes } from './wasm-bytes.js';

if (!hasKernelSource()) setKernelSource(() => readKernelBytes('lockstep'));
