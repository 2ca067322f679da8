import { LabelPublisher, type FrameOutcome, type LabelFrame, type LabelPublisherOptions, type QoS } from '../../src';
import { StateAnnouncer } from './state-message';
import type { BrokerNode } from '../mobilenet-mqtt-broker/broker-node';
import type { NodeMessage, RedApi, RedNode } from '../shared/red-api';
import { failInput } from '../shared/fail-input';
import { numberOrDefault } from '../shared/number-setting';
import { StatusThrottle, status } from '../shared/status';
import { type Translate, translator } from '../shared/translate';
import { publisherStatus } from './labels-status';
import { isModelNode, type ModelUser } from '../mobilenet-model/model-node';
import type { ModelState } from '../mobilenet-model/shared-models';

interface WatchedRow {
  label: string;
  on?: number | string;
  off?: number | string;
  frames?: number | string;
  hold?: number | string;
}

interface LabelsNodeConfig {
  name?: string;
  broker: string;
  prefix?: string;
  source?: string;
  watched?: WatchedRow[];
  labelsMode?: 'every' | 'change';
  statsInterval?: number | string;
  discovery?: boolean;
  qosState?: number | string;
  qosLabels?: number | string;
  qosStats?: number | string;
  maxQueued?: number | string;
  /** Listen on `<prefix>/<source>/teach` and send each valid `{"label"}` on a second output, to a teach node. */
  teach?: boolean;
  /** A two-class label set's watched state as a Home Assistant binary_sensor of this class ('' = text sensor). */
  deviceClass?: string;
  /** The mobilenet-model config node feeding this publisher: `<prefix>/available` is `online` only while loaded. */
  model?: string;
  /** One member of a classifier pool: availability and stats under `<prefix>/member/<member>/`. */
  member?: string;
}

/** Editor values (strings, seconds) to the core's options (numbers, milliseconds). */
function publisherOptions(config: LabelsNodeConfig): LabelPublisherOptions {
  return {
    prefix: config.prefix?.trim() || undefined,
    source: config.source?.trim() || undefined,
    watch: (config.watched ?? []).map((w) => ({
      label: String(w.label ?? '').trim(),
      onThreshold: numberOrDefault(w.on, 0.6),
      offThreshold: numberOrDefault(w.off, 0.4),
      onFrames: numberOrDefault(w.frames, 2),
      holdMs: numberOrDefault(w.hold, 5) * 1000,
    })),
    labelsMode: config.labelsMode ?? 'every',
    statsIntervalMs: numberOrDefault(config.statsInterval, 60) * 1000,
    discovery: config.discovery ?? true,
    qos: {
      state: numberOrDefault(config.qosState, 1) as QoS,
      labels: numberOrDefault(config.qosLabels, 0) as QoS,
      stats: numberOrDefault(config.qosStats, 0) as QoS,
    },
    maxQueued: numberOrDefault(config.maxQueued, 1000),
    teach: config.teach === true,
    member: config.member?.trim() || undefined,
  };
}

/** The classify node's msg to a frame: predictions from msg.classification or msg.payload. */
function frameFromMessage(msg: NodeMessage, t: Translate): LabelFrame {
  const classification = (msg.classification ?? {}) as Partial<{
    predictions: unknown;
    model: string;
    timings: LabelFrame['timings'];
    queue: LabelFrame['queue'];
  }>;
  const frame = (msg.frame ?? {}) as Partial<{ source: string; seq: number; ts: number }>;
  const predictions = classification.predictions ?? msg.payload;
  if (!Array.isArray(predictions)) {
    throw new Error(t('errors.no-predictions'));
  }
  return {
    predictions,
    source: typeof frame.source === 'string' ? frame.source : undefined,
    seq: frame.seq,
    ts: frame.ts,
    model: classification.model,
    timings: classification.timings,
    queue: classification.queue,
  };
}

export = function (RED: RedApi): void {
  const t = translator(RED, 'mobilenet-mqtt-labels');

  function MobilenetMqttLabelsNode(this: RedNode, config: LabelsNodeConfig): void {
    RED.nodes.createNode(this, config);
    const statuses = new StatusThrottle((shown) => this.status(shown));
    const broker = RED.nodes.getNode(config.broker) as BrokerNode | null;
    let publisher: LabelPublisher | undefined;
    let lastModelState: ModelState | undefined;
    const node = this;
    let states: StateAnnouncer | undefined;
    /**
     * With a model named, availability tells the truth: `offline` while the model loads or after it failed to
     * load (Home Assistant shows the entities as unavailable), `online` once it classifies.
     */
    let modelUser: ModelUser | undefined;
    const modelNode = config.model ? RED.nodes.getNode(config.model) : null;
    function followModel(current: LabelPublisher): void {
      if (!config.model) return;
      if (!isModelNode(modelNode)) {
        node.warn(t('errors.missing-model'));
        return;
      }
      const follow = (state: ModelState): void => {
        lastModelState = state;
        current.setServing(state.phase === 'ready');
        statuses.now(publisherStatus(RED, t, current.status(), current.isServing ? undefined : state));
      };
      modelUser = { onModelState: follow };
      // Before registering: the first state arrives during register().
      current.setServing(false);
      try {
        modelNode.register(modelUser);
      } catch (err) {
        modelUser = undefined;
        node.warn(err);
      }
    }

    if (!broker || typeof broker.brokerSettings !== 'function') {
      statuses.now(status.failed(t('status.no-broker')));
      this.error(t('errors.missing-broker'));
    } else {
      try {
        const settings = broker.brokerSettings();
        // One connection per publisher node (its own last will), so client ids must differ.
        if (settings.clientId) settings.clientId = `${settings.clientId}-${this.id}`;
        publisher = new LabelPublisher(settings, publisherOptions(config));
        states = new StateAnnouncer(publisher, config.deviceClass, config.source, t);
        statuses.now(publisherStatus(RED, t, publisher.status()));
        const shown = publisher;
        let lastError: string | undefined;
        publisher.on('status', (s) => {
          statuses.now(publisherStatus(RED, t, s, shown.isServing ? undefined : lastModelState));
          // Log each distinct connection problem once, not at every retry.
          if (s.state === 'error' && s.error !== lastError) this.warn(s.error);
          lastError = s.state === 'error' ? s.error : undefined;
        });
        // "This is: door open" from a Home Assistant button: a teach command for a teach node, which
        // teaches the last frame its label set saw. Refused commands are said once each, not taught.
        publisher.on('teach', (command) => {
          this.send([null, { command: 'add', label: command.label, source: command.source, payload: '' }]);
        });
        publisher.on('teachRefused', (error) => this.warn(error.message));
        followModel(publisher);
      } catch (err) {
        statuses.now(status.failed(t('status.config-error')));
        this.error(err);
      }
    }

    this.on('input', (msg, send, done) => {
      try {
        if (!publisher) throw new Error(t('errors.not-configured'));
        const current = publisher;
        const frame = frameFromMessage(msg, t);
        const finish = (outcome: FrameOutcome): void => {
          // A classify node watching a state adds msg.state on a confirmed change: retained state and picture.
          if (msg.state !== undefined) states?.publish(msg);
          msg.mqtt = { ...outcome, ...current.status() };
          send(msg);
          // Throttled: keeps the queued and dropped counts current, and ends a failed message's red status.
          statuses.update(() =>
            publisherStatus(RED, t, current.status(), current.isServing ? undefined : lastModelState),
          );
          done();
        };
        // A frame from the broker (a camera node of kind MQTT) is acknowledged when this msg is done:
        // only once the broker took its labels.
        if (typeof (msg.frame as { delivery?: unknown } | undefined)?.delivery === 'string') {
          current.publishDelivered(frame).then(finish, (err: unknown) => failInput(statuses, done, err));
        } else {
          finish(current.publish(frame));
        }
      } catch (err) {
        failInput(statuses, done, err);
      }
    });

    this.on('close', (removed: boolean, done: () => void) => {
      statuses.cancel();
      if (modelUser && isModelNode(modelNode)) modelNode.deregister(modelUser);
      modelUser = undefined;
      if (!publisher) return done();
      // Only a deleted node takes its Home Assistant device away; a redeploy keeps it.
      publisher
        .close({ removeDiscovery: removed })
        .catch((err: unknown) => this.warn(err))
        .finally(() => {
          statuses.clear();
          done();
        });
    });
  }
  RED.nodes.registerType('mobilenet-mqtt-labels', MobilenetMqttLabelsNode);
};
