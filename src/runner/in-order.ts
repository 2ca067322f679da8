/**
 * Hands results out in the order their frames were taken from the queue, whatever order the
 * workers finish them in. With several workers a later frame can finish first (a smaller image
 * decodes sooner, a worker's core is busy with something else); published as it came, an older
 * frame's label would then overwrite a newer one's. A result that is ready before an older one is
 * held until that one is out, and counted (`held`).
 *
 * Holding rather than dropping, because a classifier does not know what a source is and its
 * callers include request/response ones (POST /classify, the CLI, teaching) that must get an
 * answer for every frame; the wait is bounded by the older frame's own remaining work.
 */
export class InOrderRelease {
  private nextTicket = 0;
  private nextOut = 0;
  private readonly ready = new Map<number, () => void>();
  /** Results that finished before an older frame's and waited for it. */
  held = 0;

  /** A place in the order, taken when the frame leaves the queue. */
  take(): number {
    return this.nextTicket++;
  }

  /** Frames holding a ticket whose results have not been handed out yet. */
  get pending(): number {
    return this.nextTicket - this.nextOut;
  }

  /** The frame with `ticket` is done; `deliver` runs once every older frame's result is out. */
  complete(ticket: number, deliver: () => void): void {
    if (ticket !== this.nextOut) {
      this.held++;
      this.ready.set(ticket, deliver);
      return;
    }
    deliver();
    this.nextOut++;
    for (let next = this.ready.get(this.nextOut); next; next = this.ready.get(this.nextOut)) {
      this.ready.delete(this.nextOut);
      next();
      this.nextOut++;
    }
  }
}
