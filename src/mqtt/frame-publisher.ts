import { EventEmitter } from 'node:events';
import type { MqttClient } from 'mqtt';
import { type ConnectFn, mqttConnect } from './mqtt-connect';
import { redactUserinfo } from '../redact-userinfo';
import { buildClientOptions, describeConnectionError, type BrokerSettings } from './broker-settings';
import { MqttConfigError } from './errors';
import { frameProperties, frameTopic, type FrameMessage } from './frame-message';
import { DEFAULT_PREFIX } from './topics';
import { waitForConnect } from './wait-for-connect';

/** MQTT 5 PUBACK reason code: the broker accepted the message and no subscription matched it. */
const NO_MATCHING_SUBSCRIBERS = 16;

/** Where and how a camera publishes its frames. */
export interface FramePublisherOptions {
  /** Topic prefix (default "mobilenet"): frames go to `<prefix>/<source>/frame`. */
  prefix?: string;
  /** 0 for live video (a frame the broker cannot take now is worthless later), 1 for "classify every frame". */
  qos?: 0 | 1;
  /**
   * Frames not yet taken by the broker (in flight, or waiting while it is unreachable) at most;
   * a frame beyond the bound is not published and is counted in `dropped`. Default 30.
   */
  maxPending?: number;
}

/** What a frame publisher did since it started. */
export interface FramePublisherStats {
  /** Frames the broker took (QoS 1: acknowledged; QoS 0: written to the connection). */
  published: number;
  /** Frames not published: QoS 0 while the broker was unreachable, or beyond `maxPending`. */
  dropped: number;
  /** Frames handed over and not yet taken. */
  pending: number;
  /**
   * QoS 1 frames the broker took but handed to no one (MQTT 5 PUBACK "No matching subscribers"): no
   * classifier was subscribed, so the broker discarded them. Included in `published`. QoS 0 cannot tell.
   */
  unheard: number;
  connected: boolean;
}

export interface FramePublisherEvents {
  /** A connection problem, said in one sentence without credentials. */
  error: [Error];
  connect: [];
  /** The broker took this QoS 1 frame and discarded it: no subscriber (counted in `unheard`). */
  unheard: [FrameMessage];
}

/**
 * Publishes camera frames to `<prefix>/<source>/frame` over MQTT 5 (user properties `seq`, `ts`,
 * content type `image/jpeg`), for a pool of classifiers behind the broker. Owns its connection:
 * frames are large and must not queue behind (or in front of) the labels of another connection.
 */
export class FramePublisher extends EventEmitter<FramePublisherEvents> {
  readonly prefix: string;
  readonly qos: 0 | 1;
  private readonly client: MqttClient;
  private readonly maxPending: number;
  private readonly waiting: Array<{ frame: FrameMessage; settle: (taken: boolean) => void }> = [];
  private inFlight = 0;
  private published = 0;
  private dropped = 0;
  private unheard = 0;
  /** Message ids the broker acknowledged with "No matching subscribers", until their publish callback runs. */
  private readonly noSubscribers = new Set<number>();
  private closed = false;

  /** @throws {MqttConfigError} for a wrong option or broker setting (before connecting). */
  constructor(broker: BrokerSettings, options: FramePublisherOptions = {}, connect: ConnectFn = mqttConnect) {
    super();
    this.prefix = options.prefix && options.prefix.length > 0 ? options.prefix : DEFAULT_PREFIX;
    frameTopic(this.prefix, 'check'); // throws on a prefix no topic can be made of
    const qos = options.qos ?? 0;
    if (qos !== 0 && qos !== 1) throw new MqttConfigError(`frame QoS must be 0 or 1, got ${JSON.stringify(qos)}`);
    this.qos = qos;
    this.maxPending = options.maxPending ?? 30;
    if (!Number.isInteger(this.maxPending) || this.maxPending < 1) {
      throw new MqttConfigError(`maxPending must be an integer >= 1, got ${String(options.maxPending)}`);
    }
    // User properties and content type exist only in MQTT 5.
    this.client = connect(broker.url, {
      ...buildClientOptions({ ...broker, protocolVersion: 5 }),
      queueQoSZero: false,
    });
    this.client.on('connect', () => {
      this.emit('connect');
      for (const item of this.waiting.splice(0)) this.send(item.frame, item.settle);
    });
    // mqtt.js treats PUBACK reason 16 as success and does not pass the PUBACK on: read it as it arrives.
    this.client.on('packetreceive', (packet) => {
      if (packet.cmd === 'puback' && packet.reasonCode === NO_MATCHING_SUBSCRIBERS && packet.messageId !== undefined) {
        this.noSubscribers.add(packet.messageId);
      }
    });
    this.client.on('error', (err: Error & { code?: unknown }) => {
      this.emit('error', describeConnectionError(err, broker.url, broker.password));
    });
    this.brokerUrl = redactUserinfo(broker.url);
  }

  private readonly brokerUrl: string;

  /**
   * Publishes one frame. Resolves `true` once the broker took it, `false` when it was not
   * published (counted in `dropped`); never rejects.
   */
  publish(frame: FrameMessage): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    frameProperties(frame.seq, frame.ts); // a malformed frame is the caller's mistake: throw now
    if (this.inFlight + this.waiting.length >= this.maxPending || (!this.client.connected && this.qos === 0)) {
      this.dropped += 1;
      return Promise.resolve(false);
    }
    return new Promise((resolve) => {
      if (this.client.connected) this.send(frame, resolve);
      else this.waiting.push({ frame, settle: resolve });
    });
  }

  stats(): FramePublisherStats {
    const pending = this.inFlight + this.waiting.length;
    return {
      published: this.published,
      dropped: this.dropped,
      pending,
      unheard: this.unheard,
      connected: this.client.connected,
    };
  }

  /** Resolves once connected, or rejects after `timeoutMs`. */
  waitUntilConnected(timeoutMs = 10000): Promise<void> {
    return waitForConnect(this, this.client.connected, this.brokerUrl, timeoutMs);
  }

  /** Frames still waiting are dropped (counted); the connection closes after frames in flight were taken. */
  async close(timeoutMs = 2000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const item of this.waiting.splice(0)) {
      this.dropped += 1;
      item.settle(false);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([this.client.endAsync(false), timeout]);
    if (timer) clearTimeout(timer);
    if (!this.client.disconnected) this.client.stream?.destroy();
    await this.client.endAsync(true).catch(() => undefined);
  }

  private send(frame: FrameMessage, settle: (taken: boolean) => void): void {
    this.inFlight += 1;
    const properties = frameProperties(frame.seq, frame.ts);
    this.client.publish(
      frameTopic(this.prefix, frame.source),
      frame.jpeg,
      { qos: this.qos, properties },
      (err, sent) => {
        this.inFlight -= 1;
        if (err) this.dropped += 1;
        else this.published += 1;
        // The callback hands back the stored PUBLISH, so its message id ties it to the PUBACK read above.
        const messageId = sent?.messageId;
        if (!err && messageId !== undefined && this.noSubscribers.delete(messageId)) {
          this.unheard += 1;
          this.emit('unheard', frame);
        }
        settle(!err);
      },
    );
  }
}
