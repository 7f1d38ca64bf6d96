// The house: dependencies point one way. Every import in src/ (type-only ones too: a type from a higher room is
// still knowledge that flows the wrong way) is checked against the arrow
//   text (leaf) <- core <- config <- engine | store | plot <- study <- article <- web <- server <- cli, bench <- index
// (web: the pages' browser code; server: `xorlab serve`'s Node server, which serves them)
// and the browser-safe rooms (core, config) may use no Node API and core no zod.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** Each room and the rooms it may import (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  text: [],
  core: ['text'],
  config: ['core', 'text'],
  engine: ['config', 'core', 'text'],
  store: ['config', 'core', 'text'],
  plot: ['config', 'core', 'text'],
  study: ['engine', 'store', 'plot', 'config', 'core', 'text'],
  article: ['study', 'engine', 'store', 'plot', 'config', 'core', 'text'],
  web: ['article', 'study', 'engine', 'store', 'plot', 'config', 'core', 'text'],
  server: ['web', 'article', 'study', 'engine', 'store', 'plot', 'config', 'core', 'text'],
  cli: ['server', 'web', 'article', 'study', 'engine', 'store', 'plot', 'config', 'core', 'text'],
  bench: ['server', 'web', 'article', 'study', 'engine', 'store', 'plot', 'config', 'core', 'text'],
  // The package's entry points (src/index.ts, src/core.ts) expose what the rooms below them hold.
  '.': ['cli', 'bench', 'server', 'web', 'article', 'study', 'engine', 'store', 'plot', 'config', 'core', 'text'],
};
/** Rooms whose code must run in a browser unchanged. */
const BROWSER_SAFE = ['core', 'config', 'text'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'assembly' ? [] : files(path); // AssemblyScript, not TS modules
    return path.endsWith('.ts') ? [path] : [];
  });
}

function roomOf(file: string, root = src): string {
  const parts = relative(root, file).split(sep);
  return parts.length === 1 ? '.' : parts[0];
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const statement = /^\s*(?:import|export)\s+(?:type\s+)?(?:[\s\S]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
  const dynamic = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
  return [...text.matchAll(statement), ...text.matchAll(dynamic)].map((m) => m[1]);
}

/** Every relative import of a file under `root` that goes against the arrow. */
function arrowViolations(root: string): string[] {
  const wrong: string[] = [];
  for (const file of files(root)) {
    const room = roomOf(file, root);
    if (!(room in ALLOWED)) {
      wrong.push(`${relative(root, file)}: room "${room}" is not in the architecture test's table`);
      continue;
    }
    for (const spec of imports(file)) {
      if (!spec.startsWith('.')) continue;
      const target = roomOf(join(dirname(file), spec), root);
      if (target !== room && !ALLOWED[room].includes(target)) wrong.push(`${relative(root, file)} imports ${spec} (${room} -> ${target})`);
    }
  }
  return wrong;
}

test('every import in src/ points down the arrow', () => {
  const wrong = arrowViolations(src);
  assert.deepEqual(wrong, [], `imports against the arrow:\n${wrong.join('\n')}`);
});

test('the arrow check reports a wrong import, a type-only one too', () => {
  const root = mkdtempSync(join(tmpdir(), 'xorlab-arrow-'));
  mkdirSync(join(root, 'plot'));
  mkdirSync(join(root, 'study'));
  writeFileSync(join(root, 'study', 'stats.ts'), "import { curveSpec } from '../plot/curve.js';\n");
  writeFileSync(join(root, 'plot', 'curve.ts'), "import type { Study } from '../study/definition.js';\nexport const x = 1;\n");
  assert.deepEqual(arrowViolations(root), ['plot/curve.ts imports ../study/definition.js (plot -> study)']);
});

test('core, config and text use no Node API; core does not load zod', () => {
  const wrong: string[] = [];
  for (const file of files(src)) {
    const room = roomOf(file);
    if (!BROWSER_SAFE.includes(room)) continue;
    for (const spec of imports(file)) {
      if (spec.startsWith('node:') || ['fs', 'path', 'os', 'child_process', 'worker_threads', 'url'].includes(spec)) wrong.push(`${relative(src, file)} imports ${spec}`);
      if (room === 'core' && spec === 'zod') wrong.push(`${relative(src, file)} imports zod`);
    }
    if (/\bprocess\.|\bBuffer\b|\brequire\(/.test(readFileSync(file, 'utf8'))) wrong.push(`${relative(src, file)} uses a Node global`);
  }
  assert.deepEqual(wrong, []);
});
