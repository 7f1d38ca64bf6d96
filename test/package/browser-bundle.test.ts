// `xorlab/core` in a browser: bundled by esbuild for the browser platform from the build output (what ships), it
// pulls in no Node module and no zod, and it runs: the bundle trains XOR with no Node API in reach.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Bundles `entry` (a file under dist/) for browsers; the bundle's text and the modules it is made of. */
async function browserBundle(entry: string): Promise<{ code: string; inputs: string[] }> {
  const file = join(root, 'dist', entry);
  assert.ok(existsSync(file), `dist/${entry} is missing: run npm run build`);
  const result = await build({
    entryPoints: [file],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'xorlab',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs).map((path) => relative(root, join(root, path)));
  return { code: result.outputFiles[0].text, inputs };
}

test('xorlab/core bundles for the browser with no Node module and no zod, and trains there', async () => {
  const { code, inputs } = await browserBundle('core-entry.js');
  assert.deepEqual(
    inputs.filter((p) => p.startsWith('node:') || /node_modules\/zod\//.test(p)),
    [],
  );
  // Only the core, the parameter table, the error base and the quoting of text in messages (text/quote.js: a dataset's
  // cell is shown escaped), and the seeded generator's package.
  assert.deepEqual(
    inputs.filter(
      (p) =>
        !/^dist\/(core-entry\.js|core\/|config\/parameters\.js|text\/errors\.js|text\/quote\.js)|node_modules\/pure-rand\//.test(
          p,
        ),
    ),
    [],
  );
  // A context with no require, process or Buffer: what a page has (and crypto for the default seed).
  const sandbox: Record<string, unknown> = { crypto: globalThis.crypto };
  runInNewContext(code, sandbox);
  const lib = sandbox.xorlab as typeof import('../../src/core-entry.js');
  const run = lib.train({ epochs: 3000, hiddenStd: 0.7071 }, { seed: 1 });
  assert.equal(run.metrics.success, true);
  assert.ok(Number.isSafeInteger(lib.train({ epochs: 1 }).seed));
});

test('the whole library does not bundle for a browser (so the test above can fail)', async () => {
  // xorlab reads files, opens SQLite and starts worker threads: esbuild cannot resolve node: modules for the browser.
  await assert.rejects(() => browserBundle('index.js'), /Could not resolve "node:/);
});
