import { EventEmitter } from 'node:events';
import type { MqttClient } from 'mqtt';
import { type ConnectFn, mqttConnect } from './mqtt-connect';
import { redactUserinfo } from '../redact-userinfo';
import { buildClientOptions, describeConnectionError, type BrokerSettings } from './broker-settings';
import { MqttConfigError } from './errors';
import { FrameStats, type StatsSnapshot } from './frame-stats';
import { buildDeviceDiscovery, discoveryTopic, HA_STATUS_TOPIC } from './ha-discovery';
import { LabelHysteresis, type Presence } from './hysteresis';
import { scoreOf, validatePredictions, type LabelFrame } from './label-frame';
import { OfflineQueue } from './offline-queue';
import { isNewerFrame, stampFromProperties, stampProperties, type FrameStamp } from './frame-order';
import { packageOrigin } from './origin';
import { resolveStateEntity, type ResolvedStateEntity, type StateEntity } from './state-entity';
import { toPublishedState, type PublishedState, type StateUpdate } from './state-update';
import { parseTeachCommand, TeachCommandError, type TeachCommand, TeachRateLimit } from './teach-command';
import {
  resolvePublisherOptions,
  type LabelPublisherOptions,
  type QoS,
  type ResolvedPublisherOptions,
} from './publisher-options';
import { publisherTopics, slugify, type PublisherTopics, type SourceTopics } from './topics';

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
  /**
   * The frame was older than one already published for its source (a pool member's late result):
   * its labels JSON went out, the retained label and ON/OFF states were left as they were.
   */
  late: boolean;
}

interface Outgoing {
  topic: string;
  payload: string | Buffer;
  qos: QoS;
  retain: boolean;
  /** MQTT 5 user properties (sent only on an MQTT 5 connection). */
  userProperties?: Record<string, string>;
  /** Told once the broker took the message (QoS >= 1: acknowledged), or why it never will. */
  onSent?: (err?: Error) => void;
}

interface SourceState {
  name: string;
  topics: SourceTopics;
  top: string | null;
  /** The newest frame whose label was published, by this publisher or (MQTT 5) another pool member. */
  newest?: FrameStamp;
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

/**
 * Publishes classification results to one broker, Frigate/Home Assistant style. Owns its own
 * connection because the last will (`<prefix>/available` = offline) is per connection and per prefix.
 *
 * Verbs: `publish…` is what callers ask for (a frame's results, the stats); inside, every MQTT
 * message goes out through `send` (now when connected, else into the bounded offline queue) or,
 * only in the connect handler before the queue is flushed, `sendNow`.
 */
export class LabelPublisher extends EventEmitter<LabelPublisherEvents> {
  readonly prefix: string;
  readonly topics: PublisherTopics;
  private readonly client: MqttClient;
  private readonly options: ResolvedPublisherOptions;
  private readonly queue: OfflineQueue<Outgoing>;
  private readonly sources = new Map<string, SourceState>();
  /** Sources announced by an earlier run (found through their retained label), for removal. */
  private readonly earlierSources = new Set<string>();
  private readonly stats = new FrameStats();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly teachRate = new TeachRateLimit();
  private readonly brokerUrl: string;
  private readonly password: string | undefined;
  private statsTimer: NodeJS.Timeout | undefined;
  private state: ConnectionState = 'connecting';
  private lastError: string | undefined;
  private skippedQos0 = 0;
  /** MQTT 5: label messages carry their frame's seq and ts, and other members' are read back. */
  private readonly v5: boolean;
  /** The newest label other pool members published per source (topic level), for sources not yet seen here. */
  private readonly othersNewest = new Map<string, { stamp: FrameStamp; top: string }>();
  /** True only after our connect handler ran, so nothing overtakes the queued messages. */
  private ready = false;
  /** What `<prefix>/available` says while connected: `offline` while the caller cannot classify (no model). */
  private serving = true;

  /** @throws {MqttConfigError} when an option or the broker settings are wrong (before connecting). */
  constructor(broker: BrokerSettings, options: LabelPublisherOptions = {}, connect: ConnectFn = mqttConnect) {
    super();
    this.options = resolvePublisherOptions(options);
    this.prefix = this.options.prefix;
    this.topics = publisherTopics(this.prefix, this.options.member);
    this.queue = new OfflineQueue<Outgoing>(this.options.maxQueued);
    this.brokerUrl = redactUserinfo(broker.url);
    this.password = broker.password;
    this.v5 = broker.protocolVersion === 5;
    const will = { topic: this.topics.available, payload: 'offline', qos: 1 as const, retain: true };
    this.client = connect(broker.url, buildClientOptions(broker, will));
    this.followClient(broker.url);
    if (this.options.statsIntervalMs > 0) {
      this.statsTimer = setInterval(() => this.publishStats(), this.options.statsIntervalMs);
      this.statsTimer.unref();
    }
  }

  /** Publishes one classified frame; returns what it changed. Throws on a malformed frame. */
  publish(frame: LabelFrame): FrameOutcome {
    return this.publishFrame(frame);
  }

  /**
   * Publishes one classified frame and resolves once the broker took every message it caused
   * (QoS >= 1: acknowledged; QoS 0: written), so a pool member can acknowledge the frame only then.
   * Rejects when the offline queue's bound forced one of them out. Throws on a malformed frame.
   */
  async publishDelivered(frame: LabelFrame): Promise<FrameOutcome> {
    const deliveries: Array<Promise<void>> = [];
    const outcome = this.publishFrame(frame, deliveries);
    await Promise.all(deliveries);
    return outcome;
  }

  private publishFrame(frame: LabelFrame, deliveries?: Array<Promise<void>>): FrameOutcome {
    if (this.state === 'closed') throw new MqttConfigError('this label publisher is closed');
    const send = (message: Outgoing): void => {
      if (deliveries) {
        deliveries.push(
          new Promise<void>((resolve, reject) => {
            message.onSent = (err) => (err ? reject(err) : resolve());
          }),
        );
      }
      this.send(message);
    };
    const predictions = validatePredictions(frame.predictions);
    const sourceName = frame.source && frame.source.length > 0 ? frame.source : this.options.defaultSource;
    const source = this.sourceState(sourceName);
    const ts = typeof frame.ts === 'number' && Number.isFinite(frame.ts) ? frame.ts : Date.now();
    const seq = typeof frame.seq === 'number' && Number.isSafeInteger(frame.seq) ? frame.seq : undefined;
    const stamp: FrameStamp = seq === undefined ? { ts } : { ts, seq };
    // A late result (an older frame finished after a newer one) never overwrites the newer label.
    // The same frame again (a redelivery) is not late: its result is the same.
    const late = source.newest !== undefined && isNewerFrame(source.newest, stamp);
    if (!late) source.newest = stamp;
    const top = predictions.length > 0 ? predictions[0].label : null;
    const topChanged = !late && top !== null && top !== source.top;
    if (topChanged) {
      source.top = top;
      send(this.labelMessage(source, top));
    }
    if (this.options.labelsMode === 'every' || topChanged) {
      const labels = {
        ts,
        ...(seq === undefined ? {} : { seq }),
        source: source.name,
        // Which pool member classified it (consumers and the fleet bench count shares by it).
        ...(this.options.member === undefined ? {} : { member: this.options.member }),
        model: frame.model ?? null,
        predictions,
        timings: frame.timings ?? {},
      };
      const payload = JSON.stringify(labels);
      send({ topic: source.topics.labels, payload, qos: this.options.qos.labels, retain: false });
    }
    const switched: FrameOutcome['switched'] = [];
    for (const watcher of late ? [] : source.watchers) {
      const change = watcher.update(scoreOf(predictions, watcher.config.label), ts);
      if (change) {
        switched.push({ label: watcher.config.label, state: change });
        send(this.presenceMessage(source, watcher));
      }
    }
    this.stats.record(source.name, frame.timings?.totalMs, frame.timings?.inferenceMs, frame.queue, frame.model);
    return { source: source.name, top, topChanged, switched, late };
  }

  /**
   * Declares that `source` has a watched region with these classes: Home Assistant's device for it
   * gains the state (a binary_sensor with a device class for two classes), the last-change image
   * and a teach button per class. Call again when the classes change (a class taught or forgotten).
   * @throws MqttConfigError for classes that are not non-empty strings or an unknown device class.
   */
  announceState(sourceName: string, entity: StateEntity): void {
    if (this.state === 'closed') throw new MqttConfigError('this label publisher is closed');
    const resolved = resolveStateEntity(entity);
    const isNew = !this.sources.has(slugify(sourceName));
    const source = this.sourceState(sourceName, { entity: resolved });
    const before = JSON.stringify(source.region?.entity);
    source.region = { ...source.region, entity: resolved };
    if (this.options.discovery && !isNew && before !== JSON.stringify(resolved)) {
      this.send(this.discoveryMessage(source));
    }
  }

  /**
   * Publishes a watched region's new state, retained: the text on `<prefix>/<source>/state`, its
   * `{state, previous, changedAt, score}` on `.../state/attributes`, and the frame that caused it as
   * raw JPEG on `.../image`. Announces the region (with the states seen so far) if `announceState`
   * was not called. While the broker is away only the latest state and frame are kept.
   * @throws MqttConfigError for a malformed update.
   */
  publishState(sourceName: string, update: StateUpdate): void {
    if (this.state === 'closed') throw new MqttConfigError('this label publisher is closed');
    const published = toPublishedState(update);
    const source = this.sourceState(sourceName);
    if (!source.region) {
      const classes = [update.previous, update.state].filter((name): name is string => typeof name === 'string');
      this.announceState(sourceName, { classes: [...new Set(classes)], teachButtons: false });
    }
    if (source.region) source.region.published = published;
    this.sendRegionState(source, published, (message) => this.send(message));
  }

  status(): PublisherStatus {
    const { queue, skippedQos0 } = this;
    const status: PublisherStatus = { state: this.state, queued: queue.length, dropped: queue.dropped, skippedQos0 };
    if (this.lastError !== undefined && this.state === 'error') status.error = this.lastError;
    return status;
  }

  /** The stats payload as it would be published now (also resets the interval). */
  publishStats(): StatsSnapshot {
    const { queue, skippedQos0 } = this;
    const snapshot = this.stats.snapshot({ queued: queue.length, dropped: queue.dropped, skippedQos0 });
    const payload = JSON.stringify(snapshot);
    this.send({ topic: this.topics.stats, payload, qos: this.options.qos.stats, retain: false });
    return snapshot;
  }

  /** Resolves once connected (rejects with the clear error if the broker refuses first). */
  waitUntilConnected(timeoutMs = 10000): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => finish(new Error(`no connection to MQTT broker ${this.brokerUrl} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onStatus = (status: PublisherStatus): void => {
        if (status.state === 'connected') finish();
        else if (status.state === 'error' || status.state === 'closed') {
          finish(new Error(status.error ?? `publisher ${status.state}`));
        }
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
   * Whether results can come at all (the model loaded): `<prefix>/available` is `online` only while
   * connected and serving, so Home Assistant shows the entities as unavailable while no model can
   * classify, instead of stale values that look current. Retained; sent again on every connect.
   */
  setServing(serving: boolean): void {
    if (this.serving === serving) return;
    this.serving = serving;
    if (this.ready) this.sendNow(this.availabilityMessage());
  }

  /** Whether `<prefix>/available` says `online` when connected (see setServing). */
  get isServing(): boolean {
    return this.serving;
  }

  /**
   * Says goodbye: `offline` on the availability topic, and when `removeDiscovery` (the node was
   * deleted, not just redeployed) empty retained discovery configs so HA drops the devices.
   */
  async close(options: { removeDiscovery?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (this.state === 'closed') return;
    if (this.statsTimer) clearInterval(this.statsTimer);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const wasReady = this.ready;
    this.ready = false;
    this.setState('closed');
    if (!wasReady) {
      await this.client.endAsync(true);
      return;
    }
    const goodbye: Array<Promise<unknown>> = [];
    if (options.removeDiscovery && this.options.discovery) {
      for (const name of this.announcedSourceSlugs()) {
        const topic = discoveryTopic(this.prefix, name, this.options.discoveryPrefix);
        goodbye.push(this.client.publishAsync(topic, '', { qos: 1, retain: true }));
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

  private followClient(url: string): void {
    this.client.on('connect', () => this.onConnect());
    this.client.on('close', () => this.onDisconnect());
    this.client.on('reconnect', () => {
      if (this.state !== 'error') this.setState('connecting');
    });
    this.client.on('error', (err: Error & { code?: unknown }) => {
      this.lastError = describeConnectionError(err, url, this.password).message;
      this.setState('error');
    });
    this.client.on('message', (topic, payload, packet) => {
      if (topic === HA_STATUS_TOPIC && payload.toString() === 'online') this.onHomeAssistantBirth();
      else if (this.options.teach && topic.endsWith('/teach')) this.onTeach(topic, payload, packet.retain);
      else if (topic.startsWith(`${this.prefix}/`) && topic.endsWith('/label')) {
        const slug = topic.slice(this.prefix.length + 1, -'/label'.length);
        if (packet.retain) this.earlierSources.add(slug);
        this.onLabelSeen(slug, payload, packet.properties?.userProperties);
      }
    });
  }

  /**
   * A label on `<prefix>/<source>/label` (MQTT 5, with its frame's seq and ts), ours or another pool
   * member's: when it is newer than what this publisher published, it becomes the source's current
   * label, so a later result here is compared with it (and an older one does not overwrite it).
   */
  private onLabelSeen(slug: string, payload: Buffer, userProperties: Record<string, string | string[]> | undefined) {
    if (!this.v5) return;
    const stamp = stampFromProperties(userProperties);
    if (!stamp || payload.length === 0) return;
    const top = payload.toString();
    const source = this.sources.get(slug);
    if (source) {
      if (source.newest === undefined || isNewerFrame(stamp, source.newest)) {
        source.newest = stamp;
        source.top = top;
      }
      return;
    }
    const known = this.othersNewest.get(slug);
    if (!known || isNewerFrame(stamp, known.stamp)) this.othersNewest.set(slug, { stamp, top });
  }

  /** Topic-level names of every source this publisher (or an earlier run on the same prefix) announced. */
  private announcedSourceSlugs(): Set<string> {
    const current = [...this.sources.values()].map((source) => source.name);
    return new Set([this.options.defaultSource, ...this.earlierSources, ...current].map((name) => slugify(name)));
  }

  private sourceState(name: string, region?: SourceState['region']): SourceState {
    const key = slugify(name);
    let source = this.sources.get(key);
    if (!source) {
      const watchers = this.options.watched.map((watched) => new LabelHysteresis(watched));
      const others = this.othersNewest.get(key);
      this.othersNewest.delete(key);
      const top = others?.top ?? null;
      source = { name, topics: this.topics.source(name), top, newest: others?.stamp, watchers, region };
      this.sources.set(key, source);
      if (this.options.discovery) this.send(this.discoveryMessage(source));
      // Subscribers (and HA) learn the starting state instead of "unknown".
      for (const watcher of source.watchers) this.send(this.presenceMessage(source, watcher));
    }
    return source;
  }

  private onConnect(): void {
    this.lastError = undefined;
    this.sendNow(this.availabilityMessage());
    if (this.options.discovery) {
      this.client.subscribe(HA_STATUS_TOPIC, { qos: 0 }, () => undefined);
      for (const source of this.sources.values()) this.sendNow(this.discoveryMessage(source));
    }
    // A restarted publisher has not seen its sources yet; their retained labels name them, so a
    // deleted node can still remove every device it announced before the restart. Over MQTT 5 the
    // labels also carry their frame's seq and ts: pool members sharing a source keep its order.
    if (this.options.discovery || this.v5) this.client.subscribe(`${this.prefix}/+/label`, { qos: 0 }, () => undefined);
    if (this.options.teach) this.client.subscribe(`${this.prefix}/+/teach`, { qos: 1 }, () => undefined);
    // Oldest first, then current state so subscribers converge even if the bound dropped some.
    for (const message of this.queue.drain()) this.sendNow(message);
    this.republishState((message) => this.sendNow(message));
    this.ready = true;
    this.setState('connected');
  }

  private availabilityMessage(): Outgoing {
    return { topic: this.topics.available, payload: this.serving ? 'online' : 'offline', qos: 1, retain: true };
  }

  private onDisconnect(): void {
    this.ready = false;
    if (this.state === 'connected' || this.state === 'connecting') this.setState('disconnected');
  }

  private onHomeAssistantBirth(): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      for (const source of this.sources.values()) this.send(this.discoveryMessage(source));
      this.republishState((message) => this.send(message));
    }, Math.random() * this.options.discoveryJitterMs);
    this.timers.add(timer);
  }

  /**
   * Each source's retained state again (top label, ON/OFF per watched label, its region's state),
   * after a (re)connect or Home Assistant's birth; `deliver` is `sendNow` in the connect handler.
   */
  private republishState(deliver: (message: Outgoing) => void): void {
    for (const source of this.sources.values()) {
      if (source.top !== null) deliver(this.labelMessage(source, source.top));
      for (const watcher of source.watchers) deliver(this.presenceMessage(source, watcher));
      if (source.region?.published) this.sendRegionState(source, source.region.published, deliver);
    }
  }

  /** Frame, attributes, then state: a subscriber that sees the new state finds its picture already there. */
  private sendRegionState(source: SourceState, published: PublishedState, deliver: (message: Outgoing) => void): void {
    const qos = this.options.qos.state;
    if (published.jpeg && this.client.connected) {
      // Never queued while offline: one retained frame per source is republished on reconnect.
      this.sendNow({ topic: source.topics.image, payload: published.jpeg, qos, retain: true });
    }
    deliver({ topic: source.topics.stateAttributes, payload: published.attributes, qos, retain: true });
    deliver({ topic: source.topics.state, payload: published.state, qos, retain: true });
  }

  private onTeach(topic: string, payload: Buffer, retained: boolean): void {
    try {
      const command = parseTeachCommand(this.prefix, topic, payload, retained);
      this.teachRate.check(command, topic);
      const known = this.sources.get(command.source);
      this.emit('teach', known ? { ...command, source: known.name } : command);
    } catch (error) {
      if (error instanceof TeachCommandError) this.emit('teachRefused', error);
      else throw error;
    }
  }

  private labelMessage(source: SourceState, top: string): Outgoing {
    const message: Outgoing = { topic: source.topics.label, payload: top, qos: this.options.qos.state, retain: true };
    if (source.newest) message.userProperties = stampProperties(source.newest);
    return message;
  }

  private presenceMessage(source: SourceState, watcher: LabelHysteresis): Outgoing {
    const topic = source.topics.watched(watcher.config.label);
    return { topic, payload: watcher.state, qos: this.options.qos.state, retain: true };
  }

  private discoveryMessage(source: SourceState): Outgoing {
    const { topic, payload } = buildDeviceDiscovery({
      prefix: this.prefix,
      source: source.name,
      topics: this.topics,
      watched: this.options.watched,
      origin: packageOrigin(),
      qos: this.options.qos.state,
      discoveryPrefix: this.options.discoveryPrefix,
      state: source.region?.entity,
      availability: this.options.member === undefined,
    });
    return { topic, payload: JSON.stringify(payload), qos: this.options.qos.discovery, retain: true };
  }

  /** Sends now when connected; otherwise keeps QoS >= 1 in the bounded queue and counts QoS 0 as skipped. */
  private send(message: Outgoing): void {
    if (this.state === 'closed') return;
    if (this.ready) {
      this.sendNow(message);
    } else if (message.qos > 0) {
      const forcedOut = this.queue.push(message);
      if (forcedOut) {
        forcedOut.onSent?.(
          new Error(`the offline queue's bound (${this.queue.capacity}) forced out ${forcedOut.topic}`),
        );
        this.emit('status', this.status());
      }
    } else {
      this.skippedQos0 += 1;
      message.onSent?.();
    }
  }

  /** Hands the message to the client; only the connect handler calls it directly, before `ready` is set. */
  private sendNow(message: Outgoing): void {
    const { topic, payload, qos, retain, userProperties, onSent } = message;
    const properties = this.v5 && userProperties ? { userProperties } : undefined;
    this.client.publish(topic, payload, { qos, retain, ...(properties ? { properties } : {}) }, (err) =>
      onSent?.(err ?? undefined),
    );
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    this.emit('status', this.status());
  }
}
