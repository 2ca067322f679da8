import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { BaseFrameSource } from './base-source';
import type { FolderSourceConfig } from './frame';
import { looksLikeCompleteJpeg } from './jpeg-check';
import { findTruncation } from '../image/completeness';

/**
 * Frames from a folder of images, for replaying recordings and for cameras that drop stills by
 * FTP/SMB. `loop` replays the images sorted by name, re-reading the folder at each pass;
 * `watch` emits each image that appears or changes once it is fully written.
 *
 * Watching polls rather than using fs.watch: inotify misses writes on network shares, and
 * "fully written" needs a size check over time anyway.
 */
export class FolderFrameSource extends BaseFrameSource {
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<void> = Promise.resolve();

  constructor(override readonly config: FolderSourceConfig) {
    super(config);
  }

  protected async open(run: number): Promise<void> {
    if (this.config.mode === 'loop') {
      this.schedule(run, 0, new LoopCursor(this.config.dir));
    } else {
      const watcher = new FolderWatcher(this.config.dir);
      await watcher.scan(); // what is already there is the baseline, not news
      // The folder is readable: watching is running even before the first image arrives.
      this.markRunning(run);
      this.schedule(run, this.config.intervalMs, watcher);
    }
  }

  protected async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // Let an in-flight read finish so stop() leaves no file handle open.
    await this.busy;
  }

  private schedule(run: number, delay: number, step: LoopCursor | FolderWatcher): void {
    if (!this.isCurrent(run)) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.busy = this.tick(run, step).catch((err: Error) => this.fail(run, err));
    }, delay);
  }

  private async tick(run: number, step: LoopCursor | FolderWatcher): Promise<void> {
    if (step instanceof LoopCursor) {
      const next = await step.next();
      if (!this.isCurrent(run)) return;
      if (next.jpeg) this.accept(run, next.jpeg, next.file);
      else {
        this.countInvalid();
        this.warn(run, new Error(`skipped ${next.file}: not a complete JPEG`));
      }
    } else {
      const found = await step.scan();
      for (const item of found) {
        if (!this.isCurrent(run)) return;
        if (item.jpeg) this.accept(run, item.jpeg, item.file);
        else {
          this.countInvalid();
          this.warn(run, new Error(`skipped ${item.file}: its size stopped changing but it is not a complete JPEG`));
        }
      }
    }
    this.schedule(run, this.config.intervalMs, step);
  }
}

interface FolderImage {
  file: string;
  /** Undefined when the file is not a complete JPEG. */
  jpeg?: Buffer;
}

/** The formats the classifier decodes; dotfiles and editor/download temp names are files still being made. */
const IMAGE_FILE = /\.(jpe?g|png|webp|gif|tiff?|avif)$/i;

export function isCandidateImage(name: string): boolean {
  if (name.startsWith('.') || name.startsWith('~')) return false;
  return IMAGE_FILE.test(name);
}

/** A file copied in is read only once it ends properly (JPEG EOI, PNG IEND); others once non-empty. */
function isComplete(name: string, bytes: Buffer): boolean {
  if (/\.jpe?g$/i.test(name)) return looksLikeCompleteJpeg(bytes);
  if (/\.png$/i.test(name)) return findTruncation(bytes, 'png') === undefined;
  return bytes.length > 0;
}

async function listImages(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new Error(`cannot read folder ${dir}: ${(err as Error).message}`);
  }
  return entries
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && isCandidateImage(e.name))
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

async function readImage(dir: string, name: string): Promise<FolderImage> {
  const file = path.join(dir, name);
  const buf = await fsp.readFile(file);
  return isComplete(name, buf) ? { file, jpeg: buf } : { file };
}

/** Loop mode: the next image in name order, wrapping round and re-reading the folder. */
class LoopCursor {
  private names: string[] = [];
  private index = 0;

  constructor(private readonly dir: string) {}

  async next(): Promise<FolderImage> {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (this.index >= this.names.length) {
        this.names = await listImages(this.dir);
        this.index = 0;
        if (this.names.length === 0) throw new Error(`folder ${this.dir} holds no images (.jpg, .png, .webp, .gif, .tiff, .avif)`);
      }
      const name = this.names[this.index++]!;
      try {
        return await readImage(this.dir, name);
      } catch (err) {
        // Deleted since the listing: take the next one.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    throw new Error(`folder ${this.dir}: images keep disappearing while being read`);
  }
}

interface Seen {
  signature: string;
  emitted?: string;
}

/** Watch mode: images whose size and mtime held still for one scan interval and are new. */
class FolderWatcher {
  private readonly seen = new Map<string, Seen>();
  private baseline = true;

  constructor(private readonly dir: string) {}

  async scan(): Promise<FolderImage[]> {
    const names = await listImages(this.dir);
    const stable: { name: string; mtimeMs: number }[] = [];
    const present = new Set(names);
    for (const name of this.seen.keys()) if (!present.has(name)) this.seen.delete(name);
    for (const name of names) {
      let stat;
      try {
        stat = await fsp.stat(path.join(this.dir, name));
      } catch {
        continue; // deleted between readdir and stat
      }
      const signature = `${stat.size}:${stat.mtimeMs}`;
      const before = this.seen.get(name);
      if (this.baseline) {
        this.seen.set(name, { signature, emitted: signature });
      } else if (!before || before.signature !== signature) {
        this.seen.set(name, { signature, emitted: before?.emitted });
      } else if (before.emitted !== signature && stat.size > 0) {
        stable.push({ name, mtimeMs: stat.mtimeMs });
      }
    }
    this.baseline = false;
    stable.sort((a, b) => a.mtimeMs - b.mtimeMs || a.name.localeCompare(b.name, 'en', { numeric: true }));
    const found: FolderImage[] = [];
    for (const { name } of stable) {
      let image: FolderImage;
      try {
        image = await readImage(this.dir, name);
      } catch {
        continue;
      }
      // Also a broken file is settled: it is reported once, not at every scan.
      this.seen.get(name)!.emitted = this.seen.get(name)!.signature;
      found.push(image);
    }
    return found;
  }
}
