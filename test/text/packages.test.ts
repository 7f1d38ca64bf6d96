// The optional packages (extras): one table, the same as package.json's optional peerDependencies and the README's
// extras table, and a missing package of an extra becomes one line naming the install command.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EXTRAS, MissingPackageError, installCommand, loadExtra, type ExtraName } from '../../src/text/packages.js';
import { XorlabError } from '../../src/text/errors.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
};
const extras = Object.keys(EXTRAS) as ExtraName[];

test("every extra's package is an optional peer dependency with the same range, and a devDependency of the clone", () => {
  const inTable = new Map(extras.flatMap((extra) => Object.entries(EXTRAS[extra].packages)));
  assert.deepEqual([...inTable.keys()].sort(), Object.keys(pkg.peerDependencies).sort());
  for (const [name, range] of inTable) {
    assert.equal(pkg.peerDependencies[name], range, name);
    assert.equal(pkg.peerDependenciesMeta[name]?.optional, true, name);
    assert.equal(pkg.devDependencies[name], range, `${name}: a clone installs every extra, for its tests`);
    assert.equal(pkg.dependencies[name], undefined, `${name} is installed by every project that installs xorlab`);
  }
});

test("the README's extras table gives each extra's install command", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  for (const extra of extras)
    assert.ok(readme.includes(`| \`${installCommand(extra)}\` |`), `README.md lacks ${installCommand(extra)}`);
});

test('a missing package of an extra is a MissingPackageError naming it and the install command; other failures pass through', async () => {
  const absent: string = 'pg-connection-string-that-is-not-there';
  const missing = await loadExtra('postgres', () => import(absent)).catch((e: unknown) => e);
  assert.ok(!(missing instanceof MissingPackageError), "a package outside the extra is not reported as the extra's");
  const notFound = Object.assign(new Error("Cannot find package 'pg' imported from /x/dist/store/postgres/open.js"), {
    code: 'ERR_MODULE_NOT_FOUND',
  });
  const error = await loadExtra('postgres', () => Promise.reject(notFound)).catch((e: unknown) => e);
  assert.ok(error instanceof MissingPackageError && error instanceof XorlabError);
  assert.equal(
    error.message,
    "PostgreSQL stores (--db postgres://...) need the npm package pg, which is not installed; install it with: npm install 'pg@^8.23.1' 'pg-connection-string@^2.14.1' 'pgpass@^1.0.6'",
  );
  const required = Object.assign(new Error("Cannot find module 'dejavu-fonts-ttf/package.json'"), {
    code: 'MODULE_NOT_FOUND',
  });
  const font = await loadExtra('charts', () => {
    throw required;
  }).catch((e: unknown) => e);
  assert.match(
    (font as Error).message,
    /need the npm package dejavu-fonts-ttf, which is not installed; install it with: npm install 'vega@/,
  );
  const other = new Error('boom');
  assert.equal(await loadExtra('charts', () => Promise.reject(other)).catch((e: unknown) => e), other);
  assert.equal(await loadExtra('mongodb', () => 42), 42);
});
