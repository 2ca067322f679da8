import { toError } from '../to-error';
/**
 * Bytes per stored value, as tfjs-core's DTYPE_VALUE_SIZE_MAP (a quantised weight is stored as its quantisation dtype).
 */
const BYTES_PER_VALUE: Readonly<Record<string, number>> = {
  float32: 4,
  float16: 2,
  int32: 4,
  uint16: 2,
  uint8: 1,
  bool: 1,
  complex64: 8,
};

/** One weight group of a model.json: its shard files, in order, and how many bytes they must add up to. */
export interface WeightGroup {
  paths: string[];
  /** Undefined when a string weight makes the size unknowable before reading the data. */
  expectedBytes: number | undefined;
}

interface ManifestWeight {
  name?: unknown;
  shape?: unknown;
  dtype?: unknown;
  quantization?: { dtype?: unknown };
}

function fail(source: string, problem: string): never {
  throw new Error(`${source} is not a usable TF.js model.json: ${problem}`);
}

function weightBytes(weight: ManifestWeight, source: string): number | undefined {
  const name = typeof weight.name === 'string' ? weight.name : '(unnamed)';
  if (!Array.isArray(weight.shape) || !weight.shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
    fail(source, `weight ${name} has no valid shape`);
  }
  const size = (weight.shape as number[]).reduce((product, d) => product * d, 1);
  const stored = weight.quantization !== undefined ? weight.quantization.dtype : weight.dtype;
  if (stored === 'string' && weight.quantization === undefined) return undefined;
  const bytesPerValue = typeof stored === 'string' ? BYTES_PER_VALUE[stored] : undefined;
  if (bytesPerValue === undefined) {
    fail(
      source,
      `weight ${name} has dtype ${String(stored)}; valid dtypes are ${Object.keys(BYTES_PER_VALUE).join(', ')}, string`,
    );
  }
  return size * bytesPerValue;
}

/** A shard path must stay inside the model folder: no absolute paths, no '..', no URLs. */
function checkShardPath(shardPath: unknown, source: string): string {
  if (typeof shardPath !== 'string' || shardPath === '')
    fail(source, 'a weightsManifest path is not a non-empty string');
  const parts = shardPath.split(/[\\/]/);
  if (
    shardPath.startsWith('/') ||
    /^[a-z][a-z0-9+.-]*:/i.test(shardPath) ||
    parts.some((p) => p === '..' || p === '')
  ) {
    fail(source, `weightsManifest path "${shardPath}" must be a relative file name inside the model folder`);
  }
  return shardPath;
}

/**
 * Reads the weight groups from model.json text. `source` (a URL or path) names the file in errors.
 * Checks the structure only; the shard bytes are checked against `expectedBytes` by the caller.
 */
export function readWeightGroups(modelJsonText: string, source: string): WeightGroup[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(modelJsonText);
  } catch (error) {
    fail(source, `invalid JSON (${toError(error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object') fail(source, 'it is not a JSON object');
  const manifest = (parsed as { weightsManifest?: unknown }).weightsManifest;
  if (!Array.isArray(manifest)) fail(source, 'it has no weightsManifest array');
  if (!('modelTopology' in (parsed as object))) fail(source, 'it has no modelTopology');
  const seen = new Set<string>();
  return manifest.map((group: { paths?: unknown; weights?: unknown }, index: number) => {
    if (!group || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      fail(source, `weightsManifest[${index}] needs "paths" and "weights" arrays`);
    }
    const paths = group.paths.map((p) => checkShardPath(p, source));
    for (const p of paths) {
      if (seen.has(p)) fail(source, `weightsManifest lists shard "${p}" twice`);
      seen.add(p);
    }
    let expectedBytes: number | undefined = 0;
    for (const weight of group.weights as ManifestWeight[]) {
      const bytes = weightBytes(weight ?? {}, source);
      expectedBytes = bytes === undefined || expectedBytes === undefined ? undefined : expectedBytes + bytes;
    }
    return { paths, expectedBytes };
  });
}
