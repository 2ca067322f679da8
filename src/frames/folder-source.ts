import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { BaseFrameSource } from './base-source';
import { DEFAULT_FOLDER_RESCAN_MS, DEFAULT_MAX_FOLDER_FILE_BYTES, type Frame, type FolderSourceConfig } from './frame';
import { ACCEPTED_IMAGES, imageProblem, isCandidateImage, nameKind, unsupportedName } from './folder-image-file';
import { RetentionPolicy } from './folder-retention';
import { FolderWatcher } from './folder-watcher';
import { readRegularFile, RefusedFile } from './read-regular-file';
import { toError } from '../to-error';

export { isCandidateImage } from './folder-image-file';

/**
 * Frames from a folder of images, for replaying recordings and for cameras that drop stills by
 * FTP/SMB. `loop` replays the images sorted by name, re-reading the folder at each pass;
 * `watch` emits each image that appears or changes once it is fully written, then applies the
 * retention policy to it.
 *
 * Watch mode reads the next image only when the previous one has been handed on, so a burst of
 * files copied in waits on disk (each is sent, none is skipped by the rate cap) and at most one
 * image is held in memory.
 */
export class FolderFrameSource extends BaseFrameSource {
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<void> = Promise.resolve();
  private watcher: FolderWatcher | undefined;
  private retention: RetentionPolicy | undefined;
  private watchRun = 0;
  private pumping = false;
  private readonly maxFileBytes: number;

  constructor(override readonly config: FolderSourceConfig) {
    super(config);
    this.maxFileBytes = config.maxFrameBytes ?? DEFAULT_MAX_FOLDER_FILE_BYTES;
  }

  protected async open(run: number): Promise<void> {
    if (this.config.mode === 'loop') {
      this.schedule(run, 0, new LoopCursor(this.config.dir, this.maxFileBytes));
      return;
    }
    const retention = new RetentionPolicy(this.config.dir, this.config.retention ?? { policy: 'keep' }, (err) =>
      this.warn(run, err),
    );
    const watcher = new FolderWatcher({
      dir: this.config.dir,
      checkMs: this.config.intervalMs,
      rescanMs: this.config.rescanMs ?? DEFAULT_FOLDER_RESCAN_MS,
      maxBytes: this.maxFileBytes,
      sendBaseline: retention.sendsBaseline,
      ownEntry: retention.ownEntry,
      onReady: () => this.pump(run),
      onProblem: (err) => this.warn(run, err),
      onFatal: (err) => this.fail(run, err),
      onGone: (name) => retention.forget(name),
    });
    this.watcher = watcher;
    this.retention = retention;
    this.watchRun = run;
    await watcher.start();
    await retention.start();
    // The folder is readable: watching is running even before the first image arrives.
    this.markRunning(run);
    this.pump(run);
  }

  protected async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const watcher = this.watcher;
    this.watcher = undefined;
    this.retention = undefined;
    await watcher?.close();
    // Let an in-flight read finish so stop() leaves no file handle open.
    await this.busy;
  }

  /** An image was handed on: it has been classified as far as the folder is concerned. */
  protected override delivered(frame: Frame): void {
    const run = this.watchRun;
    if (this.retention && frame.file !== undefined) {
      this.retention.sent(path.basename(frame.file)).catch((err: Error) => this.warn(run, err));
    }
    this.pump(run);
  }

  /** Reads settled images one at a time, each only once the gate has handed on the one before. */
  private pump(run: number): void {
    const watcher = this.watcher;
    if (this.pumping || !watcher || !this.isCurrent(run) || this.frameWaiting) return;
    this.pumping = true;
    this.busy = (async () => {
      try {
        while (this.isCurrent(run) && !this.frameWaiting) {
          const image = await watcher.takeNext();
          if (image === undefined || !this.isCurrent(run)) break;
          if ('bytes' in image) this.accept(run, image.bytes, image.file);
          else {
            this.countInvalid();
            this.warn(run, new Error(image.problem));
          }
        }
      } catch (err) {
        this.fail(run, toError(err));
      } finally {
        this.pumping = false;
      }
    })();
  }

  private schedule(run: number, delay: number, cursor: LoopCursor): void {
    if (!this.isCurrent(run)) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.busy = this.tick(run, cursor).catch((err: Error) => this.fail(run, err));
    }, delay);
  }

  private async tick(run: number, cursor: LoopCursor): Promise<void> {
    const next = await cursor.next((err) => this.warn(run, err));
    if (!this.isCurrent(run)) return;
    if ('bytes' in next) this.accept(run, next.bytes, next.file);
    else {
      this.countInvalid();
      if (next.firstTime) this.warn(run, new Error(next.problem));
    }
    this.schedule(run, this.config.intervalMs, cursor);
  }
}

type LoopImage = { file: string; bytes: Buffer } | { file: string; problem: string; firstTime: boolean };

/** Loop mode: the next image in name order, wrapping round and re-reading the folder. */
class LoopCursor {
  private names: string[] = [];
  private index = 0;
  /** Names reported in this listing's lifetime: a replayed folder reports a bad file once. */
  private reported = new Set<string>();

  constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
  ) {}

  async next(report: (err: Error) => void): Promise<LoopImage> {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (this.index >= this.names.length) {
        this.names = await this.list(report);
        this.index = 0;
        if (this.names.length === 0)
          throw new Error(`folder ${this.dir} holds no images (.jpg, .png, .webp, .gif, .tiff, .avif)`);
      }
      const name = this.names[this.index++]!;
      const file = path.join(this.dir, name);
      let bytes: Buffer;
      try {
        bytes = await readRegularFile(file, this.maxBytes);
      } catch (err) {
        // Deleted since the listing: take the next one.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        const why = err instanceof RefusedFile ? err.message : `cannot read it: ${toError(err).message}`;
        return this.problem(name, `skipped ${file}: ${why}`);
      }
      const problem = imageProblem(name, bytes);
      return problem === undefined ? { file, bytes } : this.problem(name, `skipped ${file}: ${problem.message}`);
    }
    throw new Error(`folder ${this.dir}: images keep disappearing while being read`);
  }

  private problem(name: string, problem: string): LoopImage {
    const firstTime = !this.reported.has(name);
    this.reported.add(name);
    return { file: path.join(this.dir, name), problem, firstTime };
  }

  /** The images in natural name order; other files are reported once each. */
  private async list(report: (err: Error) => void): Promise<string[]> {
    let entries;
    try {
      entries = await fsp.readdir(this.dir, { withFileTypes: true });
    } catch (err) {
      throw new Error(`cannot read folder ${this.dir}: ${toError(err).message}`);
    }
    const stillThere = new Set<string>();
    const images: string[] = [];
    const unsupported: string[] = [];
    for (const entry of entries) {
      const kind = nameKind(entry.name);
      if (kind === 'in-progress') continue;
      stillThere.add(entry.name);
      if (isCandidateImage(entry.name)) images.push(entry.name);
      else if (!this.reported.has(entry.name)) {
        this.reported.add(entry.name);
        unsupported.push(entry.isDirectory() ? `${entry.name}/` : entry.name);
      }
    }
    // Forget names that left, so the set stays as small as the folder.
    for (const name of this.reported) if (!stillThere.has(name)) this.reported.delete(name);
    if (unsupported.length === 1)
      report(
        new Error(
          `skipped ${path.join(this.dir, unsupported[0]!)}: ` +
            (unsupported[0]!.endsWith('/')
              ? 'it is a directory (sub-folders are not read)'
              : unsupportedName(unsupported[0]!)),
        ),
      );
    else if (unsupported.length > 1) {
      const shown =
        unsupported.slice(0, 5).join(', ') + (unsupported.length > 5 ? `, … (${unsupported.length} in all)` : '');
      report(
        new Error(
          `folder ${this.dir}: skipping ${unsupported.length} entries that are not image files: ${shown}; a folder ` +
            `source classifies ${ACCEPTED_IMAGES} files`,
        ),
      );
    }
    return images.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  }
}
