import type { Hash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** Files read ahead of the one being hashed: enough to keep libuv's pool busy, few enough to bound memory. */
const READ_AHEAD = 8;

/**
 * Feeds `files` into `hash` in their order, reading up to READ_AHEAD of them at once. A TF.js model is dozens of
 * small shards (55 for V1 0.25); read one after another, each waits a round trip through libuv's pool, which made
 * hashing them 2–3× slower than the reading and hashing themselves. `describeFailure` turns a failed read into the
 * caller's error.
 */
export async function hashFilesInOrder(
  hash: Hash,
  files: readonly string[],
  describeFailure: (file: string, error: Error) => Error,
): Promise<void> {
  const reads: Array<Promise<Buffer> | undefined> = [];
  const startRead = (i: number): void => {
    if (i >= files.length) return;
    const read = readFile(files[i]);
    read.catch(() => undefined); // awaited in order below; a later file's failure must not count as unhandled
    reads[i] = read;
  };
  for (let i = 0; i < Math.min(READ_AHEAD, files.length); i++) startRead(i);
  for (let i = 0; i < files.length; i++) {
    let bytes: Buffer;
    try {
      bytes = await (reads[i] as Promise<Buffer>);
    } catch (error) {
      throw describeFailure(files[i], error as Error);
    }
    reads[i] = undefined;
    startRead(i + READ_AHEAD);
    hash.update(bytes);
  }
}
