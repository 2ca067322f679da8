import { randomUUID } from 'node:crypto';

/** Why a frame was kept for review. */
export type ReviewReason = 'low-score' | 'state-change';

/** A kept frame, without its picture (see `ReviewQueue.jpeg`). */
export interface ReviewEntry {
  id: string;
  reason: ReviewReason;
  /** When the frame was captured, ms since the epoch. */
  ts: number;
  /** What the matcher said (`unknown` when unsure) and its score. */
  label: string;
  score: number;
  /** Size of the kept JPEG in bytes. */
  bytes: number;
}

/** The review queue's bounds: frames and bytes kept at most. */
export interface ReviewQueueOptions {
  /** Frames kept at most; the oldest goes first. Default 100. */
  maxEntries?: number;
  /** JPEG bytes kept at most, all frames together; the oldest goes first. Default 32 MiB. */
  maxBytes?: number;
}

/** What the review queue holds now and how many frames its bounds dropped. */
export interface ReviewQueueStats {
  size: number;
  bytes: number;
  /** Frames dropped (oldest first) to stay within the bounds, since start. */
  dropped: number;
}

export const DEFAULT_REVIEW: Required<ReviewQueueOptions> = { maxEntries: 100, maxBytes: 32 * 1024 * 1024 };

/**
 * Frames worth a person's look (the matcher was unsure, or the state changed), kept in memory with
 * their JPEG so they can be labelled later. Bounded by count and bytes: the oldest frame is dropped
 * and counted, so a camera that stays unsure all night cannot eat the board's memory.
 */
export class ReviewQueue {
  readonly options: Required<ReviewQueueOptions>;
  private readonly entries = new Map<string, { entry: ReviewEntry; jpeg: Buffer }>();
  private totalBytes = 0;
  private droppedCount = 0;

  constructor(options: ReviewQueueOptions = {}) {
    const maxEntries = options.maxEntries ?? DEFAULT_REVIEW.maxEntries;
    const maxBytes = options.maxBytes ?? DEFAULT_REVIEW.maxBytes;
    if (!Number.isInteger(maxEntries) || maxEntries < 0) {
      throw new RangeError(
        `review maxEntries must be an integer >= 0 (0 keeps nothing), got ${JSON.stringify(maxEntries)}`,
      );
    }
    if (!Number.isInteger(maxBytes) || maxBytes < 0) {
      throw new RangeError(`review maxBytes must be an integer >= 0, got ${JSON.stringify(maxBytes)}`);
    }
    this.options = { maxEntries, maxBytes };
  }

  /** Keeps a frame; returns its id, or undefined when the frame alone exceeds the bounds (counted as dropped). */
  add(item: Omit<ReviewEntry, 'id' | 'bytes'>, jpeg: Buffer): string | undefined {
    if (this.options.maxEntries === 0 || jpeg.length > this.options.maxBytes) {
      this.droppedCount += 1;
      return undefined;
    }
    const entry: ReviewEntry = { ...item, id: randomUUID(), bytes: jpeg.length };
    this.entries.set(entry.id, { entry, jpeg });
    this.totalBytes += jpeg.length;
    while (this.entries.size > this.options.maxEntries || this.totalBytes > this.options.maxBytes) {
      const oldest = this.entries.keys().next().value as string;
      this.remove(oldest);
      this.droppedCount += 1;
    }
    return entry.id;
  }

  /** The kept frames, oldest first. */
  list(): ReviewEntry[] {
    return [...this.entries.values()].map((e) => ({ ...e.entry }));
  }

  /** A kept frame's JPEG, or undefined when it is gone (labelled, removed or dropped). */
  jpeg(id: string): Buffer | undefined {
    return this.entries.get(id)?.jpeg;
  }

  /** Forgets a frame (for instance once it was labelled); false when it was not there. */
  remove(id: string): boolean {
    const found = this.entries.get(id);
    if (!found) return false;
    this.entries.delete(id);
    this.totalBytes -= found.jpeg.length;
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.totalBytes = 0;
  }

  stats(): ReviewQueueStats {
    return { size: this.entries.size, bytes: this.totalBytes, dropped: this.droppedCount };
  }
}
