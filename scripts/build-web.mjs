// Bundles the browser pages with esbuild into dist/web/, a folder that any static host (or `xorlab serve`) serves:
//   src/web/pages/<page>.ts          -> dist/web/<page>.js        (an entry per page; <name>.worker.ts for workers)
//   src/web/pages/<page>.html        -> dist/web/<page>.html
//   src/web/static/*                 -> dist/web/*                (stylesheet, favicon)
//   dist/engine/*.wasm               -> dist/web/*.wasm           (the kernel, served once, never inlined)
// Shared browser modules live beside the pages in subfolders (src/web/<anything>/); only top-level .ts files
// under pages/ are entries. Run by `npm run build` (after tsc) and on its own by `npm run build:web`.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pages = join(root, 'src', 'web', 'pages');
const staticDir = join(root, 'src', 'web', 'static');
const out = join(root, 'dist', 'web');

// A fresh folder: a page removed from src/ must not linger in what is served.
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const files = existsSync(pages) ? readdirSync(pages).filter((f) => statSync(join(pages, f)).isFile()) : [];
const entries = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => join(pages, f));
if (entries.length > 0) {
  await build({
    entryPoints: entries,
    outdir: out,
    bundle: true,
    // Code shared by pages, and what a page loads only when asked (the playground's study charts), goes into chunks
    // of its own: each page downloads and compiles only what it runs.
    splitting: true,
    chunkNames: 'chunk-[hash]',
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    // Nothing in the page may reach the network or the file system: a Node module pulled in by mistake fails here.
    define: { 'process.env.NODE_ENV': '"production"' },
  });
}
for (const f of files.filter((f) => !f.endsWith('.ts'))) copyFileSync(join(pages, f), join(out, f));
if (existsSync(staticDir)) for (const f of readdirSync(staticDir)) copyFileSync(join(staticDir, f), join(out, f));
const wasmDir = join(root, 'dist', 'engine');
if (existsSync(wasmDir))
  for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDir, f), join(out, f));
