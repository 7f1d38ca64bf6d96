// The browser bundle keeps the house's layering: every page and worker bundles for a browser without a Node
// module (the kernel's wasm comes from an injected source, never node:fs), the workers without the configuration
// schema's library (zod), and nothing carries the kernel inlined as base64: it is one .wasm file, fetched once.
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pages = join(root, 'src', 'web', 'pages');
const NODE = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** Bundles one entry as build-web.mjs does, with Node's modules left external so that the test can name them. */
async function bundle(entry: string): Promise<{ metafile: Metafile; text: string; nodeImports: string[] }> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    write: false,
    metafile: true,
    minify: true,
    external: NODE,
    logLevel: 'silent',
    outdir: '/tmp/xorlab-bundle-test',
  });
  const nodeImports: string[] = [];
  for (const [file, input] of Object.entries(result.metafile.inputs)) {
    for (const imp of input.imports)
      if (imp.external && NODE.includes(imp.path)) nodeImports.push(`${file} imports ${imp.path}`);
  }
  return { metafile: result.metafile, text: result.outputFiles.map((f) => f.text).join('\n'), nodeImports };
}

const entries = readdirSync(pages).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));

test('the page bundles exist (so the checks below look at something)', () => {
  assert.ok(
    entries.includes('playground.ts') &&
      entries.includes('playground-train.worker.ts') &&
      entries.includes('playground-study.worker.ts'),
    entries.join(', '),
  );
});

for (const entry of entries) {
  test(`${entry} bundles for a browser without any Node module or an inlined kernel`, async () => {
    const { metafile, text, nodeImports } = await bundle(join(pages, entry));
    assert.deepEqual(nodeImports, []);
    // "\0asm" in base64 starts every inlined WebAssembly module.
    assert.ok(!text.includes('AGFzbQ'), 'a WebAssembly module is inlined as base64');
    if (entry.endsWith('.worker.ts')) {
      const zod = Object.keys(metafile.inputs).filter((f) => f.includes('node_modules/zod/'));
      assert.deepEqual(zod, [], `${entry} pulls in zod`);
    }
  });
}

test("the study worker trains with the engine and the sweep's own runChunk, not a copy", async () => {
  const { metafile } = await bundle(join(pages, 'playground-study.worker.ts'));
  const inputs = Object.keys(metafile.inputs).map((f) => relative(root, join(root, f)));
  for (const file of [
    'src/study/run/browser/chunk.ts',
    'src/engine/train-many.ts',
    'src/engine/lockstep.ts',
    'src/engine/instance.ts',
  ])
    assert.ok(inputs.includes(file), `${file} not in ${inputs.join(', ')}`);
});

test('the check sees a Node module when one is reached (so the tests above can fail)', async () => {
  const { nodeImports } = await bundle(join(root, 'src', 'engine', 'index.ts'));
  assert.ok(
    nodeImports.some((i) => i.includes('node:fs')),
    nodeImports.join('; '),
  );
});
