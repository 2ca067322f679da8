import { EventEmitter } from 'node:events';
import type { IPublishPacket, MqttClient } from 'mqtt';
import { type ConnectFn, mqttConnect } from './mqtt-connect';
import { toError } from '../to-error';
import { redactUserinfo } from '../redact-userinfo';
import { buildClientOptions, describeConnectionError, type BrokerSettings } from './broker-settings';
import { MqttConfigError } from './errors';
import {
  DEFAULT_MAX_FRAME_AGE_MS,
  DEFAULT_MAX_FRAME_MESSAGE_BYTES,
  FrameMessageError,
  readFrameMessage,
  type FrameMessage,
} from './frame-message';
import { waitForConnect } from './wait-for-connect';

/** How a pool member takes frames from the broker. */
export interface FrameSubscriberOptions {
  /** Topic filter, usually a shared subscription such as `$share/classifiers/cams/+/frame`. */
  topic: string;
  /** Subscription QoS (default 1: a frame is acknowledged only once its labels are out). */
  qos?: 0 | 1;
  /** MQTT 5 Receive Maximum: QoS 1 frames the broker may hand this member unacknowledged (default 4). */
  receiveMaximum?: number;
  /** Largest frame taken, bytes (default 8 MiB, the camera sources' bound); also sent as Maximum Packet Size. */
  maxBytes?: number;
  /** Frames captured longer ago than this are dropped and counted (default 10 000 ms; 0 = no limit). */
  maxAgeMs?: number;
  /**
   * Seconds the broker keeps this member's session (its subscription and unacknowledged frames)
   * after it disconnects (default 300). Needs a fixed client id, so a restarted member finds it.
   */
  sessionExpirySeconds?: number;
  /**
   * Where the intake's counters go as JSON (QoS 0, not retained) every `statsIntervalMs` and when
   * it closes, e.g. `<prefix>/member/<member>/intake`; none when unset.
   */
  statsTopic?: string;
  /** Default 5000 ms. */
  statsIntervalMs?: number;
  /**
   * Step back from the share while behind (0 = never, the default): when a frame reaches the handler
   * captured longer ago than this, the member UNSUBSCRIBEs, so the broker hands new frames to the other
   * members, and SUBSCRIBEs again once it has caught up (a frame under half this age, or nothing handed
   * over for `STEP_BACK_IDLE_MS`). What the broker had already queued for it still arrives (MQTT 5 lets it,
   * Mosquitto 2 does): nothing is lost, and a slow member ends up with fewer frames.
   */
  stepBackAfterMs?: number;
}

/** A stepped-back member with nothing handed over for this long has drained its queue: it takes frames again. */
export const STEP_BACK_IDLE_MS = 250;

/** What a member did with the frames the broker handed it. */
export interface FrameSubscriberStats {
  received: number;
  /** Handed to the handler, which finished (its labels are out). */
  handled: number;
  /** Captured longer ago than `maxAgeMs`: dropped without classifying. */
  droppedTooOld: number;
  /** Over `maxBytes`: refused before anything read it. */
  refusedTooLarge: number;
  /** Not a frame message (topic, properties, content type, empty). */
  refusedMalformed: number;
  /** The handler failed (e.g. an image that does not decode): acknowledged, not retried. */
  failed: number;
  /** Times this member stepped back from the share because its frames arrived late (`stepBackAfterMs`). */
  steppedBack: number;
}

export interface FrameSubscriberEvents {
  /** A frame that was not handled, and why (counted in the stats). */
  refused: [FrameMessageError];
  /** The handler failed for a frame (counted in `failed`). */
  failed: [Error, FrameMessage];
  /** A connection problem, in one sentence without credentials. */
  error: [Error];
  connect: [];
  /** The connection to the broker was lost; mqtt.js reconnects (frames not acknowledged are given again). */
  offline: [];
}

/** Classifies one frame and publishes its labels; the frame is acknowledged when this settles. */
export type FrameHandler = (frame: FrameMessage) => Promise<void>;

/**
 * A classifier pool member's intake: subscribes (MQTT 5) to frame topics, usually through a shared
 * subscription, and hands each frame to the handler one at a time. A QoS 1 frame is acknowledged
 * only after the handler settled, so a member that dies first loses nothing: the broker gives the
 * frame again. Receive Maximum bounds what the broker hands over unacknowledged; mqtt.js takes a
 * connection's packets one after the other, so frames wait there, in order, never in a queue here.
 */
export class FrameSubscriber extends EventEmitter<FrameSubscriberEvents> {
  readonly topic: string;
  private readonly client: MqttClient;
  private readonly maxBytes: number;
  private readonly maxAgeMs: number;
  private readonly counters: FrameSubscriberStats = {
    received: 0,
    handled: 0,
    droppedTooOld: 0,
    refusedTooLarge: 0,
    refusedMalformed: 0,
    failed: 0,
    steppedBack: 0,
  };
  private readonly qos: 0 | 1;
  private readonly stepBackAfterMs: number;
  /** Unsubscribed because behind; subscribes again once caught up. */
  private stepping = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private statsTimer: NodeJS.Timeout | undefined;
  private readonly statsTopic: string | undefined;
  private closed = false;
  private readonly brokerUrl: string;

  /** @throws {MqttConfigError} for a wrong option or broker setting (before connecting). */
  constructor(
    broker: BrokerSettings,
    options: FrameSubscriberOptions,
    private readonly handler: FrameHandler,
    connect: ConnectFn = mqttConnect,
  ) {
    super();
    if (typeof options.topic !== 'string' || options.topic.trim() === '') {
      throw new MqttConfigError('the frames topic must be a topic filter such as $share/classifiers/cams/+/frame');
    }
    this.topic = options.topic.trim();
    const qos = options.qos ?? 1;
    if (qos !== 0 && qos !== 1) throw new MqttConfigError(`frames QoS must be 0 or 1, got ${JSON.stringify(qos)}`);
    const receiveMaximum = positiveInteger(options.receiveMaximum ?? 4, 'receiveMaximum', 65535);
    this.maxBytes = positiveInteger(options.maxBytes ?? DEFAULT_MAX_FRAME_MESSAGE_BYTES, 'maxBytes', 2 ** 28 - 1);
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_FRAME_AGE_MS;
    if (!(this.maxAgeMs >= 0)) throw new MqttConfigError(`maxAgeMs must be >= 0 (0 = no limit), got ${this.maxAgeMs}`);
    this.qos = qos;
    this.stepBackAfterMs = options.stepBackAfterMs ?? 0;
    if (!(this.stepBackAfterMs >= 0)) {
      throw new MqttConfigError(`stepBackAfterMs must be >= 0 (0 = never), got ${this.stepBackAfterMs}`);
    }
    const sessionExpiryInterval = options.sessionExpirySeconds ?? 300;
    const persistent = broker.clientId !== undefined && broker.clientId !== '' && sessionExpiryInterval > 0;
    const base = buildClientOptions({ ...broker, protocolVersion: 5, clean: !persistent });
    this.brokerUrl = redactUserinfo(broker.url);
    this.client = connect(broker.url, {
      ...base,
      // Room for the topic and properties around the largest frame: the broker never sends a larger packet.
      properties: { receiveMaximum, maximumPacketSize: this.maxBytes + 65536, sessionExpiryInterval },
      // mqtt.js re-subscribes itself after a reconnect that lost the session.
      resubscribe: true,
    });
    this.client.handleMessage = (packet, callback) => {
      // A frame from the broker proves the connection alive. mqtt.js counts only acknowledgements and
      // PINGRESP as such, and a PINGRESP waits here behind the frames taken before it: without this, a
      // busy member's keep-alive could run out, drop the connection and have its frames given again.
      this.client.reschedulePing(true);
      this.take(packet as IPublishPacket).then(
        () => callback(),
        () => callback(),
      );
    };
    this.client.on('connect', (connack) => {
      // A resumed session still holds the subscription; subscribing again is harmless and covers a lost one.
      // A member that had stepped back takes frames again on a new connection (its session may lack the subscription).
      if (!connack.sessionPresent || !persistent || this.stepping) this.rejoin();
      this.emit('connect');
    });
    this.statsTopic = options.statsTopic;
    if (this.statsTopic) {
      this.statsTimer = setInterval(() => this.publishStats(), options.statsIntervalMs ?? 5000);
      this.statsTimer.unref();
    }
    this.client.on('offline', () => this.emit('offline'));
    this.client.on('error', (err: Error & { code?: unknown }) =>
      this.emit('error', describeConnectionError(err, broker.url, broker.password)),
    );
  }

  stats(): FrameSubscriberStats {
    return { ...this.counters };
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** Resolves once connected (and subscribing), or rejects after `timeoutMs`. */
  waitUntilConnected(timeoutMs = 10000): Promise<void> {
    return waitForConnect(this, this.client.connected, this.brokerUrl, timeoutMs);
  }

  /**
   * Stops taking frames: the one being handled finishes and is acknowledged (at most `timeoutMs`),
   * then the connection closes. Frames the broker handed over but that were not handled stay
   * unacknowledged in the session: the broker gives them again when this member comes back.
   */
  async close(timeoutMs = 3000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([this.current ?? Promise.resolve(), timeout]);
    if (this.statsTimer) clearInterval(this.statsTimer);
    clearTimeout(this.idleTimer);
    this.publishStats();
    // Let the acknowledgement of the last frame leave before the connection closes.
    await new Promise<void>((resolve) => setImmediate(resolve));
    await Promise.race([this.client.endAsync(false), timeout]);
    if (timer) clearTimeout(timer);
    if (!this.client.disconnected) this.client.stream?.destroy();
    await this.client.endAsync(true).catch(() => undefined);
  }

  private publishStats(): void {
    if (!this.statsTopic || !this.client.connected) return;
    this.client.publish(
      this.statsTopic,
      JSON.stringify({ ts: Date.now(), ...this.counters }),
      { qos: 0 },
      () => undefined,
    );
  }

  /** Subscribes (again): the first time, after a reconnect, or when a stepped-back member has caught up. */
  private rejoin(): void {
    clearTimeout(this.idleTimer);
    this.stepping = false;
    this.client.subscribe(this.topic, { qos: this.qos }, () => undefined);
  }

  /** Steps back from the share when this frame arrived late; rejoins when frames are fresh again. */
  private pace(frame: FrameMessage): void {
    if (this.stepBackAfterMs === 0 || this.closed) return;
    clearTimeout(this.idleTimer); // a frame came: the queue is not drained yet
    const age = Date.now() - frame.ts;
    if (!this.stepping && age > this.stepBackAfterMs) {
      this.stepping = true;
      this.counters.steppedBack += 1;
      this.client.unsubscribe(this.topic, () => undefined);
    } else if (this.stepping && age < this.stepBackAfterMs / 2) {
      this.rejoin();
    }
  }

  /** After a frame: a stepped-back member that is handed nothing more for a while has drained its queue. */
  private rejoinWhenIdle(): void {
    if (!this.stepping || this.closed) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.stepping && !this.closed && this.client.connected) this.rejoin();
    }, STEP_BACK_IDLE_MS);
    this.idleTimer.unref();
  }

  /** One frame: bounded and checked first, then the handler; resolves when it may be acknowledged. */
  private async take(packet: IPublishPacket): Promise<void> {
    if (this.closed) return new Promise<void>(() => undefined); // never acknowledged: the broker keeps it
    this.counters.received += 1;
    let frame: FrameMessage;
    try {
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      frame = readFrameMessage(packet.topic, payload, packet.properties, {
        maxBytes: this.maxBytes,
        maxAgeMs: this.maxAgeMs,
      });
    } catch (error) {
      const refusal =
        error instanceof FrameMessageError ? error : new FrameMessageError(toError(error).message, 'malformed');
      if (refusal.reason === 'too-old') this.counters.droppedTooOld += 1;
      else if (refusal.reason === 'too-large') this.counters.refusedTooLarge += 1;
      else this.counters.refusedMalformed += 1;
      this.emit('refused', refusal);
      return;
    }
    this.pace(frame);
    const handled = this.handler(frame).then(
      () => {
        this.counters.handled += 1;
      },
      (error: unknown) => {
        this.counters.failed += 1;
        this.emit('failed', toError(error), frame);
      },
    );
    this.current = handled;
    await handled;
    this.rejoinWhenIdle();
  }
}

function positiveInteger(value: number, name: string, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new MqttConfigError(`${name} must be an integer from 1 to ${max}, got ${String(value)}`);
  }
  return value;
}
