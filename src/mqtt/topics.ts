import { MqttConfigError } from './errors';

/** Default topic prefix, in the spirit of Frigate's `frigate/...`: one word naming the product. */
export const DEFAULT_PREFIX = 'mobilenet';
/** The source name (a topic level) used when a frame or a publisher names none. */
export const DEFAULT_SOURCE = 'camera';

/**
 * Makes a label or source name safe as one MQTT topic level: lowercase, whitespace to `_`, and
 * the characters with a meaning in topics (`/` separates levels, `#` and `+` are wildcards) removed.
 */
export function slugify(name: string): string {
  const slug = name
    .toLowerCase()
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .replace(/[/#+]/g, '')
    .trim()
    .replace(/\s+/g, '_');
  if (slug.length === 0) {
    throw new MqttConfigError(
      `"${name}" has no characters left for an MQTT topic level after removing "/", "#", "+" and spaces`,
    );
  }
  return slug;
}

/** A prefix may span several levels (`home/garage/mobilenet`) but holds no wildcard and no empty level. */
export function validatePrefix(prefix: string): string {
  if (typeof prefix !== 'string' || prefix.length === 0) {
    throw new MqttConfigError(`topic prefix must be a non-empty string such as "${DEFAULT_PREFIX}"`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is forbidden in MQTT topics, so it is looked for
  if (/[#+\u0000]/.test(prefix) || prefix.startsWith('/') || prefix.endsWith('/') || prefix.includes('//')) {
    throw new MqttConfigError(
      `topic prefix "${prefix}" is invalid: use levels separated by single "/" without "#", "+" or a ` +
        `leading/trailing "/"`,
    );
  }
  return prefix;
}

/**
 * The topic levels the publisher uses (or keeps) right under `<prefix>/<source>/`. A watched label's ON/OFF
 * topic is `<prefix>/<source>/<label>` too, so a label whose topic level is one of these would publish on
 * (or be mistaken for) the source's own topic: such labels are refused, when watched and when taught.
 */
export const SOURCE_TOPIC_WORDS = Object.freeze(['label', 'labels', 'state', 'attributes', 'image', 'teach', 'frame']);

/**
 * Why `label` cannot have a topic of its own under a source, or undefined when it can: its topic level (see
 * `slugify`: "State" and " state" are "state") is one of `SOURCE_TOPIC_WORDS`.
 */
export function labelTopicClash(label: string): string | undefined {
  let level: string;
  try {
    level = slugify(label);
  } catch {
    return undefined;
  }
  if (!SOURCE_TOPIC_WORDS.includes(level)) return undefined;
  return (
    `label "${label}" would be published on <prefix>/<source>/${level}, a topic the MQTT publisher uses for the ` +
    `source itself (${SOURCE_TOPIC_WORDS.join(', ')} are taken): choose another name, e.g. "${label} 1" or ` +
    `"door ${label}"`
  );
}

export interface SourceTopics {
  label: string;
  labels: string;
  watched(label: string): string;
  /** A watched region's state (plain text, retained, published on change). */
  state: string;
  /** JSON `{state, previous, changedAt, score}` beside it (retained), for HA's attributes. */
  stateAttributes: string;
  /** The frame that caused the last state change, raw JPEG bytes (retained). */
  image: string;
  /** Command topic: JSON `{"label": "..."}` teaches the source's current frame. */
  teach: string;
}

export interface PublisherTopics {
  available: string;
  stats: string;
  source(source: string): SourceTopics;
}

/**
 * The topics of one publisher. A classifier pool member (`member` named) has availability and stats
 * of its own under `<prefix>/member/<member>/`: several members share the prefix and the sources,
 * and one member's last will must not say the others are offline.
 */
export function publisherTopics(prefix: string, member?: string): PublisherTopics {
  const root = validatePrefix(prefix);
  const own = member === undefined ? root : `${root}/member/${slugify(member)}`;
  return {
    available: `${own}/available`,
    stats: `${own}/stats`,
    source(source: string): SourceTopics {
      const base = `${root}/${slugify(source)}`;
      return {
        label: `${base}/label`,
        labels: `${base}/labels`,
        watched: (label: string) => `${base}/${slugify(label)}`,
        state: `${base}/state`,
        stateAttributes: `${base}/state/attributes`,
        image: `${base}/image`,
        teach: `${base}/teach`,
      };
    },
  };
}
