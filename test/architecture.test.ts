// The house: dependencies point one way. Every import in src/ (type-only ones too: a type from a higher room is
// still knowledge that flows the wrong way) is checked against the arrow
//   text (leaf) <- core <- config <- engine | store | plot <- study <- distributed | article <- web <- server
//   <- cli, bench <- index
// (distributed: a study run over PostgreSQL and pg-boss; web: the pages' browser code; server: `xorlab serve`'s Node
// server, which serves them). study/ is four rooms with their own arrows:
//   study/definition <- study/analysis <- study/views;  study/definition <- study/run/browser <- study/run
//   (study/run also reads study/analysis; study/goal, refining toward a question, reads and runs through all of them)
// The browser-safe rooms (core, config, text, and every study room but study/run: what the pages and their Web
// Workers import) may use no Node API, and core no zod.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** The rooms below study: what every study room may import. */
const BELOW_STUDY = ['engine', 'store', 'plot', 'config', 'core', 'text'];
/** study/'s rooms (a file directly in study/ belongs to none and is reported). */
const STUDY = ['study/definition', 'study/analysis', 'study/views', 'study/run', 'study/run/browser', 'study/goal'];

/** Each room and the rooms it may import (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  text: [],
  core: ['text'],
  config: ['core', 'text'],
  engine: ['config', 'core', 'text'],
  store: ['config', 'core', 'text'],
  plot: ['config', 'core', 'text'],
  'study/definition': BELOW_STUDY,
  'study/analysis': ['study/definition', ...BELOW_STUDY],
  'study/views': ['study/analysis', 'study/definition', ...BELOW_STUDY],
  // What a browser's Web Worker runs (chunk, its protocol) and the plan the playground builds: no Node API.
  'study/run/browser': ['study/definition', ...BELOW_STUDY],
  'study/run': ['study/run/browser', 'study/analysis', 'study/definition', ...BELOW_STUDY],
  'study/goal': ['study/run', 'study/run/browser', 'study/analysis', 'study/definition', ...BELOW_STUDY],
  distributed: [...STUDY, ...BELOW_STUDY],
  article: [...STUDY, ...BELOW_STUDY],
  web: ['article', ...STUDY, ...BELOW_STUDY],
  server: ['web', 'article', ...STUDY, ...BELOW_STUDY],
  cli: ['server', 'web', 'article', 'distributed', ...STUDY, ...BELOW_STUDY],
  bench: ['server', 'web', 'article', 'distributed', ...STUDY, ...BELOW_STUDY],
  // The package's entry points (src/index.ts, src/core-entry.ts) expose what the rooms below them hold.
  '.': ['cli', 'bench', 'server', 'web', 'article', 'distributed', ...STUDY, ...BELOW_STUDY],
};
/** Rooms whose code must run in a browser unchanged. */
const BROWSER_SAFE = [
  'core',
  'config',
  'text',
  'study/definition',
  'study/analysis',
  'study/views',
  'study/run/browser',
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'assembly' ? [] : files(path); // AssemblyScript, not TS modules
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The room of a file: its folder under src/, or for study/ the deepest of its rooms that holds it. */
function roomOf(file: string, root = src): string {
  const parts = relative(root, file).split(sep);
  if (parts.length === 1) return '.';
  if (parts[0] !== 'study') return parts[0];
  const folders = parts.slice(0, -1);
  for (let depth = folders.length; depth > 1; depth--) {
    const room = folders.slice(0, depth).join('/');
    if (STUDY.includes(room)) return room;
  }
  return 'study';
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
      if (target !== room && !ALLOWED[room].includes(target))
        wrong.push(`${relative(root, file)} imports ${spec} (${room} -> ${target})`);
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
  mkdirSync(join(root, 'study', 'analysis'), { recursive: true });
  writeFileSync(join(root, 'study', 'analysis', 'stats.ts'), "import { curveSpec } from '../../plot/curve.js';\n");
  writeFileSync(
    join(root, 'plot', 'curve.ts'),
    "import type { Study } from '../study/definition/definition.js';\nexport const x = 1;\n",
  );
  assert.deepEqual(arrowViolations(root), [
    'plot/curve.ts imports ../study/definition/definition.js (plot -> study/definition)',
  ]);
});

test('the arrow check reports a study room importing one it may not, and study importing distributed', () => {
  const root = mkdtempSync(join(tmpdir(), 'xorlab-arrow-'));
  for (const dir of ['study/definition', 'study/analysis', 'study/run/browser', 'distributed'])
    mkdirSync(join(root, dir), { recursive: true });
  writeFileSync(join(root, 'study', 'definition', 'grid.ts'), "import { stats } from '../analysis/stats.js';\n");
  writeFileSync(join(root, 'study', 'run', 'browser', 'chunk.ts'), "import type { Pool } from '../pool.js';\n");
  writeFileSync(join(root, 'study', 'run', 'pool.ts'), "import { work } from '../../distributed/work.js';\n");
  writeFileSync(join(root, 'study', 'loose.ts'), 'export const x = 1;\n');
  assert.deepEqual(arrowViolations(root).sort(), [
    'study/definition/grid.ts imports ../analysis/stats.js (study/definition -> study/analysis)',
    'study/loose.ts: room "study" is not in the architecture test\'s table',
    'study/run/browser/chunk.ts imports ../pool.js (study/run/browser -> study/run)',
    'study/run/pool.ts imports ../../distributed/work.js (study/run -> distributed)',
  ]);
});

test('core, config, text and the browser-safe study rooms use no Node API; core does not load zod', () => {
  const wrong: string[] = [];
  for (const file of files(src)) {
    const room = roomOf(file);
    if (!BROWSER_SAFE.includes(room)) continue;
    for (const spec of imports(file)) {
      if (spec.startsWith('node:') || ['fs', 'path', 'os', 'child_process', 'worker_threads', 'url'].includes(spec))
        wrong.push(`${relative(src, file)} imports ${spec}`);
      if (room === 'core' && spec === 'zod') wrong.push(`${relative(src, file)} imports zod`);
    }
    if (/\bprocess\.|\bBuffer\b|\brequire\(/.test(readFileSync(file, 'utf8')))
      wrong.push(`${relative(src, file)} uses a Node global`);
  }
  assert.deepEqual(wrong, []);
});
