// Builds everything the package runs from: the WebAssembly kernels (AssemblyScript) and the TypeScript sources.
// Runs on `npm install` / `npm ci` (the `prepare` script) and before `npm test`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function run(cmd, args) {
  const result = spawnSync(process.execPath, [cmd, ...args], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`build: ${[cmd, ...args].join(' ')} failed`);
    process.exit(result.status ?? 1);
  }
}

// 1. WebAssembly kernels: every src/engine/assembly/*.entry.ts becomes dist/engine/<name>.wasm.
const assemblyDir = join(root, 'src', 'engine', 'assembly');
if (existsSync(assemblyDir)) {
  mkdirSync(join(root, 'dist', 'engine'), { recursive: true });
  const asc = join(dirname(require.resolve('assemblyscript/package.json')), 'bin', 'asc.js');
  for (const file of readdirSync(assemblyDir).filter((f) => f.endsWith('.entry.ts'))) {
    const name = file.replace(/\.entry\.ts$/, '');
    run(asc, [
      join('src', 'engine', 'assembly', file),
      '--outFile', join('dist', 'engine', `${name}.wasm`),
      '--enable', 'simd',
      '-O3', '--noAssert', '--runtime', 'stub',
    ]);
  }
}

// 2. TypeScript.
const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
run(tsc, ['-p', 'tsconfig.json']);
