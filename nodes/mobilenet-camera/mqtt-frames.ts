import {
  FramePublisher,
  frameTopic,
  FrameSubscriber,
  redactUserinfo,
  toError,
  type BrokerSettings,
  type Frame,
  type FrameMessage,
} from '../../src';
import type { BrokerNode } from '../mobilenet-mqtt-broker/broker-node';
import { numberOrDefault } from '../shared/number-setting';
import type { NodeMessage, RedApi, RedNode } from '../shared/red-api';

/** The camera node's MQTT properties as the editor saves them. */
export interface MqttFramesConfig {
  /** A mobilenet-mqtt-broker config node: where frames go (publish) or come from (kind "mqtt"). */
  broker?: string;
  /** Publish every frame to `<prefix>/<source>/frame` (any kind but "mqtt"). */
  publish?: boolean;
  prefix?: string;
  qos?: number | string;
  /** Kind "mqtt": the topic filter, e.g. `$share/classifiers/mobilenet/+/frame`. */
  topic?: string;
  /** Kind "mqtt": MQTT 5 Receive Maximum. */
  receiveMaximum?: number | string;
  /** Kind "mqtt": seconds; older frames are dropped and counted (0 = no limit). */
  maxAge?: number | string;
  /** Kind "mqtt": seconds; a member whose frames arrive older steps back from the share until caught up (0 = never). */
  stepBack?: number | string;
  /** Kind "mqtt": this pool member's name; its intake counters go to `<prefix>/member/<member>/intake`. */
  member?: string;
}

/** How long a frame from MQTT may travel through the flow before it is acknowledged anyway. */
const SETTLE_LIMIT_MS = 60_000;

function brokerSettings(RED: RedApi, config: MqttFramesConfig, suffix: string): BrokerSettings {
  const broker = config.broker ? (RED.nodes.getNode(config.broker) as BrokerNode | null) : null;
  if (!broker || typeof broker.brokerSettings !== 'function') {
    throw new Error('no MQTT broker configured: choose a mobilenet-mqtt-broker for the frames');
  }
  const settings = broker.brokerSettings();
  // Its own connection beside the broker node's other users, so client ids must differ.
  if (settings.clientId) settings.clientId = `${settings.clientId}-${suffix}`;
  return settings;
}

/** Publishes the camera's frames for a classifier pool, when the node says so; `undefined` otherwise. */
export function framePublishing(
  RED: RedApi,
  node: RedNode,
  config: MqttFramesConfig,
): (((frame: Frame) => void) & { close(): Promise<void> }) | undefined {
  if (config.publish !== true) return undefined;
  const qos = numberOrDefault(config.qos, 0);
  const publisher = new FramePublisher(brokerSettings(RED, config, `${node.id}-frames`), {
    prefix: config.prefix?.trim() || undefined,
    qos: qos === 1 ? 1 : 0,
  });
  let reported: string | undefined;
  publisher.on('error', (err) => {
    if (err.message !== reported) node.warn(err.message);
    reported = err.message;
  });
  publisher.on('connect', () => {
    reported = undefined;
  });
  // Frames reaching no classifier are discarded by the broker: say so once, again after one was heard.
  const heard = (): number => publisher.stats().published - publisher.stats().unheard;
  let heardWhenSaid: number | undefined;
  publisher.on('unheard', (frame) => {
    if (heardWhenSaid === heard()) return;
    heardWhenSaid = heard();
    node.warn(
      `frame ${frame.seq} of ${frame.source} reached no classifier: no pool member is subscribed to ` +
        `${frameTopic(publisher.prefix, frame.source)}, so the broker discarded it (counted)`,
    );
  });
  const publish = (frame: Frame): void => {
    void publisher.publish({ source: frame.source, seq: frame.seq, ts: frame.ts, jpeg: frame.jpeg });
  };
  return Object.assign(publish, { close: () => publisher.close() });
}

/** A camera node of kind "mqtt": a classifier pool member's intake. */
export interface MqttIntake {
  subscriber: FrameSubscriber;
  close(): Promise<void>;
}

/**
 * Frames from the broker (kind "mqtt"), each sent as a camera frame would be. A frame is
 * acknowledged to the broker only when its msg is done: a mobilenet-mqtt-labels node finished it
 * (labels published), or a node failed it (a bad image: never retried). Node-RED's onComplete
 * hook tells; `msg.frame.delivery` ties the completion to the frame.
 */
export function mqttIntake(RED: RedApi, node: RedNode, config: MqttFramesConfig, source: string): MqttIntake {
  const pending = new Map<string, (error?: Error) => void>();
  let counter = 0;
  const hook = `onComplete.mobilenet-camera-${node.id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  RED.hooks.add(hook, (event) => {
    const frame = event.msg.frame as { delivery?: unknown } | undefined;
    const delivery = typeof frame?.delivery === 'string' ? frame.delivery : undefined;
    if (delivery === undefined) return;
    const settle = pending.get(delivery);
    if (!settle) return;
    if (event.error !== undefined) settle(toError(event.error));
    else if (event.node.node.type === 'mobilenet-mqtt-labels') settle();
  });
  const handle = (frame: FrameMessage): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      counter += 1;
      const delivery = `${node.id}:${counter}`;
      const timer = setTimeout(() => {
        node.warn(
          `frame ${frame.seq} of ${frame.source} was not finished by a mobilenet-mqtt-labels node within ` +
            `${SETTLE_LIMIT_MS / 1000} s; acknowledged anyway`,
        );
        settle();
      }, SETTLE_LIMIT_MS);
      const settle = (error?: Error): void => {
        clearTimeout(timer);
        pending.delete(delivery);
        if (error) reject(error);
        else resolve();
      };
      pending.set(delivery, settle);
      const msg: NodeMessage = {
        payload: frame.jpeg,
        frame: { source: frame.source, seq: frame.seq, ts: frame.ts, delivery },
      };
      node.send(msg);
    });
  const settings = brokerSettings(RED, config, 'frames');
  const prefix = config.prefix?.trim() || 'mobilenet';
  const topic = (config.topic ?? '').trim() || `$share/classifiers/${prefix}/+/frame`;
  const subscriber = new FrameSubscriber(
    settings,
    {
      topic,
      qos: numberOrDefault(config.qos, 1) === 0 ? 0 : 1,
      receiveMaximum: numberOrDefault(config.receiveMaximum, 4),
      maxAgeMs: numberOrDefault(config.maxAge, 10) * 1000,
      stepBackAfterMs: numberOrDefault(config.stepBack, 0) * 1000,
      statsTopic: config.member?.trim() ? `${prefix}/member/${config.member.trim()}/intake` : undefined,
    },
    handle,
  );
  let reported: string | undefined;
  subscriber.on('error', (err) => {
    if (err.message !== reported) node.warn(redactUserinfo(err.message));
    reported = err.message;
  });
  // Too-old frames are a matter of load: counted in the status and stats, not logged one by one.
  subscriber.on('refused', (err) => {
    if (err.reason !== 'too-old') node.warn(err.message);
  });
  subscriber.on('offline', () => node.warn(`pool member ${source}: connection to the broker lost, reconnecting`));
  subscriber.on('connect', () => {
    reported = undefined;
    node.log(`pool member ${source}: taking frames from ${topic}`);
  });
  return {
    subscriber,
    close: async () => {
      await subscriber.close().catch((err: unknown) => node.warn(toError(err).message));
      RED.hooks.remove(hook);
      for (const settle of pending.values()) settle();
    },
  };
}
