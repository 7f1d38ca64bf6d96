// No dead exports: every name a file under src/ exports is imported by another file (in src/, test/ or examples/,
// the pages' code included) or is part of the package's surface. An export nobody imports is either a name only its
// own file uses (drop the `export`) or code nothing uses (delete it); either way a reader of the file is told
// something false about who depends on it.
// The surface: everything the entry files export. Entries are what runs or is imported from outside src/: the
// package's "exports" and its bench script (package.json), the bin's target (bin/xorlab.js), the Node worker
// threads (started by name through study/run/worker-entry.ts's workerEntry) and the browser pages and their workers
// (every top-level .ts of src/web/pages/, scripts/build-web.mjs's entries). A name re-exported by an entry counts as
// used, along the whole chain of `export { x } from` and `export * from` that brings it there.
// One TypeScript Program (tsconfig.test.json's files plus tsconfig.web.json's) and its checker resolve each import
// to the declaration it names, so a renamed import, a type-only import and a re-export are all followed.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

/** The file names of a tsconfig, as tsc would compile them. */
function configFiles(name: string): { files: string[]; options: ts.CompilerOptions } {
  const path = join(root, name);
  const read = ts.readConfigFile(path, (file) => ts.sys.readFile(file));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, path);
  return { files: parsed.fileNames, options: parsed.options };
}

/** `dist/x/y.js` (a path the package runs) -> `src/x/y.ts`. */
function sourceOf(distPath: string): string {
  const match = /^(?:\.\/|\.\.\/)*dist\/(.+)\.js$/.exec(distPath);
  assert.ok(match, `not a dist/ path: ${distPath}`);
  return join(src, `${match[1]}.ts`);
}

/** The entry files whose exports are the surface (see the header). */
function entryFiles(program: ts.Program): Set<string> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    exports: Record<string, string | { default: string }>;
    scripts: Record<string, string>;
  };
  const entries = new Set<string>();
  for (const target of Object.values(pkg.exports)) {
    const path = typeof target === 'string' ? target : target.default;
    if (path.endsWith('.js')) entries.add(sourceOf(path));
  }
  for (const script of Object.values(pkg.scripts))
    for (const match of script.matchAll(/\bnode (dist\/\S+\.js)/g)) entries.add(sourceOf(match[1]));
  for (const match of readFileSync(join(root, 'bin', 'xorlab.js'), 'utf8').matchAll(
    /['"](\.\.\/dist\/[^'"]+\.js)['"]/g,
  ))
    // The bin runs the CLI's bundle (scripts/build.mjs), made from tsc's dist/cli/main.js.
    entries.add(sourceOf(match[1].replace('/dist/cli-bundle/main.js', '/dist/cli/main.js')));
  const pages = join(src, 'web', 'pages');
  for (const name of readdirSync(pages))
    if (name.endsWith('.ts') && !name.endsWith('.d.ts')) entries.add(join(pages, name));
  // Node workers: workerEntry(import.meta.url, 'name') starts ./name.ts|.js beside the caller.
  for (const file of program.getSourceFiles()) {
    if (!file.fileName.startsWith(src + sep) && !file.fileName.startsWith(`${src}/`)) continue;
    const visit = (node: ts.Node): void => {
      if (
        ts.isCallExpression(node) &&
        ts.isIdentifier(node.expression) &&
        node.expression.text === 'workerEntry' &&
        node.arguments.length === 2 &&
        ts.isStringLiteral(node.arguments[1])
      )
        entries.add(join(dirname(file.fileName), `${node.arguments[1].text}.ts`));
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  for (const entry of entries)
    assert.ok(program.getSourceFile(entry), `entry ${relative(root, entry)} is not compiled`);
  return new Set([...entries].map((entry) => resolve(entry)));
}

/** `path: name` for every export under src/ that no other file imports and no entry exposes. */
function unusedExports(): string[] {
  const test = configFiles('tsconfig.test.json');
  const web = configFiles('tsconfig.web.json');
  // Only our own files: what the imports of node_modules' declarations resolve to does not matter here, and leaving
  // them (and the standard library's) out halves the time.
  const options = { ...test.options, noResolve: true, noLib: true, types: [] };
  const program = ts.createProgram([...new Set([...test.files, ...web.files])], options);
  const checker = program.getTypeChecker();
  const entries = entryFiles(program);
  const ownFiles = program
    .getSourceFiles()
    .filter((file) => !file.isDeclarationFile && !file.fileName.includes('/node_modules/'));
  const inSrc = (file: ts.SourceFile): boolean => resolve(file.fileName).startsWith(src + sep);

  const used = new Set<ts.Symbol>();
  /** Marks a symbol and every re-export it goes through, down to the declaration. */
  const use = (symbol: ts.Symbol | undefined): void => {
    while (symbol !== undefined && !used.has(symbol)) {
      used.add(symbol);
      symbol = symbol.flags & ts.SymbolFlags.Alias ? checker.getImmediateAliasedSymbol(symbol) : undefined;
    }
  };
  const moduleOf = (specifier: ts.Expression | undefined): ts.Symbol | undefined =>
    specifier === undefined ? undefined : checker.getSymbolAtLocation(specifier);
  /** The module an expression reads when it holds an import() call: (await import('./x.js')), loadExtra(() => import(...)). */
  const loadedModule = (node: ts.Node): ts.Symbol | undefined => {
    const call = dynamicImport(node);
    return call === undefined ? undefined : moduleOf(call.arguments[0]);
  };
  const useAll = (module: ts.Symbol | undefined): void => {
    if (module !== undefined) for (const symbol of checker.getExportsOfModule(module)) use(symbol);
  };

  for (const file of ownFiles) {
    const isEntry = entries.has(resolve(file.fileName));
    // An entry's exports are the surface, whatever chain brings them there.
    if (isEntry) useAll(checker.getSymbolAtLocation(file));
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && node.importClause !== undefined) {
        const clause = node.importClause;
        if (clause.name) use(checker.getSymbolAtLocation(clause.name));
        const bindings = clause.namedBindings;
        if (bindings && ts.isNamedImports(bindings))
          for (const element of bindings.elements) use(checker.getSymbolAtLocation(element.name));
        // `import * as ns`: what is read through ns is found below (property accesses).
      } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined) {
        // A re-export uses what it names; an entry's `export *` was handled above, another file's `export *` is
        // followed when something imports through it.
        if (node.exportClause && ts.isNamedExports(node.exportClause))
          for (const element of node.exportClause.elements) use(checker.getSymbolAtLocation(element.name));
        else if (node.exportClause && ts.isNamespaceExport(node.exportClause)) useAll(moduleOf(node.moduleSpecifier));
      } else if (ts.isImportTypeNode(node) && node.qualifier !== undefined) {
        // typeof import('./x.js').name
        const name = ts.isIdentifier(node.qualifier) ? node.qualifier : node.qualifier.right;
        use(checker.getSymbolAtLocation(name));
      } else if (ts.isPropertyAccessExpression(node) || ts.isQualifiedName(node)) {
        // ns.name (a namespace import) and (await import('./x.js')).name
        const target = ts.isPropertyAccessExpression(node) ? node.expression : node.left;
        const name = ts.isPropertyAccessExpression(node) ? node.name : node.right;
        const symbol = ts.isIdentifier(target) ? checker.getSymbolAtLocation(target) : undefined;
        if (symbol?.declarations?.some((d) => ts.isNamespaceImport(d))) use(checker.getSymbolAtLocation(name));
        const loaded = loadedModule(target);
        if (loaded !== undefined && ts.isIdentifier(name)) use(checker.tryGetMemberInModuleExports(name.text, loaded));
      } else if (ts.isVariableDeclaration(node) && ts.isObjectBindingPattern(node.name) && node.initializer) {
        // const { name } = await import('./x.js')
        const loaded = loadedModule(node.initializer);
        if (loaded !== undefined)
          for (const element of node.name.elements) {
            const key = element.propertyName ?? element.name;
            if (ts.isIdentifier(key)) use(checker.tryGetMemberInModuleExports(key.text, loaded));
          }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }

  const unused: string[] = [];
  for (const file of ownFiles.filter(inSrc)) {
    const module = checker.getSymbolAtLocation(file);
    if (module === undefined) continue; // a script, no exports
    for (const symbol of checker.getExportsOfModule(module)) {
      // Only what this file itself declares or re-exports by name; `export *` names are the other file's.
      const declaredHere = symbol.declarations?.some((d) => d.getSourceFile() === file) ?? false;
      if (declaredHere && !used.has(symbol)) unused.push(`${relative(root, file.fileName)}: ${symbol.name}`);
    }
  }
  return unused.sort();
}

function dynamicImport(node: ts.Node): ts.CallExpression | undefined {
  if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) return node;
  return ts.forEachChild(node, dynamicImport);
}

test('every export under src/ is imported by another file or is part of an entry point', () => {
  const unused = unusedExports();
  assert.deepEqual(
    unused,
    [],
    `${unused.length} exports that no other file imports (drop the \`export\` if only the file itself uses the ` +
      `name, delete the code if nothing does):\n${unused.join('\n')}`,
  );
});
