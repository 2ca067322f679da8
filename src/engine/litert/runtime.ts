import * as path from 'node:path';
import { toError } from '../../to-error';
import * as fs from 'node:fs/promises';
import { type PrecompiledLiteRt, wasmApi } from './shared-wasm';
import { installLiteRtShim } from './shim';
import { LITERT_GLUE_FILES, type LiteRtBuild, liteRtWasmDir, liteRtWasmFile, supportedLiteRtBuild } from './wasm-build';

/** The LiteRT.js module (ESM, loaded with import() from this CommonJS package). */
export type LiteRtModule = typeof import('@litertjs/core', { with: { 'resolution-mode': 'import' }});

/** LiteRT.js loaded in this worker, and which build of it. */
export interface LiteRtRuntime {
  lib: LiteRtModule;
  build: LiteRtBuild;
  /** The glue file that was evaluated. */
  glue: string;
  /**
   * Where the wasm module's code came from: `shared`, the module compiled once by the thread that started this
   * worker; `own`, compiled here (no shared module given, or instantiating it failed).
   */
  wasmSource: 'shared' | 'own';
}

/** Lines the wasm module wrote to stderr, INFO lines left out: the last few explain a failed load. */
const recentLog: string[] = [];

function logLine(line: string): void {
  if (line.startsWith('INFO:')) return;
  recentLog.push(line);
  if (recentLog.length > 8) recentLog.shift();
}

/**
 * Runs `load` with LiteRT.js's one warning for Node left out: it looks for a WebGPU device (Node has
 * none) and warns when there is none; the wasm CPU accelerator it then uses is all this package asks for.
 */
async function quietly<T>(load: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('Failed to create default WebGPU device')) return;
    warn(...args);
  };
  try {
    return await load();
  } finally {
    console.warn = warn;
  }
}

let loading: Promise<LiteRtRuntime> | undefined;

/**
 * Loads LiteRT.js once per worker thread: the shim, then the build this runtime supports from the
 * package's wasm/ folder (or MOBILENET_LITERT_WASM_DIR), instantiated from `precompiled` when the
 * thread that started this worker compiled it (shared-wasm.ts). A failed load is not cached, so the
 * error is the same every time it is asked for.
 */
export function loadLiteRtRuntime(precompiled?: PrecompiledLiteRt): Promise<LiteRtRuntime> {
  loading ??= load(precompiled).catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/**
 * Emscripten's hook for instantiating the module itself: from the precompiled module (no compile in this thread),
 * or, should that fail, from the file as emscripten would. Emscripten gives the hook no way to fail (its load would
 * wait forever), so a failure of both goes to `failed`, which ends the load with the error.
 */
function instantiateFrom(
  precompiled: PrecompiledLiteRt,
  wasmFile: string,
  source: { wasm: 'shared' | 'own' },
  failed: (error: Error) => void,
) {
  return (imports: object, done: (instance: object, module: object) => void): object => {
    wasmApi()
      .instantiate(precompiled.module, imports)
      .then(
        (instance) => {
          source.wasm = 'shared';
          done(instance, precompiled.module);
        },
        async () => {
          const module = await wasmApi().compile(await fs.readFile(wasmFile));
          done(await wasmApi().instantiate(module, imports), module);
        },
      )
      .catch((error: unknown) => failed(new Error(`instantiating ${wasmFile} failed: ${toError(error).message}`)));
    return {}; // the exports arrive through done()
  };
}

async function load(precompiled?: PrecompiledLiteRt): Promise<LiteRtRuntime> {
  installLiteRtShim();
  const build = precompiled?.build ?? supportedLiteRtBuild();
  const glue = path.join(liteRtWasmDir(), LITERT_GLUE_FILES[build]);
  try {
    const lib = (await import('@litertjs/core')) as LiteRtModule;
    // The emscripten module reads print/printErr (and instantiateWasm) from self.Module; LiteRT.js clears it after.
    const source: { wasm: 'shared' | 'own' } = { wasm: 'own' };
    let failed: (error: Error) => void = () => undefined;
    const hookFailed = new Promise<never>((_, reject) => {
      failed = reject;
    });
    const hook = precompiled ? instantiateFrom(precompiled, liteRtWasmFile(build), source, failed) : undefined;
    (globalThis as Record<string, unknown>).Module = {
      print: logLine,
      printErr: logLine,
      ...(hook ? { instantiateWasm: hook } : {}),
    };
    await Promise.race([quietly(() => lib.loadLiteRt(glue)), hookFailed]);
    return { lib, build, glue, wasmSource: source.wasm };
  } catch (error) {
    const detail = recentLog.length ? ` (${recentLog.join(' | ')})` : '';
    throw new Error(`LiteRT.js could not load its ${build} build from ${glue}: ${toError(error).message}${detail}`);
  }
}
