import { LabelSetError } from './errors';

/**
 * Checks an embedding (length, finite values, not all zeros) and returns an L2-normalised copy, so cosine
 * similarity is a plain dot product everywhere below.
 */
export function toUnitVector(embedding: unknown, size: number, what = 'embedding'): Float32Array {
  if (!(embedding instanceof Float32Array) && !Array.isArray(embedding)) {
    throw new LabelSetError(
      'bad-embedding',
      `${what} must be a Float32Array (from classifier.embed), got ${describe(embedding)}`,
    );
  }
  if (embedding.length !== size) {
    throw new LabelSetError(
      'bad-embedding',
      `${what} has ${embedding.length} values but this label set's model gives ${size}: ` +
        'was it computed with another model?',
    );
  }
  const out = new Float32Array(size);
  let sumOfSquares = 0;
  for (let i = 0; i < size; i++) {
    const value = embedding[i];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new LabelSetError('bad-embedding', `${what} value ${i} is ${String(value)}, not a finite number`);
    }
    out[i] = value;
    sumOfSquares += value * value;
  }
  if (sumOfSquares === 0)
    throw new LabelSetError('bad-embedding', `${what} is all zeros: it has no direction to compare`);
  const scale = 1 / Math.sqrt(sumOfSquares);
  for (let i = 0; i < size; i++) out[i] *= scale;
  return out;
}

/**
 * Dot product of two vectors of the same length (cosine similarity for unit vectors). Four sums at once: k-NN
 * takes one per example (2,000 × 1,280 values for a full V2 set), and V8 runs this about 1.7× faster than one sum.
 */
export function dot(a: Float32Array, b: Float32Array): number {
  const n = a.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  for (; i < n; i++) s0 += a[i] * b[i];
  return s0 + s1 + s2 + s3;
}

/** The normalised mean of unit vectors: a class prototype (weight imprinting, Qi et al. 2018). */
export function normalizedMean(vectors: readonly Float32Array[]): Float32Array {
  const size = vectors[0].length;
  const sum = new Float32Array(size);
  for (const vector of vectors) for (let i = 0; i < size; i++) sum[i] += vector[i];
  let sumOfSquares = 0;
  for (let i = 0; i < size; i++) sumOfSquares += sum[i] * sum[i];
  // Opposite examples can cancel out; a zero prototype then matches nothing rather than dividing by zero.
  const scale = sumOfSquares > 0 ? 1 / Math.sqrt(sumOfSquares) : 0;
  for (let i = 0; i < size; i++) sum[i] *= scale;
  return sum;
}

/** Little-endian float32 bytes as base64, the way `labelset.json` stores an embedding. */
export function encodeEmbedding(vector: Float32Array): string {
  const bytes = Buffer.alloc(vector.length * 4);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i], i * 4);
  return bytes.toString('base64');
}

/** Reads `encodeEmbedding`'s text back; undefined when it is not base64 of `size` float32 values. */
export function decodeEmbedding(text: unknown, size: number): Float32Array | undefined {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== size * 4) return undefined;
  const vector = new Float32Array(size);
  for (let i = 0; i < size; i++) vector[i] = bytes.readFloatLE(i * 4);
  return vector;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'an object';
  return typeof value;
}
