import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ModelGraph } from '../model/graph';
import { hashFilesInOrder } from '../model/hash-files';
import { readModelJson } from '../model/model-files';
import { cacheDir } from '../store/cache';

/**
 * Bumped whenever the writer's output changes for the same graph, so files written by an older
 * version are not reused.
 */
export const TFLITE_WRITER_VERSION = 1;

export interface TfliteForOptions {
  /** Where files go when the model's folder cannot be written (default: the model cache). */
  cacheDir?: string;
  /** Runs only when a folder's graph has to be read (no file yet): e.g. choosing the TF.js backend that reads it. */
  beforeRead?: () => Promise<void>;
}

/** A graph with the identity of what it was built from (architecture, weights), for the file name. */
export interface KeyedGraph {
  graph: ModelGraph;
  /** Changes whenever the graph would: hash its source, not its name. */
  key: string;
}

const ENOUGH_HEX = 16;

/** What a layers model folder's float32 file depends on: model.json, every shard it lists, the writer. */
async function folderKey(dir: string): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`tflite writer ${TFLITE_WRITER_VERSION}\n`);
  hash.update(await fs.readFile(path.join(dir, 'model.json')));
  const model = await readModelJson(dir);
  const shards = model.weightsManifest.flatMap((group) => group.paths.map((shard) => path.join(dir, shard)));
  await hashFilesInOrder(hash, shards, (_file, error) => error);
  return hash.digest('hex').slice(0, ENOUGH_HEX);
}

function graphKey(key: string): string {
  return createHash('sha256')
    .update(`tflite writer ${TFLITE_WRITER_VERSION}\n${key}`)
    .digest('hex')
    .slice(0, ENOUGH_HEX);
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

/** Writes beside the final name and renames: a reader never sees half a file, and two writers never mix. */
async function writeAtomically(file: string, bytes: Uint8Array): Promise<void> {
  const temporary = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await fs.writeFile(temporary, bytes);
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}

async function lookUp(
  source: string | KeyedGraph,
  options: TfliteForOptions,
): Promise<{ found?: string; cached: string }> {
  const key = typeof source === 'string' ? await folderKey(source) : graphKey(source.key);
  const name = `model-${key}.float32.tflite`;
  const cached = path.join(options.cacheDir ?? cacheDir(), 'tflite', name);
  const beside = typeof source === 'string' ? path.join(source, name) : undefined;
  for (const candidate of [beside, cached])
    if (candidate && (await exists(candidate))) return { found: candidate, cached };
  return { cached };
}

/**
 * The float32 `.tflite` tfliteFor would return for a layers model folder, if it has been written already;
 * undefined otherwise (nothing is written). `Classifier.load` looks it up while its workers start, so they need
 * not hash the weights again to find it.
 */
export async function writtenTfliteFor(
  dir: string,
  options: Pick<TfliteForOptions, 'cacheDir'> = {},
): Promise<string | undefined> {
  return (await lookUp(dir, options)).found;
}

/**
 * The path of a float32 `.tflite` of a model, written once into `<cache>/tflite/` as
 * `model-<key>.float32.tflite`, for a TF.js layers model folder (Teachable Machine exports
 * included) or a graph (the architecture builder's networks); one already beside the model is used.
 * `<key>` hashes model.json, the weights and the writer version,
 * so changed weights or a newer writer make a new file and an unchanged model reuses its file.
 * Loading a folder's graph uses the active TF.js backend, and only happens when no file exists.
 */
export async function tfliteFor(source: string | KeyedGraph, options: TfliteForOptions = {}): Promise<string> {
  const { found, cached } = await lookUp(source, options);
  if (found) return found;

  let graph: ModelGraph;
  if (typeof source === 'string') {
    await options.beforeRead?.();
    // TF.js (the layers reader) is loaded only here: a model whose file exists runs without it.
    const { loadModelGraph } = require('./model-graph') as typeof import('./model-graph');
    graph = (await loadModelGraph('layers', source)).graph;
  } else {
    graph = source.graph;
  }
  // The writer (and flatbuffers) too: a worker starting on a file written before never loads them.
  const { writeTflite } = require('../model/tflite/write-tflite') as typeof import('../model/tflite/write-tflite');
  const bytes = writeTflite(graph);
  // Always into the cache: a user's model folder (a checkout, a shared or read-only mount, an export
  // that is replaced) is never written to. A file already beside the model is still used.
  await fs.mkdir(path.dirname(cached), { recursive: true });
  await writeAtomically(cached, bytes);
  return cached;
}
