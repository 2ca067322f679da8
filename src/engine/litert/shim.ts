/**
 * LiteRT.js is written for browsers and web workers: it loads its emscripten glue with
 * `importScripts` (or a <script> tag) and reads `self.ModuleFactory`. In Node it runs once those
 * few worker globals exist. They change how other libraries see the process (tfjs-backend-wasm
 * takes its browser path when `self` exists), so they are only ever set inside a worker thread,
 * after any TF.js wasm backend there has initialised.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { isMainThread } from 'node:worker_threads';

/**
 * Evaluates one emscripten glue file as CommonJS. The package is `"type": "module"`, so `require`
 * would read the file as ESM; its UMD tail assigns `module.exports` when `module` is in scope.
 */
function evaluateGlue(file: string): unknown {
  const source = fs.readFileSync(file, 'utf8');
  const wrapper = vm.compileFunction(source, ['exports', 'require', 'module', '__filename', '__dirname'], {
    filename: file,
  });
  const module = { exports: {} as unknown };
  wrapper(module.exports, createRequire(file), module, file, path.dirname(file));
  return module.exports;
}

let installed = false;
/** The globals the shim set (and did not find), so uninstall removes exactly those. */
const added: string[] = [];

/** Sets the worker globals LiteRT.js expects. Refuses on the main thread. Idempotent. */
export function installLiteRtShim(): void {
  if (installed) return;
  if (isMainThread) {
    throw new Error(
      'The LiteRT.js shim runs only inside a worker thread: it sets globals (self, importScripts) that change how ' +
        'other libraries behave on the main thread',
    );
  }
  const scope = globalThis as Record<string, unknown>;
  const define = (name: string, value: unknown) => {
    if (name in scope) return;
    scope[name] = value;
    added.push(name);
  };
  define('self', globalThis);
  define('importScripts', (...files: string[]) => {
    for (const file of files) {
      const factory = evaluateGlue(file);
      if (typeof factory !== 'function') {
        throw new Error(`LiteRT.js glue ${file} exported no module factory: the shim no longer fits this version`);
      }
      scope.ModuleFactory = factory;
    }
  });
  // Node 21+ has a global navigator; the threaded build reads hardwareConcurrency from it.
  define('navigator', { hardwareConcurrency: os.availableParallelism() });
  installed = true;
}

/**
 * Removes the globals installLiteRtShim set, for a worker that falls back to TF.js after LiteRT.js
 * failed to load: tfjs-backend-wasm must not see a `self` and take its browser path.
 */
export function uninstallLiteRtShim(): void {
  const scope = globalThis as Record<string, unknown>;
  for (const name of [...added, 'ModuleFactory', 'Module']) delete scope[name];
  added.length = 0;
  installed = false;
}
