import * as os from 'node:os';
import * as path from 'node:path';

export const CACHE_ENV = 'MOBILENET_CACHE';

/** Where downloaded models live: $MOBILENET_CACHE, else ~/.cache/node-red-contrib-mobilenet-mqtt. */
export function cacheDir(): string {
  const fromEnv = process.env[CACHE_ENV];
  if (fromEnv && fromEnv.trim() !== '') return path.resolve(fromEnv);
  return path.join(os.homedir(), '.cache', 'node-red-contrib-mobilenet-mqtt');
}
