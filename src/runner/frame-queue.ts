/** What a full frame queue does with one more frame (see FrameQueue). */
export type QueuePolicy = 'drop-oldest' | 'drop-newest' | 'wait';
/** Every QueuePolicy, for editors and option checks. */
export const QUEUE_POLICIES: readonly QueuePolicy[] = ['drop-oldest', 'drop-newest', 'wait'];

/** A frame the queue refused or evicted under load; the caller hears about every one. */
export class FrameDroppedError extends Error {
  readonly code = 'DROPPED';
  constructor(reason: string) {
    super(`Frame dropped: ${reason}`);
    this.name = 'FrameDroppedError';
  }
}

interface Entry<T> {
  item: T;
  drop(error: FrameDroppedError): void;
}

/**
 * Frames waiting for a model (the classifier's queue, and the model node's while the model loads):
 * a FIFO with a hard bound and an explicit policy when full:
 * - drop-oldest: evict the longest-waiting item (freshest frames win, as a camera wants);
 * - drop-newest: refuse the new item;
 * - wait: the producer's `push` resolves only once there is room (backpressure).
 * Every eviction or refusal calls the item's `drop`, so nothing disappears silently.
 */
export class FrameQueue<T> {
  private readonly items: Array<Entry<T>> = [];
  private readonly waiters: Array<{ entry: Entry<T>; admit(): void }> = [];
  private readonly onReady: () => void;
  dropped = 0;

  constructor(
    readonly capacity: number,
    readonly policy: QueuePolicy,
    onReady: () => void,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new Error(`Queue size must be a whole number ≥ 1, got ${capacity}`);
    if (!QUEUE_POLICIES.includes(policy))
      throw new Error(`Unknown queue policy "${String(policy)}". Valid policies are: ${QUEUE_POLICIES.join(', ')}`);
    this.onReady = onReady;
  }

  get depth(): number {
    return this.items.length;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Resolves when the item is in the queue (immediately unless the policy is `wait`). */
  push(item: T, drop: (error: FrameDroppedError) => void): Promise<void> {
    const entry = { item, drop };
    if (this.items.length < this.capacity) {
      this.items.push(entry);
      this.onReady();
      return Promise.resolve();
    }
    if (this.policy === 'drop-newest') {
      this.dropped++;
      drop(new FrameDroppedError(`queue full (${this.capacity}), policy drop-newest`));
      return Promise.resolve();
    }
    if (this.policy === 'drop-oldest') {
      const oldest = this.items.shift() as Entry<T>;
      this.dropped++;
      oldest.drop(new FrameDroppedError(`evicted by a newer frame, queue full (${this.capacity}), policy drop-oldest`));
      this.items.push(entry);
      this.onReady();
      return Promise.resolve();
    }
    return new Promise<void>((admit) => this.waiters.push({ entry, admit }));
  }

  shift(): T | undefined {
    const entry = this.items.shift();
    const waiter = this.waiters.shift();
    if (waiter) {
      this.items.push(waiter.entry);
      waiter.admit();
    }
    return entry?.item;
  }

  /** Empties the queue, dropping everything in it and everything waiting to enter. */
  clear(reason: string): void {
    const all = [...this.items, ...this.waiters.map((w) => w.entry)];
    for (const waiter of this.waiters) waiter.admit();
    this.items.length = 0;
    this.waiters.length = 0;
    for (const entry of all) {
      this.dropped++;
      entry.drop(new FrameDroppedError(reason));
    }
  }
}
