import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { DEFAULT_DOWNLOAD_LIMITS } from './download-limits';

const BLOCK = 512;
/** A GNU long name or pax header is a few hundred bytes; it is buffered whole, so it gets a small bound. */
const MAX_NAME_RECORD_BYTES = 64 * 1024;

/** What one archive may cost: it comes from the network, and a few kB of gzip inflate to gigabytes. */
export interface TarLimits {
  /** The member taken out: refused before any byte is written when its header declares more. */
  maxMemberBytes: number;
  /** Everything read from the archive after decompression, skipped members included. */
  maxInflatedBytes: number;
  /** Entries (headers) read before the member is found. */
  maxEntries: number;
}

const DEFAULT_TAR_LIMITS: TarLimits = {
  maxMemberBytes: DEFAULT_DOWNLOAD_LIMITS.maxFileBytes,
  maxInflatedBytes: DEFAULT_DOWNLOAD_LIMITS.maxModelBytes,
  maxEntries: DEFAULT_DOWNLOAD_LIMITS.maxArchiveEntries,
};

/** Hands out exact byte counts from a stream of chunks, so tar headers and bodies can be read in order. */
class ByteReader {
  private pending: Buffer[] = [];
  private available = 0;
  private consumed = 0;
  private readonly iterator: AsyncIterator<Buffer>;

  constructor(
    source: AsyncIterable<Buffer>,
    private readonly maxBytes: number,
    private readonly archive: string,
  ) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** Up to `max` bytes (at least 1), or undefined at the end of the stream. */
  async readSome(max: number): Promise<Buffer | undefined> {
    if (this.available === 0) {
      const next = await this.iterator.next();
      if (next.done) return undefined;
      this.consumed += next.value.length;
      // Checked per chunk pulled: gunzip inflates no further ahead than this reader asks.
      if (this.consumed > this.maxBytes) {
        throw new Error(`${this.archive} inflates to more than ${this.maxBytes} bytes, the limit for an archive`);
      }
      this.pending.push(next.value);
      this.available += next.value.length;
    }
    const head = this.pending[0];
    if (head.length <= max) {
      this.pending.shift();
      this.available -= head.length;
      return head;
    }
    this.pending[0] = head.subarray(max);
    this.available -= max;
    return head.subarray(0, max);
  }

  /** Exactly `n` bytes, or undefined when the stream ends first. */
  async readExactly(n: number): Promise<Buffer | undefined> {
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n) {
      const part = await this.readSome(n - got);
      if (!part) return undefined;
      parts.push(part);
      got += part.length;
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  async close(): Promise<void> {
    await this.iterator.return?.();
  }
}

function cString(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString('utf8');
}

function octal(block: Buffer, start: number, length: number, archive: string): number {
  const text = cString(block, start, length).trim();
  if (!/^[0-7]*$/.test(text)) throw new Error(`${archive} is not a valid tar archive: bad size field "${text}"`);
  return text === '' ? 0 : parseInt(text, 8);
}

function normalise(entryPath: string): string {
  return entryPath.replace(/^(\.\/)+/, '');
}

function matches(entryPath: string, member: string): boolean {
  const name = normalise(entryPath);
  // A bare file name also finds the file inside a top-level folder of the archive.
  return name === member || (!member.includes('/') && name.split('/').pop() === member);
}

function paxPath(records: Buffer): string | undefined {
  for (const line of records.toString('utf8').split('\n')) {
    const match = /^\d+ path=(.*)$/.exec(line);
    if (match) return match[1];
  }
  return undefined;
}

async function isGzip(archivePath: string): Promise<boolean> {
  const file = await open(archivePath, 'r');
  try {
    const magic = Buffer.alloc(2);
    const { bytesRead } = await file.read(magic, 0, 2, 0);
    return bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    await file.close();
  }
}

/**
 * Streams the regular file `member` out of a tar or tar.gz archive into `destination` without holding
 * the archive in memory (the official .tgz files carry checkpoints many times the .tflite's size).
 * Member names are only compared, never used as paths, and links are never followed, so an entry
 * named `../x` cannot write outside `destination`. Bounded by `limits` (member size, inflated size,
 * entry count) before the bytes are read.
 */
export async function extractTarMember(
  archivePath: string,
  member: string,
  destination: string,
  limits: TarLimits = DEFAULT_TAR_LIMITS,
): Promise<{ bytes: number; sha256: string }> {
  const raw = createReadStream(archivePath);
  const gunzip = (await isGzip(archivePath)) ? createGunzip() : undefined;
  // pipe() does not forward a read error; without this a vanished archive would leave gunzip waiting.
  if (gunzip) raw.on('error', (error) => gunzip.destroy(error));
  const source: AsyncIterable<Buffer> = gunzip ? raw.pipe(gunzip) : raw;
  const reader = new ByteReader(source, limits.maxInflatedBytes, archivePath);
  const seen: string[] = [];
  let longName: string | undefined;
  let entries = 0;
  try {
    for (;;) {
      const header = await reader.readExactly(BLOCK);
      if (!header || header.every((b) => b === 0)) break;
      if (++entries > limits.maxEntries) {
        throw new Error(
          `${archivePath} has more than ${limits.maxEntries} entries before "${member}", the limit for an archive`,
        );
      }
      const size = octal(header, 124, 12, archivePath);
      const type = String.fromCharCode(header[156] || 0x30);
      const prefix = header.subarray(257, 262).toString('latin1') === 'ustar' ? cString(header, 345, 155) : '';
      const headerName = prefix ? `${prefix}/${cString(header, 0, 100)}` : cString(header, 0, 100);
      const name = longName ?? headerName;
      longName = undefined;
      const padded = Math.ceil(size / BLOCK) * BLOCK;

      if (type === 'L' || type === 'x') {
        // GNU long name / pax extended header: the name applies to the next entry.
        if (size > MAX_NAME_RECORD_BYTES) {
          throw new Error(
            `${archivePath} has a ${type === 'L' ? 'long-name' : 'pax'} record of ${size} bytes, more than the ` +
              `${MAX_NAME_RECORD_BYTES} allowed`,
          );
        }
        const body = await reader.readExactly(padded);
        if (!body) break;
        longName = type === 'L' ? cString(body, 0, size) : paxPath(body.subarray(0, size));
        continue;
      }
      if ((type === '0' || type === '\0') && matches(name, member)) {
        if (size > limits.maxMemberBytes) {
          throw new Error(
            `${archivePath}: ${normalise(name)} declares ${size} bytes, more than the ${limits.maxMemberBytes} ` +
              `allowed for the member`,
          );
        }
        const out = await open(destination, 'w');
        const hash = createHash('sha256');
        try {
          let left = size;
          while (left > 0) {
            const part = await reader.readSome(Math.min(left, 1 << 16));
            if (!part) throw new Error(`${archivePath} is truncated inside ${name}`);
            hash.update(part);
            await out.write(part);
            left -= part.length;
          }
          await out.sync();
        } finally {
          await out.close();
        }
        return { bytes: size, sha256: hash.digest('hex') };
      }
      seen.push(normalise(name));
      let skip = padded;
      while (skip > 0) {
        const part = await reader.readSome(Math.min(skip, 1 << 16));
        if (!part) throw new Error(`${archivePath} is truncated inside ${name}`);
        skip -= part.length;
      }
    }
  } finally {
    await reader.close();
    gunzip?.destroy();
    raw.destroy();
  }
  throw new Error(`${archivePath} has no file "${member}"; it holds: ${seen.join(', ') || '(nothing)'}`);
}
