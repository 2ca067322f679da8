import { watch, promises as fsp, type Dirent, type FSWatcher } from 'node:fs';
import * as path from 'node:path';
import { imageProblem, nameKind, unsupportedName, ACCEPTED_IMAGES } from './folder-image-file';
import { describeNonRegular, readRegularFile, RefusedFile } from './read-regular-file';
import { toError } from '../to-error';

export interface FolderWatcherOptions {
  dir: string;
  /** How often a noticed file is stat'ed until its size and mtime hold still. */
  checkMs: number;
  /** How often the folder is listed to catch what no event announced. */
  rescanMs: number;
  maxBytes: number;
  /** Images already in the folder at start are sent too (an inbox), instead of being the baseline. */
  sendBaseline: boolean;
  /** An entry of the folder that is the source's own (the retention's move folder). */
  ownEntry?: string;
  /** Settled images are waiting: call takeNext(). */
  onReady(): void;
  /** Something was skipped; watching goes on. */
  onProblem(err: Error): void;
  /** Watching itself failed (the folder went away). */
  onFatal(err: Error): void;
  /** A file the watcher knew of has left the folder. */
  onGone(name: string): void;
}

export type WatchedImage = { file: string; bytes: Buffer } | { file: string; problem: string };

interface Known {
  /** size:mtime when the image was last sent or reported; the same content is not news again. */
  settled?: string;
  /** A non-image entry that has been reported once. */
  reported?: boolean;
}

/** Entries named in one start-up report of what the folder holds that is not classified. */
const SUMMARY_NAMES = 5;
/** With fs.watch unavailable (inotify limit reached), the folder is listed this often instead. */
const FALLBACK_RESCAN_MS = 2000;

/**
 * Watches a folder without rescanning it: fs.watch (inotify on Linux) names each entry that is
 * created, renamed or written, and only those are looked at. A noticed image is stat'ed every
 * `checkMs` until its size and mtime hold still for one interval, then queued; it is read only
 * when the consumer takes it. A listing every `rescanMs` catches files no event announced.
 *
 * Memory is bounded by the folder's current contents: a name is forgotten when its file leaves.
 */
export class FolderWatcher {
  private readonly known = new Map<string, Known>();
  /** Noticed images waiting for their size to hold still: name → last size:mtime seen. */
  private readonly settling = new Map<string, string | undefined>();
  /** Settled images waiting for the consumer, oldest first: name → size:mtime when settled. */
  private readonly ready = new Map<string, string>();
  private fsWatcher: FSWatcher | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  private rescanTimer: NodeJS.Timeout | undefined;
  private rescanMs: number;
  private work: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: FolderWatcherOptions) {
    this.rescanMs = options.rescanMs;
  }

  /** Starts watching; resolves with the images that are the baseline (empty when they are sent). */
  async start(): Promise<string[]> {
    const { dir } = this.options;
    // Watch first, then list: a file created in between is noticed twice rather than never.
    try {
      this.fsWatcher = watch(dir, { persistent: true }, (_event, name) => {
        if (name === null) this.rescanSoon();
        else this.notice(name);
      });
      this.fsWatcher.on('error', (err: Error) =>
        this.options.onFatal(new Error(`stopped watching folder ${dir}: ${err.message}`)),
      );
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES')
        throw new Error(`cannot read folder ${dir}: ${toError(err).message}`);
      this.rescanMs = Math.min(this.rescanMs, FALLBACK_RESCAN_MS);
      this.options.onProblem(
        new Error(
          `cannot watch folder ${dir} for changes (${toError(err).message}); listing it every ` +
            `${this.rescanMs / 1000} s instead`,
        ),
      );
    }
    const entries = await listFolder(dir);
    if (this.closed) return [];
    const baseline: string[] = [];
    const skipped: string[] = [];
    for (const entry of entries) {
      const name = entry.name;
      // Already noticed through an event during the listing: it is news, not baseline.
      if (this.known.has(name) || name === this.options.ownEntry) continue;
      const kind = nameKind(name);
      if (kind === 'in-progress') continue;
      const regularOrLink = entry.isFile() || entry.isSymbolicLink();
      if (kind === 'unsupported' || !regularOrLink) {
        this.known.set(name, { reported: true });
        skipped.push(entry.isDirectory() ? `${name}/` : name);
        continue;
      }
      this.known.set(name, {});
      if (this.options.sendBaseline) this.settling.set(name, undefined);
      else baseline.push(name);
    }
    if (skipped.length > 0) {
      const shown =
        skipped.slice(0, SUMMARY_NAMES).join(', ') +
        (skipped.length > SUMMARY_NAMES ? `, … (${skipped.length} in all)` : '');
      this.options.onProblem(
        new Error(
          `folder ${dir}: skipping ${skipped.length} ${skipped.length === 1 ? 'entry that is' : 'entries that are'} ` +
            `not image files: ${shown}; a folder source classifies ${ACCEPTED_IMAGES} files`,
        ),
      );
    }
    this.armCheck();
    this.armRescan();
    return baseline;
  }

  /** The next settled image, read (or the reason it cannot be); undefined when none waits. */
  async takeNext(): Promise<WatchedImage | undefined> {
    for (;;) {
      if (this.closed) return undefined;
      const next = this.ready.entries().next();
      if (next.done) return undefined;
      const [name, signature] = next.value;
      this.ready.delete(name);
      const file = path.join(this.options.dir, name);
      const known = this.known.get(name) ?? {};
      this.known.set(name, known);
      // Settled content is news once: a refused or broken file is reported once, not at each event.
      known.settled = signature;
      let bytes: Buffer;
      try {
        bytes = await readRegularFile(file, this.options.maxBytes);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          this.forget(name);
          continue;
        }
        if (err instanceof RefusedFile) return { file, problem: `skipped ${file}: ${err.message}` };
        return { file, problem: `skipped ${file}: cannot read it: ${toError(err).message}` };
      }
      const problem = imageProblem(name, bytes);
      if (problem === undefined) return { file, bytes };
      const prefix = problem.incomplete ? 'its size stopped changing but it is ' : '';
      return { file, problem: `skipped ${file}: ${prefix}${problem.message}` };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.fsWatcher?.close();
    this.fsWatcher = undefined;
    if (this.checkTimer) clearTimeout(this.checkTimer);
    if (this.rescanTimer) clearTimeout(this.rescanTimer);
    this.checkTimer = undefined;
    this.rescanTimer = undefined;
    await this.work;
    this.known.clear();
    this.settling.clear();
    this.ready.clear();
  }

  /** An event named `name`: it appeared, changed or left. */
  private notice(name: string): void {
    if (this.closed || name === this.options.ownEntry || name.includes(path.sep)) return;
    const kind = nameKind(name);
    if (kind === 'in-progress') return;
    if (kind === 'unsupported') {
      this.queueWork(() => this.checkUnsupported(name));
      return;
    }
    if (!this.known.has(name)) this.known.set(name, {});
    // Written to again after it settled: it must hold still again before it is read.
    this.ready.delete(name);
    if (!this.settling.has(name)) this.settling.set(name, undefined);
    this.armCheck();
  }

  /** Reports a non-image entry once, and forgets it when it has gone. */
  private async checkUnsupported(name: string): Promise<void> {
    const file = path.join(this.options.dir, name);
    let stat;
    try {
      stat = await fsp.stat(file);
    } catch {
      this.forget(name);
      return;
    }
    const known = this.known.get(name);
    if (known?.reported || this.closed) return;
    this.known.set(name, { reported: true });
    const why = stat.isFile() ? unsupportedName(name) : `it is ${describeNonRegular(stat)}, not an image file`;
    this.options.onProblem(new Error(`skipped ${file}: ${why}`));
  }

  private armCheck(): void {
    if (this.closed || this.checkTimer || this.settling.size === 0) return;
    this.checkTimer = setTimeout(() => {
      this.queueWork(async () => {
        await this.checkSettling();
        this.checkTimer = undefined;
        this.armCheck();
      });
    }, this.options.checkMs);
  }

  /** Stats each noticed image; those whose size and mtime held still for one interval are queued. */
  private async checkSettling(): Promise<void> {
    const settled: { name: string; signature: string; mtimeMs: number }[] = [];
    for (const [name, before] of [...this.settling]) {
      if (this.closed) return;
      const file = path.join(this.options.dir, name);
      let stat;
      try {
        stat = await fsp.stat(file);
      } catch {
        this.forget(name);
        continue;
      }
      if (!this.settling.has(name)) continue; // forgotten meanwhile
      const signature = `${stat.size}:${stat.mtimeMs}`;
      if (stat.isFile() && signature !== before) {
        this.settling.set(name, signature);
        continue;
      }
      this.settling.delete(name);
      // Created but not written yet (a camera opens its file first): the write will be an event.
      if (stat.isFile() && stat.size === 0) continue;
      const known = this.known.get(name) ?? {};
      this.known.set(name, known);
      if (known.settled === signature) continue; // unchanged since it was sent or reported
      // Not a regular file (a FIFO named like an image): queued, so that reading it refuses it once.
      settled.push({ name, signature, mtimeMs: stat.mtimeMs });
    }
    settled.sort((a, b) => a.mtimeMs - b.mtimeMs || a.name.localeCompare(b.name, 'en', { numeric: true }));
    for (const { name, signature } of settled) this.ready.set(name, signature);
    if (this.ready.size > 0 && !this.closed) this.options.onReady();
  }

  private armRescan(): void {
    if (this.closed) return;
    this.rescanTimer = setTimeout(() => {
      this.rescanTimer = undefined;
      this.queueWork(async () => {
        await this.rescan();
        this.armRescan();
      });
    }, this.rescanMs);
  }

  /** fs.watch did not name the entry: list the folder now instead of at the next rescan. */
  private rescanSoon(): void {
    if (this.closed) return;
    if (this.rescanTimer) clearTimeout(this.rescanTimer);
    this.rescanTimer = undefined;
    this.queueWork(async () => {
      await this.rescan();
      if (!this.rescanTimer) this.armRescan();
    });
  }

  /** The cheap fallback: one listing, diffed against the names known. */
  private async rescan(): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await listFolder(this.options.dir);
    } catch (err) {
      if (!this.closed) this.options.onFatal(toError(err));
      return;
    }
    if (this.closed) return;
    const present = new Set(entries.map((e) => e.name));
    for (const name of [...this.known.keys()]) if (!present.has(name)) this.forget(name);
    for (const name of present) if (!this.known.has(name)) this.notice(name);
  }

  private forget(name: string): void {
    const wasKnown = this.known.delete(name);
    this.settling.delete(name);
    this.ready.delete(name);
    if (wasKnown) this.options.onGone(name);
  }

  /** Timers and events do their async work one at a time; close() waits for the last. */
  private queueWork(task: () => Promise<void>): void {
    this.work = this.work
      .then(() => (this.closed ? undefined : task()))
      .catch((err: unknown) => {
        if (!this.closed) this.options.onFatal(toError(err));
      });
  }
}

async function listFolder(dir: string): Promise<Dirent[]> {
  try {
    return await fsp.readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new Error(`cannot read folder ${dir}: ${toError(err).message}`);
  }
}
