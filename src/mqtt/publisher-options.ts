import { MqttConfigError } from './errors';
import { HA_DISCOVERY_PREFIX } from './ha-discovery';
import { validateWatchedLabel, type WatchedLabel } from './hysteresis';
import { DEFAULT_PREFIX, DEFAULT_SOURCE, slugify, validatePrefix } from './topics';

/** MQTT quality of service: 0 at most once, 1 at least once, 2 exactly once. */
export type QoS = 0 | 1 | 2;

/** QoS per topic group: state = label, ON/OFF and availability; labels = the per-frame JSON. */
export interface QosByGroup {
  state: QoS;
  labels: QoS;
  stats: QoS;
  discovery: QoS;
}

export const DEFAULT_QOS: QosByGroup = { state: 1, labels: 0, stats: 0, discovery: 1 };

export type LabelsMode = 'every' | 'change';

/** Where and what a LabelPublisher publishes: prefix, source, watched labels, discovery, QoS, queue bound. */
export interface LabelPublisherOptions {
  /** Topic prefix (default "mobilenet"); several levels allowed. */
  prefix?: string;
  /** Source used when a frame names none (default "camera"). */
  source?: string;
  watch?: Array<Partial<WatchedLabel> & { label: string }>;
  /** "every": labels JSON for each frame; "change": only when the top label changes. */
  labelsMode?: LabelsMode;
  /** Period of `<prefix>/stats` in ms; 0 turns stats off. Default 60 000. */
  statsIntervalMs?: number;
  /** Home Assistant device discovery (default true). */
  discovery?: boolean;
  discoveryPrefix?: string;
  /** Upper bound of the random delay before answering HA's birth message, as HA recommends. */
  discoveryJitterMs?: number;
  qos?: Partial<QosByGroup>;
  /** Messages (QoS >= 1) kept while the broker is unreachable; older ones are dropped and counted. */
  maxQueued?: number;
  /**
   * Listen on `<prefix>/+/teach` and emit `teach` for each valid command (default false). Anyone
   * who may publish there changes what the classifier answers: limit it with the broker's ACL.
   */
  teach?: boolean;
  /**
   * This publisher is one member of a classifier pool (its name, e.g. the host): availability and
   * stats go to `<prefix>/member/<member>/available` and `.../stats`, and the sources' discovery
   * names no availability topic (a source is served by whichever members are up).
   */
  member?: string;
}

/** Every publisher option checked and with its default filled in. */
export interface ResolvedPublisherOptions {
  prefix: string;
  /** Source used when a frame names none. */
  defaultSource: string;
  watched: WatchedLabel[];
  labelsMode: LabelsMode;
  /** 0 = no stats. */
  statsIntervalMs: number;
  discovery: boolean;
  discoveryPrefix: string;
  discoveryJitterMs: number;
  qos: QosByGroup;
  /** Checked by the offline queue that it sizes. */
  maxQueued: number;
  teach: boolean;
  member?: string;
}

/** An empty or missing name means the default, as the editor leaves a cleared field empty. */
function nameOrDefault(name: string | undefined, fallback: string): string {
  return name && name.length > 0 ? name : fallback;
}

function checkLabelsMode(mode: LabelsMode | undefined): LabelsMode {
  const resolved = mode ?? 'every';
  if (resolved !== 'every' && resolved !== 'change') {
    throw new MqttConfigError(`labelsMode must be "every" or "change", got ${JSON.stringify(mode)}`);
  }
  return resolved;
}

function checkQos(overrides: Partial<QosByGroup> | undefined): QosByGroup {
  const qos = { ...DEFAULT_QOS, ...overrides };
  for (const [group, level] of Object.entries(qos)) {
    if (level !== 0 && level !== 1 && level !== 2) {
      throw new MqttConfigError(`QoS for ${group} must be 0, 1 or 2, got ${JSON.stringify(level)}`);
    }
  }
  return qos;
}

function checkMember(member: string | undefined): string | undefined {
  if (member === undefined || member === '') return undefined;
  slugify(member); // throws when nothing of the name is left for a topic level
  return member;
}

function checkStatsInterval(intervalMs: number | undefined): number {
  const resolved = intervalMs ?? 60000;
  if (typeof resolved !== 'number' || !(resolved >= 0)) {
    throw new MqttConfigError(`statsIntervalMs must be a number >= 0 (0 = off), got ${String(intervalMs)}`);
  }
  return resolved;
}

/**
 * Checks a publisher's options and fills in the defaults, before any connection is opened.
 * @throws {MqttConfigError} naming the first option that is wrong and what it accepts.
 */
export function resolvePublisherOptions(options: LabelPublisherOptions = {}): ResolvedPublisherOptions {
  const prefix = validatePrefix(nameOrDefault(options.prefix, DEFAULT_PREFIX));
  const defaultSource = nameOrDefault(options.source, DEFAULT_SOURCE);
  slugify(defaultSource); // throws when nothing of the name is left for a topic level
  return {
    prefix,
    defaultSource,
    watched: (options.watch ?? []).map(validateWatchedLabel),
    labelsMode: checkLabelsMode(options.labelsMode),
    qos: checkQos(options.qos),
    discovery: options.discovery ?? true,
    discoveryPrefix: options.discoveryPrefix ?? HA_DISCOVERY_PREFIX,
    discoveryJitterMs: options.discoveryJitterMs ?? 1000,
    maxQueued: options.maxQueued ?? 1000,
    teach: options.teach ?? false,
    member: checkMember(options.member),
    statsIntervalMs: checkStatsInterval(options.statsIntervalMs),
  };
}
