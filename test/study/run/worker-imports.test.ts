// A sweep worker loads only what training needs: its import graph (followed through src/, type-only imports left
// out as the compiler erases them) must not reach the configuration schema's library, zod, whose loading took a
// third of every worker's start.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'src');

/** Every module reached from `entry` by runtime imports and re-exports: src files, and bare package names. */
function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>(),
    packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    // `import type` / `export type` are erased; with verbatimModuleSyntax everything else is kept (even `import { type X }`).
    const statement = /^\s*(?:import|export)\s+(?!type\s)(?:[\s\S]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
    for (const [, spec] of text.matchAll(statement)) {
      if (spec.startsWith('.')) visit(join(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec);
    }
  };
  visit(entry);
  return { files, packages };
}

test('the sweep worker does not load zod (nor the study definition or the config schema)', () => {
  const { files, packages } = importGraph(join(src, 'study', 'run', 'worker.ts'));
  const names = [...files].map((f) => relative(src, f));
  assert.ok(
    names.includes(join('engine', 'lockstep.ts')) && names.includes(join('core', 'train.ts')),
    names.join(', '),
  );
  assert.ok(!packages.has('zod'), `zod reached from: ${names.join(', ')}`);
  assert.ok(
    !names.includes(join('config', 'schema.ts')) && !names.includes(join('study', 'definition', 'definition.ts')),
    names.join(', '),
  );
  assert.deepEqual([...packages].filter((p) => !p.startsWith('node:')).sort(), [
    'pure-rand/generator/xoroshiro128plus',
  ]);
});

test('the import scan sees through config/index.ts to zod (so the test above can fail); the core barrel is free of it', () => {
  assert.ok(importGraph(join(src, 'config', 'index.ts')).packages.has('zod'));
  assert.ok(!importGraph(join(src, 'core', 'index.ts')).packages.has('zod'));
});
