// How to start a worker thread whose file sits next to the caller's module: from dist the compiled .js file;
// from the sources (tests and tools through tsx) the .ts file, loaded by a small bootstrap that registers tsx
// first (Node 20 does not apply `--import tsx` to a worker's entry file).

/** The `new Worker(entry, { eval })` arguments for `./<name>.js|.ts` beside the module at `callerUrl`. */
export function workerEntry(callerUrl: string, name: string): { entry: string | URL; eval: boolean } {
  if (!callerUrl.endsWith('.ts')) return { entry: new URL(`./${name}.js`, callerUrl), eval: false };
  const tsx = import.meta.resolve('tsx/esm/api');
  const source = new URL(`./${name}.ts`, callerUrl).href;
  const code = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(source)}); });`;
  return { entry: code, eval: true };
}
