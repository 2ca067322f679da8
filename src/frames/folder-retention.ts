import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { FolderRetention } from './frame';
import { toError } from '../to-error';

/**
 * Applies a folder's retention policy to the images a watching source has sent. Its memory is
 * bounded by the policy: nothing for delete/move/keep, at most `count` names for newest.
 */
export class RetentionPolicy {
  /** newest: names in the order they were sent, oldest first. */
  private readonly order = new Map<string, true>();
  readonly moveDir: string | undefined;

  /** `report` hears about files that could not be removed; watching goes on. */
  constructor(
    private readonly dir: string,
    readonly policy: FolderRetention,
    private readonly report: (err: Error) => void,
  ) {
    this.moveDir = policy.policy === 'move' ? path.resolve(dir, policy.dir) : undefined;
  }

  /** delete/move: the folder is an inbox, so what is in it at start still waits to be sent. */
  get sendsBaseline(): boolean {
    return this.policy.policy === 'delete' || this.policy.policy === 'move';
  }

  /** The name of the move folder when it lies directly inside the watched folder (not an image, not news). */
  get ownEntry(): string | undefined {
    if (this.moveDir === undefined || path.dirname(this.moveDir) !== path.resolve(this.dir)) return undefined;
    return path.basename(this.moveDir);
  }

  /**
   * Called once at start. newest: the images already in the folder are not counted and never
   * deleted — this run did not classify them (watch mode does not send them), and a folder pointed
   * at someone's photos must not lose them. Only images this run sent are trimmed.
   */
  async start(): Promise<void> {
    this.order.clear();
    if (this.moveDir !== undefined) {
      try {
        await fsp.mkdir(this.moveDir, { recursive: true });
      } catch (err) {
        throw new Error(
          `cannot create the folder ${this.moveDir} that sent images are moved to: ${toError(err).message}`,
        );
      }
    }
  }

  /** `name` has been sent: apply the policy to it. Rejects with a message naming the file. */
  async sent(name: string): Promise<void> {
    const file = path.join(this.dir, name);
    switch (this.policy.policy) {
      case 'keep':
        return;
      case 'delete':
        return removeFile(file, 'after sending it');
      case 'move':
        return moveFile(file, path.join(this.moveDir!, name));
      case 'newest':
        // A rewritten image is new again: it moves to the young end.
        this.order.delete(name);
        this.order.set(name, true);
        return this.trim();
    }
  }

  /** The file left the folder by other means: it no longer counts towards `count`. */
  forget(name: string): void {
    this.order.delete(name);
  }

  /** Deletes the oldest beyond `count`; failures are reported in one message, not one per file. */
  private async trim(): Promise<void> {
    if (this.policy.policy !== 'newest') return;
    let failed = 0;
    let first: Error | undefined;
    while (this.order.size > this.policy.count) {
      const oldest = this.order.keys().next().value as string;
      this.order.delete(oldest);
      try {
        await removeFile(path.join(this.dir, oldest), `to keep only the newest ${this.policy.count} images`);
      } catch (err) {
        failed++;
        first ??= toError(err);
      }
    }
    if (first)
      this.report(new Error(failed === 1 ? first.message : `${first.message} (and ${failed - 1} more images)`));
  }
}

async function removeFile(file: string, why: string): Promise<void> {
  try {
    await fsp.unlink(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new Error(`could not delete ${file} ${why}: ${toError(err).message}`);
  }
}

async function moveFile(from: string, to: string): Promise<void> {
  try {
    await fsp.rename(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code !== 'EXDEV')
      throw new Error(`could not move ${from} to ${path.dirname(to)} after sending it: ${toError(err).message}`);
    // The move folder is on another file system: copy, then delete.
    try {
      await fsp.copyFile(from, to);
      await fsp.unlink(from);
    } catch (copyErr) {
      throw new Error(`could not move ${from} to ${path.dirname(to)} after sending it: ${toError(copyErr).message}`);
    }
  }
}
