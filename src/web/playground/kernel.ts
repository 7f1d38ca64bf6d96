// The WebAssembly kernel for the page's workers: fetched and compiled once, then handed to every worker as a
// compiled module (structured clone shares it; no worker fetches or compiles again, and no bundle carries it
// as base64).

let compiled: Promise<WebAssembly.Module> | null = null;

export function kernelModule(): Promise<WebAssembly.Module> {
  compiled ??= compile().catch((error: unknown) => {
    compiled = null; // let a later study try again
    throw error;
  });
  return compiled;
}

async function compile(): Promise<WebAssembly.Module> {
  const url = new URL('./lockstep.wasm', import.meta.url);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot load the WebAssembly kernel ${url.pathname} (HTTP ${response.status})`);
  // Streaming compilation needs the server to say application/wasm; a static host that does not gets the
  // bytes compiled instead.
  const type = response.headers.get('Content-Type') ?? '';
  if (type.startsWith('application/wasm')) return WebAssembly.compileStreaming(response);
  return WebAssembly.compile(await response.arrayBuffer());
}
