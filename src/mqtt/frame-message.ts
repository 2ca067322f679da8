import { MqttConfigError } from './errors';
import { slugify, validatePrefix } from './topics';

/**
 * The contract every camera follows, whether this package, a script or an ESP32: the JPEG bytes on
 * `<prefix>/<source>/frame`, MQTT 5 user properties `seq` (the source's frame counter) and `ts`
 * (capture time, ms since the epoch), content type `image/jpeg`.
 */
export const FRAME_CONTENT_TYPE = 'image/jpeg';
/** The last topic level of a frame message. */
export const FRAME_TOPIC_LEVEL = 'frame';
/** Largest frame a member takes by default: the camera sources' own bound (8 MiB). */
export const DEFAULT_MAX_FRAME_MESSAGE_BYTES = 8 * 1024 * 1024;
/** Frames older than this when a member takes them are dropped and counted (default 10 s; 0 = no limit). */
export const DEFAULT_MAX_FRAME_AGE_MS = 10_000;

/** One camera frame as it travels over MQTT. */
export interface FrameMessage {
  source: string;
  seq: number;
  ts: number;
  jpeg: Buffer;
}

/** Why a member refused a frame message: counted apart, since only `too-old` is a matter of load. */
export type FrameRefusal = 'too-large' | 'too-old' | 'malformed';

/** A frame message a member will not classify; `reason` says which counter it goes to. */
export class FrameMessageError extends Error {
  constructor(
    message: string,
    readonly reason: FrameRefusal,
  ) {
    super(message);
    this.name = 'FrameMessageError';
  }
}

/** `<prefix>/<source>/frame`, the source made safe as one topic level as for the label topics. */
export function frameTopic(prefix: string, source: string): string {
  return `${validatePrefix(prefix)}/${slugify(source)}/${FRAME_TOPIC_LEVEL}`;
}

/** The MQTT 5 publish properties of one frame. */
export function frameProperties(
  seq: number,
  ts: number,
): { contentType: string; userProperties: Record<string, string> } {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new MqttConfigError(`frame seq must be an integer >= 0, got ${seq}`);
  if (!Number.isFinite(ts) || ts < 0) throw new MqttConfigError(`frame ts must be ms since the epoch, got ${ts}`);
  return { contentType: FRAME_CONTENT_TYPE, userProperties: { seq: String(seq), ts: String(Math.round(ts)) } };
}

export interface FrameLimits {
  /** Largest payload accepted, bytes. */
  maxBytes: number;
  /** Oldest capture time accepted, ms before `now`; 0 = no limit. */
  maxAgeMs: number;
  now?: number;
}

type UserProperties = Record<string, string | string[]> | undefined;

function integerProperty(properties: UserProperties, name: 'seq' | 'ts', topic: string): number {
  const raw = properties?.[name];
  const text = Array.isArray(raw) ? raw[0] : raw;
  const value = typeof text === 'string' && /^\d{1,16}$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value)) {
    throw new FrameMessageError(
      `frame on ${topic} has no MQTT 5 user property "${name}" holding a whole number (got ${JSON.stringify(raw)}); ` +
        'a camera publishes seq (its frame counter) and ts (capture time, ms since the epoch)',
      'malformed',
    );
  }
  return value;
}

/**
 * Reads one frame message as a member received it, bounded before anything decodes it: the size
 * first, then the properties, then the age. The source is the topic level before `frame`.
 * @throws {FrameMessageError} naming what was wrong; its `reason` says how to count it.
 */
export function readFrameMessage(
  topic: string,
  payload: Buffer,
  properties: { userProperties?: UserProperties; contentType?: string } | undefined,
  limits: FrameLimits,
): FrameMessage {
  if (payload.length > limits.maxBytes) {
    throw new FrameMessageError(
      `frame on ${topic} is ${payload.length} bytes, over the limit of ${limits.maxBytes}`,
      'too-large',
    );
  }
  const levels = topic.split('/');
  if (levels.length < 2 || levels[levels.length - 1] !== FRAME_TOPIC_LEVEL || levels[levels.length - 2] === '') {
    throw new FrameMessageError(`"${topic}" is not a frame topic <prefix>/<source>/frame`, 'malformed');
  }
  const source = levels[levels.length - 2];
  if (payload.length === 0) throw new FrameMessageError(`frame on ${topic} is empty`, 'malformed');
  const contentType = properties?.contentType;
  if (contentType !== undefined && contentType !== FRAME_CONTENT_TYPE) {
    throw new FrameMessageError(
      `frame on ${topic} has content type "${contentType}"; frames are "${FRAME_CONTENT_TYPE}"`,
      'malformed',
    );
  }
  const seq = integerProperty(properties?.userProperties, 'seq', topic);
  const ts = integerProperty(properties?.userProperties, 'ts', topic);
  const now = limits.now ?? Date.now();
  if (limits.maxAgeMs > 0 && now - ts > limits.maxAgeMs) {
    throw new FrameMessageError(
      `frame ${seq} of ${source} is ${now - ts} ms old, over the limit of ${limits.maxAgeMs} ms`,
      'too-old',
    );
  }
  return { source, seq, ts, jpeg: payload };
}
