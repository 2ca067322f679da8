import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findCatalogEntry, redactUserinfo } from '../src';

/** Where the cache is when MOBILENET_CACHE is not set (the store's default). */
function cacheDirOf(cacheDir: string | undefined): string {
  return cacheDir ?? path.join(os.homedir(), '.cache', 'node-red-contrib-mobilenet-mqtt');
}

/** The start line for MOBILENET_MODEL: what kind of model it is and where it will come from. */
export function describeModel(model: string, cacheDir: string | undefined): string {
  if (findCatalogEntry(model)) {
    return (
      `${model} (catalog model: downloaded once into ${cacheDirOf(cacheDir)}, then used offline; ` +
      'loading in the background)'
    );
  }
  if (/^https?:\/\//i.test(model)) {
    return `${redactUserinfo(model)} (URL: downloaded once into ${cacheDirOf(cacheDir)}; loading in the background)`;
  }
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(model);
  } catch {
    return (
      `${model} (not found on disk: MOBILENET_MODEL takes a catalog name, a folder with model.json, ` +
      'a .tflite file or an http(s) URL)'
    );
  }
  const kind = stat.isDirectory() ? 'a folder on disk' : 'a file on disk';
  return `${model} (${kind}, nothing to download; loading in the background)`;
}

/**
 * What a user of `npm start` can do when the model could not be loaded: the main job is configured
 * by environment variables, so the advice names MOBILENET_MODEL rather than the editor's model node.
 */
export function startAdvice(model: string): string {
  const fetchable = findCatalogEntry(model) !== undefined || /^https?:\/\//i.test(model);
  const onDisk = 'MOBILENET_MODEL=<folder with model.json, or a .tflite file> npm start';
  return fetchable
    ? `what to do: without internet, ${onDisk}; or, once while online, npx mobilenet fetch ${redactUserinfo(model)}`
    : `what to do: ${onDisk}, or a catalog name (npx mobilenet fetch --list)`;
}
