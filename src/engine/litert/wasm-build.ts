import * as path from 'node:path';

/** Which of LiteRT.js's wasm builds runs here. */
export type LiteRtBuild = 'relaxed-simd' | 'compat';

/** The glue file of each build, in the package's wasm/ folder. */
export const LITERT_GLUE_FILES: Readonly<Record<LiteRtBuild, string>> = {
  'relaxed-simd': 'litert_wasm_internal.js',
  compat: 'litert_wasm_compat_internal.js',
};

/** The wasm module of each build, beside its glue file. */
export const LITERT_WASM_FILES: Readonly<Record<LiteRtBuild, string>> = {
  'relaxed-simd': 'litert_wasm_internal.wasm',
  compat: 'litert_wasm_compat_internal.wasm',
};

/**
 * A module of one function using a relaxed-SIMD instruction (two i8x16.splat, then i8x16.relaxed_swizzle,
 * opcode 0xfd 0x100): it validates only where the runtime has relaxed SIMD (Node 22+, or Node 20 with
 * --experimental-wasm-relaxed-simd). The probe of the wasm-feature-detect library, which LiteRT.js's browser
 * build choice follows. (An earlier probe here was not valid wasm anywhere, so the compat build always ran.)
 */
export const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 15, 1, 13, 0, 65, 1, 253, 15, 65, 2, 253, 15,
  253, 128, 2, 11,
]);

/** The fastest build this runtime can run: relaxed SIMD when available, compat (plain SIMD) otherwise. */
export function supportedLiteRtBuild(): LiteRtBuild {
  // Node has WebAssembly; the ES2022 lib this package compiles against does not declare it.
  const { WebAssembly } = globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } };
  return WebAssembly.validate(RELAXED_SIMD_PROBE) ? 'relaxed-simd' : 'compat';
}

/** Env var naming another folder of LiteRT.js wasm files (tests point it at an empty one). */
export const LITERT_WASM_DIR_ENV = 'MOBILENET_LITERT_WASM_DIR';

/** The wasm module of a build, in the folder liteRtWasmDir() names. */
export function liteRtWasmFile(build: LiteRtBuild): string {
  return path.join(liteRtWasmDir(), LITERT_WASM_FILES[build]);
}

/** The package's own wasm/ folder, unless MOBILENET_LITERT_WASM_DIR names another. */
export function liteRtWasmDir(): string {
  const override = process.env[LITERT_WASM_DIR_ENV];
  if (override) return path.resolve(override);
  return path.join(path.dirname(require.resolve('@litertjs/core/package.json')), 'wasm');
}
