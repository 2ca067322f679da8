export { CompiledTflite, type LiteRtDtype, type TfliteOutput, type TfliteTensorInfo } from './compiled-tflite';
export { liveLiteRtObjects } from './ledger';
export { type RunTfliteResult, runTflite, runTfliteOnce } from './run-once';
export { type LiteRtBuild, LITERT_WASM_DIR_ENV, supportedLiteRtBuild } from './wasm-build';
