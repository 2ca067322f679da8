import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Which Node-RED the main job runs. `NODE_RED_RUNTIME` names the package directory of another
 * install (for instance Node-RED 5 beside this repository's Node-RED 4.1, as `npm test` runs it on
 * Node 22); unset, it is the Node-RED in this repository's dependencies.
 */
export function nodeRedDir(env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env.NODE_RED_RUNTIME;
  if (!chosen) return path.dirname(require.resolve('node-red/package.json'));
  const dir = path.resolve(chosen);
  if (!fs.existsSync(path.join(dir, 'package.json')))
    throw new Error(`NODE_RED_RUNTIME=${chosen} holds no package.json: name the node-red package directory`);
  return dir;
}

/** The chosen Node-RED's version, from its package.json. */
export function nodeRedVersion(dir: string = nodeRedDir()): string {
  return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Loads the chosen Node-RED (its main module). */
export function requireNodeRed<T>(dir: string = nodeRedDir()): T {
  return require(dir) as T;
}
