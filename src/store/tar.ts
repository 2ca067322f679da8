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

  /**
   * Hands the next `count` bytes to `use` in parts of at most 64 kB (or just reads past them);
   * false when the stream ends first.
   */
  async forward(count: number, use?: (part: Buffer) => Promise<void>): Promise<boolean> {
    let left = count;
    while (left > 0) {
      const part = await this.readSome(Math.min(left, 1 << 16));
      if (!part) return false;
      await use?.(part);
      left -= part.length;
    }
    return true;
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

/** The entry's path without the leading `./` that some tar writers add. */
function withoutDotSlash(entryPath: string): string {
  return entryPath.replace(/^(\.\/)+/, '');
}

function matches(entryPath: string, member: string): boolean {
  const name = withoutDotSlash(entryPath);
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

/** One tar header, named by the GNU long-name or pax record before it when there was one. */
interface TarEntry {
  name: string;
  /** The header's type flag: '0' or NUL a regular file, 'L' a GNU long name, 'x' a pax header, … */
  type: string;
  size: number;
  /** The body rounded up to whole 512-byte blocks, as it lies in the archive. */
  paddedSize: number;
}

function isRegularFile(entry: TarEntry): boolean {
  return entry.type === '0' || entry.type === '\0';
}

/** Reads the archive's entries in order, counting them against the entry limit. */
class TarEntries {
  private count = 0;

  constructor(
    private readonly reader: ByteReader,
    private readonly archive: string,
    private readonly maxEntries: number,
    private readonly member: string,
  ) {}

  /** The next file, folder or link entry (name records applied), or undefined at the end of the archive. */
  async next(): Promise<TarEntry | undefined> {
    let longName: string | undefined;
    for (;;) {
      const entry = await this.readHeader();
      if (!entry) return undefined;
      if (entry.type !== 'L' && entry.type !== 'x')
        return longName === undefined ? entry : { ...entry, name: longName };
      // GNU long name / pax extended header: the name applies to the next entry.
      const record = await this.readNameRecord(entry);
      if (!record) return undefined;
      longName = record.name;
    }
  }

  private async readHeader(): Promise<TarEntry | undefined> {
    const header = await this.reader.readExactly(BLOCK);
    if (!header || header.every((byte) => byte === 0)) return undefined;
    if (++this.count > this.maxEntries) {
      throw new Error(
        `${this.archive} has more than ${this.maxEntries} entries before "${this.member}", the limit for an archive`,
      );
    }
    const size = octal(header, 124, 12, this.archive);
    const prefix = header.subarray(257, 262).toString('latin1') === 'ustar' ? cString(header, 345, 155) : '';
    const baseName = cString(header, 0, 100);
    return {
      name: prefix ? `${prefix}/${baseName}` : baseName,
      type: String.fromCharCode(header[156] || 0x30),
      size,
      paddedSize: Math.ceil(size / BLOCK) * BLOCK,
    };
  }

  /** The name a long-name or pax record carries (undefined when a pax record names no path); undefined at the end. */
  private async readNameRecord(entry: TarEntry): Promise<{ name: string | undefined } | undefined> {
    if (entry.size > MAX_NAME_RECORD_BYTES) {
      throw new Error(
        `${this.archive} has a ${entry.type === 'L' ? 'long-name' : 'pax'} record of ${entry.size} bytes, more ` +
          `than the ${MAX_NAME_RECORD_BYTES} allowed`,
      );
    }
    const body = await this.reader.readExactly(entry.paddedSize);
    if (!body) return undefined;
    return { name: entry.type === 'L' ? cString(body, 0, entry.size) : paxPath(body.subarray(0, entry.size)) };
  }
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

/** The archive's bytes, gunzipped when the file starts with the gzip magic; `close` releases the streams. */
async function openArchive(archivePath: string): Promise<{ bytes: AsyncIterable<Buffer>; close(): void }> {
  const raw = createReadStream(archivePath);
  const gunzip = (await isGzip(archivePath)) ? createGunzip() : undefined;
  // pipe() does not forward a read error; without this a vanished archive would leave gunzip waiting.
  if (gunzip) raw.on('error', (error) => gunzip.destroy(error));
  return {
    bytes: gunzip ? raw.pipe(gunzip) : raw,
    close: () => {
      gunzip?.destroy();
      raw.destroy();
    },
  };
}

/** Writes the member's bytes to `destination`, hashing them, and flushes the file to disk. */
async function copyMember(
  reader: ByteReader,
  entry: TarEntry,
  destination: string,
  archivePath: string,
  maxMemberBytes: number,
): Promise<{ bytes: number; sha256: string }> {
  if (entry.size > maxMemberBytes) {
    throw new Error(
      `${archivePath}: ${withoutDotSlash(entry.name)} declares ${entry.size} bytes, more than the ${maxMemberBytes} ` +
        `allowed for the member`,
    );
  }
  const out = await open(destination, 'w');
  const hash = createHash('sha256');
  try {
    const complete = await reader.forward(entry.size, async (part) => {
      hash.update(part);
      await out.write(part);
    });
    if (!complete) throw new Error(`${archivePath} is truncated inside ${entry.name}`);
    await out.sync();
  } finally {
    await out.close();
  }
  return { bytes: entry.size, sha256: hash.digest('hex') };
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
  const archive = await openArchive(archivePath);
  const reader = new ByteReader(archive.bytes, limits.maxInflatedBytes, archivePath);
  const entries = new TarEntries(reader, archivePath, limits.maxEntries, member);
  const seen: string[] = [];
  try {
    for (let entry = await entries.next(); entry; entry = await entries.next()) {
      if (isRegularFile(entry) && matches(entry.name, member)) {
        return await copyMember(reader, entry, destination, archivePath, limits.maxMemberBytes);
      }
      seen.push(withoutDotSlash(entry.name));
      if (!(await reader.forward(entry.paddedSize)))
        throw new Error(`${archivePath} is truncated inside ${entry.name}`);
    }
  } finally {
    await reader.close();
    archive.close();
  }
  throw new Error(`${archivePath} has no file "${member}"; it holds: ${seen.join(', ') || '(nothing)'}`);
}
