import { EventEmitter } from 'node:events';
import { connect as mqttConnect, type IClientOptions, type MqttClient } from 'mqtt';
import { buildClientOptions, describeConnectionError, redactUrl, type BrokerSettings } from './broker-settings';
import { MqttConfigError } from './errors';
import { FrameStats, type StatsSnapshot } from './frame-stats';
import { buildDeviceDiscovery, discoveryTopic, HA_DISCOVERY_PREFIX, HA_STATUS_TOPIC } from './ha-discovery';
import { LabelHysteresis, validateWatchedLabel, type Presence, type WatchedLabel } from './hysteresis';
import { scoreOf, validatePredictions, type LabelFrame } from './label-frame';
import { OfflineQueue } from './offline-queue';
import { packageOrigin } from './origin';
import type { StateEntity } from './state-entity';
import { resolveStateEntity, type ResolvedStateEntity } from './state-entity';
import { toPublishedState, type PublishedState, type StateUpdate } from './state-update';
import { parseTeachCommand, TeachCommandError, type TeachCommand } from './teach-command';
import {
  DEFAULT_PREFIX,
  DEFAULT_SOURCE,
  publisherTopics,
  slugify,
  type PublisherTopics,
  type SourceTopics,
} from './topics';

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

/** Where and what a LabelPublisher publishes: prefix, source, watched labels, discovery, QoS, queue bound. */
export interface LabelPublisherOptions {
  /** Topic prefix (default "mobilenet"); several levels allowed. */
  prefix?: string;
  /** Source used when a frame names none (default "camera"). */
  source?: string;
  watch?: Array<Partial<WatchedLabel> & { label: string }>;
  /** "every": labels JSON for each frame; "change": only when the top label changes. */
  labelsMode?: 'every' | 'change';
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
}

export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'error' | 'closed';

/** The publisher's connection state and counters, emitted as `status` for node status and logs. */
export interface PublisherStatus {
  state: ConnectionState;
  /** Messages waiting for the broker. */
  queued: number;
  /** Messages the offline queue bound forced out since start. */
  dropped: number;
  /** QoS 0 messages not sent because the broker was unreachable (QoS 0 promises nothing). */
  skippedQos0: number;
  error?: string;
}

/** What one frame changed, for the caller to pass on (e.g. as the node's output msg). */
export interface FrameOutcome {
  source: string;
  top: string | null;
  topChanged: boolean;
  switched: Array<{ label: string; state: Presence }>;
}

interface Outgoing {
  topic: string;
  payload: string | Buffer;
  qos: QoS;
  retain: boolean;
}

interface SourceState {
  name: string;
  topics: SourceTopics;
  top: string | null;
  watchers: LabelHysteresis[];
  /** Set once the source's watched region was announced; `published` after its first state. */
  region?: { entity: ResolvedStateEntity; published?: PublishedState };
}

export interface LabelPublisherEvents {
  status: [PublisherStatus];
  /** A valid, non-retained `{"label"}` on `<prefix>/<source>/teach` (only with the `teach` option). */
  teach: [TeachCommand];
  /** A message on a teach topic that was not a valid command; nothing was taught. */
  teachRefused: [TeachCommandError];
}

type ConnectFn = (url: string, options: IClientOptions) => MqttClient;

/**
 * Publishes classification results to one broker, Frigate/Home Assistant style. Owns its own
 * connection because the last will (`<prefix>/available` = offline) is per connection and per prefix.
 */
export class LabelPublisher extends EventEmitter<LabelPublisherEvents> {
  readonly prefix: string;
  readonly topics: PublisherTopics;
  private readonly client: MqttClient;
  private readonly defaultSource: string;
  private readonly watched: WatchedLabel[];
  private readonly labelsMode: 'every' | 'change';
  private readonly qos: QosByGroup;
  private readonly discovery: boolean;
  private readonly discoveryPrefix: string;
  private readonly discoveryJitterMs: number;
  private readonly teach: boolean;
  private readonly queue: OfflineQueue<Outgoing>;
  private readonly sources = new Map<string, SourceState>();
  /** Sources announced by an earlier run (found through their retained label), for removal. */
  private readonly earlierSources = new Set<string>();
  private readonly stats = new FrameStats();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly brokerUrl: string;
  private readonly password: string | undefined;
  private statsTimer: NodeJS.Timeout | undefined;
  private state: ConnectionState = 'connecting';
  private lastError: string | undefined;
  private skippedQos0 = 0;
  /** True only after our connect handler ran, so nothing overtakes the queued messages. */
  private ready = false;

  constructor(broker: BrokerSettings, options: LabelPublisherOptions = {}, connect: ConnectFn = mqttConnect) {
    super();
    this.prefix = options.prefix && options.prefix.length > 0 ? options.prefix : DEFAULT_PREFIX;
    this.topics = publisherTopics(this.prefix);
    this.defaultSource = options.source && options.source.length > 0 ? options.source : DEFAULT_SOURCE;
    slugify(this.defaultSource);
    this.watched = (options.watch ?? []).map(validateWatchedLabel);
    this.labelsMode = options.labelsMode ?? 'every';
    if (this.labelsMode !== 'every' && this.labelsMode !== 'change') {
      throw new MqttConfigError(`labelsMode must be "every" or "change", got ${JSON.stringify(options.labelsMode)}`);
    }
    this.qos = { ...DEFAULT_QOS, ...options.qos };
    for (const [group, q] of Object.entries(this.qos)) {
      if (q !== 0 && q !== 1 && q !== 2)
        throw new MqttConfigError(`QoS for ${group} must be 0, 1 or 2, got ${JSON.stringify(q)}`);
    }
    this.discovery = options.discovery ?? true;
    this.discoveryPrefix = options.discoveryPrefix ?? HA_DISCOVERY_PREFIX;
    this.discoveryJitterMs = options.discoveryJitterMs ?? 1000;
    this.teach = options.teach ?? false;
    this.queue = new OfflineQueue<Outgoing>(options.maxQueued ?? 1000);
    const statsIntervalMs = options.statsIntervalMs ?? 60000;
    if (typeof statsIntervalMs !== 'number' || !(statsIntervalMs >= 0)) {
      throw new MqttConfigError(
        `statsIntervalMs must be a number >= 0 (0 = off), got ${String(options.statsIntervalMs)}`,
      );
    }
    this.brokerUrl = redactUrl(broker.url);
    this.password = broker.password;

    const clientOptions = buildClientOptions(broker, {
      topic: this.topics.available,
      payload: 'offline',
      qos: 1,
      retain: true,
    });
    this.client = connect(broker.url, clientOptions);
    this.client.on('connect', () => this.onConnect());
    this.client.on('close', () => this.onDisconnect());
    this.client.on('reconnect', () => {
      if (this.state !== 'error') this.setState('connecting');
    });
    this.client.on('error', (err: Error & { code?: unknown }) => {
      this.lastError = describeConnectionError(err, broker.url, this.password).message;
      this.setState('error');
    });
    this.client.on('message', (topic, payload, packet) => {
      if (topic === HA_STATUS_TOPIC && payload.toString() === 'online') this.onHomeAssistantBirth();
      else if (this.teach && topic.endsWith('/teach')) this.onTeach(topic, payload, packet.retain);
      else if (packet.retain && topic.startsWith(`${this.prefix}/`) && topic.endsWith('/label')) {
        this.earlierSources.add(topic.slice(this.prefix.length + 1, -'/label'.length));
      }
    });
    if (statsIntervalMs > 0) {
      this.statsTimer = setInterval(() => this.publishStats(), statsIntervalMs);
      this.statsTimer.unref();
    }
  }

  /** Publishes one classified frame; returns what it changed. Throws on a malformed frame. */
  publish(frame: LabelFrame): FrameOutcome {
    if (this.state === 'closed') throw new MqttConfigError('this label publisher is closed');
    const predictions = validatePredictions(frame.predictions);
    const source = this.sourceState(frame.source && frame.source.length > 0 ? frame.source : this.defaultSource);
    const ts = typeof frame.ts === 'number' && Number.isFinite(frame.ts) ? frame.ts : Date.now();
    const top = predictions.length > 0 ? predictions[0].label : null;
    const topChanged = top !== null && top !== source.top;
    if (topChanged) {
      source.top = top;
      this.send({ topic: source.topics.label, payload: top, qos: this.qos.state, retain: true });
    }
    if (this.labelsMode === 'every' || topChanged) {
      const labels = { ts, source: source.name, model: frame.model ?? null, predictions, timings: frame.timings ?? {} };
      this.send({ topic: source.topics.labels, payload: JSON.stringify(labels), qos: this.qos.labels, retain: false });
    }
    const switched: FrameOutcome['switched'] = [];
    for (const watcher of source.watchers) {
      const change = watcher.update(scoreOf(predictions, watcher.config.label), ts);
      if (change) {
        switched.push({ label: watcher.config.label, state: change });
        this.send({
          topic: source.topics.watched(watcher.config.label),
          payload: change,
          qos: this.qos.state,
          retain: true,
        });
      }
    }
    this.stats.record(source.name, frame.timings?.totalMs, frame.timings?.inferenceMs, frame.queue, frame.model);
    return { source: source.name, top, topChanged, switched };
  }

  /**
   * Declares that `source` has a watched region with these classes: Home Assistant's device for it
   * gains the state (a binary_sensor with a device class for two classes), the last-change image
   * and a teach button per class. Call again when the classes change (a class taught or forgotten).
   * @throws MqttConfigError for classes that are not non-empty strings or an unknown device class.
   */
  announceState(source: string, entity: StateEntity): void {
    if (this.state === 'closed') throw new MqttConfigError('this label publisher is closed');
    const resolved = resolveStateEntity(entity);
    const isNew = !this.sources.has(slugify(source));
    const s = this.sourceState(source, { entity: resolved });
    const before = JSON.stringify(s.region?.entity);
    s.region = { ...s.region, entity: resolved };
    if (this.discovery && !isNew && before !== JSON.stringify(resolved)) this.sendDiscovery(s);
  }

  /**
   * Publishes a watched region's new state, retained: the text on `<prefix>/<source>/state`, its
   * `{state, previous, changedAt, score}` on `.../state/attributes`, and the frame that caused it as
   * raw JPEG on `.../image`. Announces the region (with the states seen so far) if `announceState`
   * was not called. While the broker is away only the latest state and frame are kept.
   * @throws MqttConfigError for a malformed update.
   */
  publishState(source: string, update: StateUpdate): void {
    if (this.state === 'closed') throw new MqttConfigError('this label publisher is closed');
    const published = toPublishedState(update);
    const s = this.sourceState(source);
    if (!s.region) {
      const classes = [update.previous, update.state].filter((c): c is string => typeof c === 'string');
      this.announceState(source, { classes: [...new Set(classes)], teachButtons: false });
    }
    if (s.region) s.region.published = published;
    this.sendRegionState(s, published);
  }

  status(): PublisherStatus {
    const s: PublisherStatus = {
      state: this.state,
      queued: this.queue.length,
      dropped: this.queue.dropped,
      skippedQos0: this.skippedQos0,
    };
    if (this.lastError !== undefined && this.state === 'error') s.error = this.lastError;
    return s;
  }

  /** The stats payload as it would be published now (also resets the interval). */
  publishStats(): StatsSnapshot {
    const snap = this.stats.snapshot({
      queued: this.queue.length,
      dropped: this.queue.dropped,
      skippedQos0: this.skippedQos0,
    });
    this.send({ topic: this.topics.stats, payload: JSON.stringify(snap), qos: this.qos.stats, retain: false });
    return snap;
  }

  /** Resolves once connected (rejects with the clear error if the broker refuses first). */
  waitUntilConnected(timeoutMs = 10000): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => finish(new Error(`no connection to MQTT broker ${this.brokerUrl} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onStatus = (s: PublisherStatus): void => {
        if (s.state === 'connected') finish();
        else if (s.state === 'error' || s.state === 'closed') finish(new Error(s.error ?? `publisher ${s.state}`));
      };
      const finish = (err?: Error): void => {
        clearTimeout(timer);
        this.off('status', onStatus);
        if (err) reject(err);
        else resolve();
      };
      this.on('status', onStatus);
    });
  }

  /**
   * Says goodbye: `offline` on the availability topic, and when `removeDiscovery` (the node was
   * deleted, not just redeployed) empty retained discovery configs so HA drops the devices.
   */
  async close(options: { removeDiscovery?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (this.state === 'closed') return;
    if (this.statsTimer) clearInterval(this.statsTimer);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const wasReady = this.ready;
    this.ready = false;
    this.setState('closed');
    if (!wasReady) {
      await this.client.endAsync(true);
      return;
    }
    const goodbye: Array<Promise<unknown>> = [];
    if (options.removeDiscovery && this.discovery) {
      const names = new Set(
        [this.defaultSource, ...this.earlierSources, ...[...this.sources.values()].map((s) => s.name)].map((n) =>
          slugify(n),
        ),
      );
      for (const name of names) {
        goodbye.push(
          this.client.publishAsync(discoveryTopic(this.prefix, name, this.discoveryPrefix), '', {
            qos: 1,
            retain: true,
          }),
        );
      }
    }
    goodbye.push(this.client.publishAsync(this.topics.available, 'offline', { qos: 1, retain: true }));
    const timeoutMs = options.timeoutMs ?? 3000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.allSettled(goodbye), timeout]);
    await Promise.race([this.client.endAsync(false), timeout]);
    if (timer) clearTimeout(timer);
    // A broker that stopped answering leaves the graceful end pending, and mqtt.js ignores any end()
    // after the first: drop the connection itself, or it stays open (forever with keep-alive 0).
    if (!this.client.disconnected) this.client.stream?.destroy();
  }

  private sourceState(name: string, region?: SourceState['region']): SourceState {
    const key = slugify(name);
    let state = this.sources.get(key);
    if (!state) {
      state = {
        name,
        topics: this.topics.source(name),
        top: null,
        watchers: this.watched.map((w) => new LabelHysteresis(w)),
        region,
      };
      this.sources.set(key, state);
      if (this.discovery) this.sendDiscovery(state);
      // Subscribers (and HA) learn the starting state instead of "unknown".
      for (const w of state.watchers)
        this.send({ topic: state.topics.watched(w.config.label), payload: w.state, qos: this.qos.state, retain: true });
    }
    return state;
  }

  private onConnect(): void {
    this.lastError = undefined;
    this.publishNow({ topic: this.topics.available, payload: 'online', qos: 1, retain: true });
    if (this.discovery) {
      this.client.subscribe(HA_STATUS_TOPIC, { qos: 0 }, () => undefined);
      // A restarted publisher has not seen its sources yet; their retained labels name them, so a
      // deleted node can still remove every device it announced before the restart.
      this.client.subscribe(`${this.prefix}/+/label`, { qos: 0 }, () => undefined);
      for (const s of this.sources.values()) this.sendDiscovery(s, true);
    }
    if (this.teach) this.client.subscribe(`${this.prefix}/+/teach`, { qos: 1 }, () => undefined);
    // Oldest first, then current state so subscribers converge even if the bound dropped some.
    for (const m of this.queue.drain()) this.publishNow(m);
    this.republishState();
    this.ready = true;
    this.setState('connected');
  }

  private onDisconnect(): void {
    this.ready = false;
    if (this.state === 'connected' || this.state === 'connecting') this.setState('disconnected');
  }

  private onHomeAssistantBirth(): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      for (const s of this.sources.values()) this.sendDiscovery(s);
      this.republishState();
    }, Math.random() * this.discoveryJitterMs);
    this.timers.add(timer);
  }

  private republishState(): void {
    for (const s of this.sources.values()) {
      if (s.top !== null) this.sendOrNow({ topic: s.topics.label, payload: s.top, qos: this.qos.state, retain: true });
      for (const w of s.watchers)
        this.sendOrNow({
          topic: s.topics.watched(w.config.label),
          payload: w.state,
          qos: this.qos.state,
          retain: true,
        });
      if (s.region?.published) this.sendRegionState(s, s.region.published, true);
    }
  }

  /** State, attributes, then the frame: a subscriber that sees the new state finds its picture already there. */
  private sendRegionState(s: SourceState, published: PublishedState, now = false): void {
    const send = (m: Outgoing): void => (now ? this.sendOrNow(m) : this.send(m));
    if (published.jpeg && this.client.connected) {
      // Never queued while offline: one retained frame per source is republished on reconnect.
      this.publishNow({ topic: s.topics.image, payload: published.jpeg, qos: this.qos.state, retain: true });
    }
    send({ topic: s.topics.stateAttributes, payload: published.attributes, qos: this.qos.state, retain: true });
    send({ topic: s.topics.state, payload: published.state, qos: this.qos.state, retain: true });
  }

  private onTeach(topic: string, payload: Buffer, retained: boolean): void {
    try {
      const command = parseTeachCommand(this.prefix, topic, payload, retained);
      const known = this.sources.get(command.source);
      this.emit('teach', known ? { ...command, source: known.name } : command);
    } catch (error) {
      if (error instanceof TeachCommandError) this.emit('teachRefused', error);
      else throw error;
    }
  }

  private sendDiscovery(s: SourceState, now = false): void {
    const { topic, payload } = buildDeviceDiscovery({
      prefix: this.prefix,
      source: s.name,
      topics: this.topics,
      watched: this.watched,
      origin: packageOrigin(),
      qos: this.qos.state,
      discoveryPrefix: this.discoveryPrefix,
      state: s.region?.entity,
    });
    const m: Outgoing = { topic, payload: JSON.stringify(payload), qos: this.qos.discovery, retain: true };
    if (now) this.publishNow(m);
    else this.send(m);
  }

  /** Used inside the connect handler, where `ready` is not yet set but the client is connected. */
  private sendOrNow(m: Outgoing): void {
    if (this.client.connected) this.publishNow(m);
    else this.send(m);
  }

  private send(m: Outgoing): void {
    if (this.state === 'closed') return;
    if (this.ready) {
      this.publishNow(m);
    } else if (m.qos > 0) {
      const before = this.queue.dropped;
      this.queue.push(m);
      if (this.queue.dropped !== before) this.emit('status', this.status());
    } else {
      this.skippedQos0 += 1;
    }
  }

  private publishNow(m: Outgoing): void {
    this.client.publish(m.topic, m.payload, { qos: m.qos, retain: m.retain }, () => undefined);
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    this.emit('status', this.status());
  }
}
