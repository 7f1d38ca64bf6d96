// The project's TypeScript lib (ES2022, no DOM) does not declare WebAssembly; these are the few parts used here.

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export interface WasmApi {
  Module: new (bytes: ArrayBuffer | ArrayBufferView) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
