// Builds everything the package runs from: the WebAssembly kernels (AssemblyScript), the TypeScript sources and the
// browser bundle (dist/web/, ./build-web.mjs). Runs on `npm install` / `npm ci` (the `prepare` script) and before
// `npm test`. `--web` (npm run build:web) builds only what the browser needs: the kernels and dist/web/.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { exportsInterface } from './kernel-types.mjs';
import { expandGenerated } from './gen-train22.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const webOnly = process.argv.includes('--web');

function run(cmd, args) {
  const result = spawnSync(process.execPath, [cmd, ...args], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`build: ${[cmd, ...args].join(' ')} failed`);
    process.exit(result.status ?? 1);
  }
}

// `--if-changed` (npm test): nothing to do when dist/ was built from exactly these inputs (a digest of every file
// the build reads, written last by a build that succeeded). `npm ci` has just built it; building again costs ~25 s of
// CPU for the same bytes.
const STAMP = join(root, 'dist', '.inputs-digest');
const digest = inputsDigest();
if (process.argv.includes('--if-changed') && !webOnly && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === digest) {
  console.log('build: dist/ is up to date with src/, scripts/ and the lockfile');
  process.exit(0);
}

// 0. A clean dist/: what is packed and published is what this build wrote, with no leftovers of renamed modules.
rmSync(join(root, 'dist'), { recursive: true, force: true });

// 1. WebAssembly kernels: every src/engine/assembly/*.entry.ts becomes dist/engine/<name>.wasm, and its exports'
//    TypeScript interface src/engine/<name>-exports.ts (generated, not committed: the entry file is the source).
const assemblyDir = join(root, 'src', 'engine', 'assembly');
if (existsSync(assemblyDir)) {
  mkdirSync(join(root, 'dist', 'engine'), { recursive: true });
  const asc = join(dirname(require.resolve('assemblyscript/package.json')), 'bin', 'asc.js');
  const scratch = mkdtempSync(join(tmpdir(), 'xorlab-asc-'));
  try {
    // The sources as asc sees them: the entry files with their generated functions written in (see gen-train22.mjs).
    for (const file of readdirSync(assemblyDir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(assemblyDir, file), 'utf8');
      writeFileSync(join(scratch, file), file.endsWith('.entry.ts') ? expandGenerated(text) : text);
    }
    for (const file of readdirSync(assemblyDir).filter((f) => f.endsWith('.entry.ts'))) {
      const name = file.replace(/\.entry\.ts$/, '');
      run(asc, [
        join(scratch, file),
        '--outFile',
        join(scratch, `${name}.wasm`),
        '--enable',
        'simd',
        '-O3',
        '--noAssert',
        '--runtime',
        'stub',
        // Bindings beside the module: only their typings are used (not the .js glue).
        '--bindings',
        'raw',
      ]);
      copyFileSync(join(scratch, `${name}.wasm`), join(root, 'dist', 'engine', `${name}.wasm`));
      const typings = readFileSync(join(scratch, `${name}.d.ts`), 'utf8');
      const typeName = `${name[0].toUpperCase()}${name.slice(1)}Exports`;
      const generated = exportsInterface(typings, typeName, `src/engine/assembly/${file}`);
      const target = join(root, 'src', 'engine', `${name}-exports.ts`);
      if (!existsSync(target) || readFileSync(target, 'utf8') !== generated) writeFileSync(target, generated);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// 2. TypeScript (Node code; the browser's code is bundled by esbuild in step 3 and type-checked by npm run typecheck).
if (!webOnly) {
  const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
  run(tsc, ['-p', 'tsconfig.json']);
}

// 3. The command line as a bundle (dist/cli-bundle/, what bin/xorlab.js runs): unbundled, every `xorlab` start has
//    Node resolve, read and compile ~180 modules (zod alone ~100); bundled, `xorlab summary` and `xorlab train` start
//    in ~0.28 CPU-s instead of ~0.38. Its input is tsc's output; the library (dist/index.js) stays as tsc wrote it. The
//    sweep's worker thread is an entry of its own beside the chunks (pool.ts starts ./worker.js beside itself); the
//    packages that are native, optional or large stay Node's to load, as in the library.
if (!webOnly) {
  const { build } = await import('esbuild');
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const bundled = new Set(['commander', 'pure-rand', 'zod']);
  await build({
    entryPoints: {
      main: join(root, 'dist', 'cli', 'main.js'),
      worker: join(root, 'dist', 'study', 'run', 'worker.js'),
    },
    outdir: join(root, 'dist', 'cli-bundle'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})].filter(
      (name) => !bundled.has(name),
    ),
    // commander is CommonJS: its require() of Node's modules needs a real require in an ES module.
    banner: {
      js: "import { createRequire as __xorlabRequire } from 'node:module'; const require = __xorlabRequire(import.meta.url);",
    },
    // package.json says "sideEffects": false for the library's users; the worker's import of engine/node-kernel.js is
    // there for its side effect (it gives the engine its kernel), and must stay.
    ignoreAnnotations: true,
    logLevel: 'warning',
  });
}

// 4. The browser bundle: dist/web/.
run(join(root, 'scripts', 'build-web.mjs'), []);

// Last, once everything above succeeded: the digest of what this build read (see --if-changed). The generated
// src/engine/*-exports.ts are rewritten above only when they change, so they are hashed as they are now.
if (!webOnly) writeFileSync(STAMP, inputsDigest());

/** A digest of the build's inputs: every file under src/ and scripts/, the tsconfigs, package.json and the lockfile
 * (names and bytes, in a fixed order). */
function inputsDigest() {
  const hash = createHash('sha256');
  const add = (path) => {
    hash.update(`${path}\0`);
    hash.update(readFileSync(join(root, path)));
    hash.update('\0');
  };
  const walk = (dir) => {
    for (const name of readdirSync(join(root, dir)).sort()) {
      const path = join(dir, name);
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else add(path);
    }
  };
  walk('src');
  walk('scripts');
  for (const file of ['tsconfig.json', 'package.json', 'package-lock.json'])
    if (existsSync(join(root, file))) add(file);
  return hash.digest('hex');
}
