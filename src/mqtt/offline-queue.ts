import { MqttConfigError } from './errors';

/**
 * FIFO with a fixed capacity for messages waiting for the broker. mqtt.js would keep them in its
 * own store without limit, which on a Pi with a long outage ends in an out-of-memory crash; here
 * the oldest message makes room for the newest (newer state matters more) and is counted.
 */
export class OfflineQueue<T> {
  private items: T[] = [];
  private forcedOut = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new MqttConfigError(`offline queue size must be an integer >= 1, got ${String(capacity)}`);
    }
  }

  /** Adds an item; returns the item the bound forced out, if any. */
  push(item: T): T | undefined {
    this.items.push(item);
    if (this.items.length > this.capacity) {
      this.forcedOut += 1;
      return this.items.shift();
    }
    return undefined;
  }

  /** Removes and returns everything, oldest first. */
  drain(): T[] {
    const all = this.items;
    this.items = [];
    return all;
  }

  get length(): number {
    return this.items.length;
  }

  /** How many items the bound has forced out since creation. */
  get dropped(): number {
    return this.forcedOut;
  }
}
