import * as fs from 'node:fs/promises';
import { type LiteRtBuild, liteRtWasmFile, supportedLiteRtBuild } from './wasm-build';

/** A compiled WebAssembly.Module (the ES2022 lib this package compiles against does not declare WebAssembly). */
export type WasmModule = object;

/** The part of WebAssembly this package calls. */
export interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  /** With a compiled module: its instance. */
  instantiate(module: WasmModule, imports: object): Promise<object>;
}

export const wasmApi = (): WasmApi => (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** LiteRT.js's wasm module compiled by the thread that starts the inference workers, and which build it is. */
export interface PrecompiledLiteRt {
  build: LiteRtBuild;
  module: WasmModule;
}

/** Compiles in progress, and compiled modules while anything still holds them (a pool's workers, a load). */
const compiling = new Map<string, Promise<PrecompiledLiteRt | undefined>>();
const compiled = new Map<string, WeakRef<PrecompiledLiteRt>>();

/**
 * LiteRT.js's 9.3 MB wasm module, compiled once per process and handed to every inference worker: V8 shares a
 * WebAssembly.Module's machine code between the threads it is posted to, so N workers (and every model loaded
 * in one Node-RED) compile it once and hold its code once, instead of once per worker. Held weakly: once no
 * worker uses it, it can go. `undefined` when it cannot be compiled here: each worker then loads LiteRT.js on
 * its own and reports what went wrong, with the model.
 */
export function precompiledLiteRt(): Promise<PrecompiledLiteRt | undefined> {
  const build = supportedLiteRtBuild();
  const file = liteRtWasmFile(build);
  const held = compiled.get(file)?.deref();
  if (held) return Promise.resolve(held);
  let pending = compiling.get(file);
  if (!pending) {
    pending = fs
      .readFile(file)
      .then((bytes) => wasmApi().compile(bytes))
      .then(
        (module): PrecompiledLiteRt => {
          const precompiled = { build, module };
          compiled.set(file, new WeakRef(precompiled));
          return precompiled;
        },
        () => undefined,
      )
      .finally(() => compiling.delete(file));
    compiling.set(file, pending);
  }
  return pending;
}
