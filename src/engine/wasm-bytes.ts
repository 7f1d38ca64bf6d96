// The only Node-specific part of the kernel: reading a compiled kernel's bytes. A browser build would fetch them.
import { readFileSync } from 'node:fs';

/** Bytes of dist/engine/<name>.wasm, from dist/engine/*.js (beside it), from the CLI's bundle (dist/cli-bundle/, a
 * folder beside it) or from src/engine/*.ts (through tsx). */
export function readKernelBytes(name: string): Uint8Array {
  const here = import.meta.url;
  const url = /\.ts$/.test(new URL(here).pathname)
    ? new URL(`../../dist/engine/${name}.wasm`, here)
    : new URL(`../engine/${name}.wasm`, here);
  try {
    return readFileSync(url);
  } catch (error) {
    throw new Error(
      `cannot read the WebAssembly kernel ${url.pathname} (run \`npm run build\`): ${(error as Error).message}`,
      { cause: error },
    );
  }
}
