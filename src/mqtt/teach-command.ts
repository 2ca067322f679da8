/** A request, received over MQTT, to teach the current frame of a source as an example of `label`. */
export interface TeachCommand {
  /** The source as its topic level names it (slugified: lowercase, spaces as `_`). */
  source: string;
  label: string;
}

/** Teach payloads are a small JSON object; anything longer is refused before parsing. */
export const MAX_TEACH_PAYLOAD_BYTES = 1024;
/** Longer labels are refused here; the label set applies its own rules on top. */
export const MAX_TEACH_LABEL_LENGTH = 100;

/** Teach commands accepted per source at most this often: a button held down or a loop cannot fill the disk. */
export const MIN_TEACH_INTERVAL_MS = 1000;

/** Why a message on a teach topic was not turned into a TeachCommand. */
export class TeachCommandError extends Error {
  constructor(
    message: string,
    readonly topic: string,
  ) {
    super(message);
    this.name = 'TeachCommandError';
  }
}

/**
 * Reads `<prefix>/<source>/teach` with payload `{"label": "door open"}`. A retained message is
 * refused: it would be delivered again at every reconnect and teach the same label to whatever
 * frame the camera shows then.
 * @throws TeachCommandError saying what was wrong, for the caller to log and count.
 */
export function parseTeachCommand(prefix: string, topic: string, payload: Buffer, retained: boolean): TeachCommand {
  const source = topic.slice(prefix.length + 1, -'/teach'.length);
  if (!topic.startsWith(`${prefix}/`) || !topic.endsWith('/teach') || source.length === 0 || source.includes('/')) {
    throw new TeachCommandError(`"${topic}" is not a teach topic (${prefix}/<source>/teach)`, topic);
  }
  if (retained) {
    throw new TeachCommandError(
      `teach command on ${topic} ignored: it was retained (publish it with retain off)`,
      topic,
    );
  }
  if (payload.length > MAX_TEACH_PAYLOAD_BYTES) {
    throw new TeachCommandError(
      `teach command on ${topic} refused: ${payload.length} bytes, at most ${MAX_TEACH_PAYLOAD_BYTES}`,
      topic,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new TeachCommandError(`teach command on ${topic} must be JSON such as {"label": "door open"}`, topic);
  }
  const label = (parsed as { label?: unknown } | null)?.label;
  if (typeof label !== 'string' || label.trim().length === 0 || label.length > MAX_TEACH_LABEL_LENGTH) {
    throw new TeachCommandError(
      `teach command on ${topic} needs "label": a non-empty string of at most ${MAX_TEACH_LABEL_LENGTH} characters`,
      topic,
    );
  }
  return { source, label: label.trim() };
}

/** Refuses a source's teach command that comes sooner than `intervalMs` after the last one it accepted. */
export class TeachRateLimit {
  private readonly lastAccepted = new Map<string, number>();

  constructor(private readonly intervalMs = MIN_TEACH_INTERVAL_MS) {}

  /** @throws TeachCommandError when the command comes too soon; otherwise records it as accepted. */
  check(command: TeachCommand, topic: string, now = Date.now()): void {
    const last = this.lastAccepted.get(command.source);
    if (last !== undefined && now - last < this.intervalMs && now >= last) {
      throw new TeachCommandError(
        `teach command on ${topic} refused: less than ${this.intervalMs} ms after the previous one for this source`,
        topic,
      );
    }
    this.lastAccepted.delete(command.source);
    this.lastAccepted.set(command.source, now);
    // Sources are named by whoever publishes: remember a bounded number, the least recent go first.
    if (this.lastAccepted.size > 256) this.lastAccepted.delete(this.lastAccepted.keys().next().value as string);
  }
}
