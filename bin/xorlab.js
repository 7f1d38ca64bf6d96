#!/usr/bin/env node
// The CLI runs from the compiled output; `npm install` builds it (the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli-bundle/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    'xorlab: the build output is missing; run `npm run build` (or `npm install`) in the xorlab folder first\n',
  );
  process.exit(2);
}
await import(entry.href);
