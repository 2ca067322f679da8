import { createFrameSource, redactUserinfo, toError, type Frame, type FrameSource } from '../../src';
import type { NodeMessage, RedApi, RedNode } from '../shared/red-api';
import { sourceName, toFrameSourceConfig, type CameraCredentials, type CameraNodeConfig } from './camera-config';
import { framePublishing, mqttIntake, type MqttFramesConfig, type MqttIntake } from './mqtt-frames';
import { cameraStatus } from './camera-status';
import { failInput } from '../shared/fail-input';
import { StatusThrottle, status } from '../shared/status';
import { type Translate, translator } from '../shared/translate';

/** How often the running status refreshes its fps and frame count. */
const STATUS_INTERVAL_MS = 1000;
const CONTROL_WORDS = ['start', 'stop'] as const;
type ControlWord = (typeof CONTROL_WORDS)[number];

/**
 * Reads "start"/"stop" from msg.command, else msg.payload. Nothing else in a message is looked
 * at: the command, URL and folder come only from the node's configuration.
 */
function controlWord(msg: NodeMessage, t: Translate): ControlWord {
  const value = msg.command !== undefined ? msg.command : msg.payload;
  const word = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  if (word === 'start' || word === 'stop') return word;
  const where = msg.command !== undefined ? 'msg.command' : 'msg.payload';
  const got =
    typeof value === 'string'
      ? JSON.stringify(value)
      : Buffer.isBuffer(value)
        ? 'a Buffer'
        : value === null
          ? 'null'
          : typeof value;
  throw new RangeError(t('errors.not-a-command', { where, got }));
}

/**
 * How many files a folder source's problem is about: "skipped <file>: …" is one, the start-up summary
 * "folder …: skipping 3 entries that are not image files" names its count; anything else is none.
 */
function skippedCount(message: string): number {
  if (message.startsWith('skipped ')) return 1;
  const summary = /^folder .*: skipping (\d+) entr(y|ies) that (is|are) not image files/.exec(message);
  return summary ? Number(summary[1]) : 0;
}

function frameMessage(frame: Frame): NodeMessage {
  const meta: Record<string, unknown> = { source: frame.source, seq: frame.seq, ts: frame.ts };
  if (frame.file !== undefined) meta.file = frame.file;
  return { payload: frame.jpeg, frame: meta };
}

export = function (RED: RedApi): void {
  const t = translator(RED, 'mobilenet-camera');

  function MobilenetCameraNode(this: RedNode, config: CameraNodeConfig & MqttFramesConfig): void {
    RED.nodes.createNode(this, config);
    const statuses = new StatusThrottle((shown) => this.status(shown), STATUS_INTERVAL_MS);
    if (config.kind === 'mqtt') {
      memberNode(this, config, statuses);
      return;
    }
    let source: FrameSource | undefined;
    let publishFrame: ReturnType<typeof framePublishing>;
    try {
      source = createFrameSource(toFrameSourceConfig(config, t, (this.credentials ?? {}) as CameraCredentials));
      publishFrame = framePublishing(RED, this, config);
    } catch (err) {
      source = undefined;
      statuses.now(status.failed(t('status.config-error')));
      this.error(t('errors.config', { message: redactUserinfo(toError(err).message) }));
    }

    let statusTimer: NodeJS.Timeout | undefined;
    if (source) {
      const camera = source;
      // Throttled, state changes included: a camera failing at once after each restart must not flood the editor.
      // Files a folder source did not classify: each went to the error path (a Catch node); the status counts them.
      let skippedFiles = 0;
      const showStatus = (): void => statuses.update(() => cameraStatus(camera.state, camera.stats, t, skippedFiles));
      statusTimer = setInterval(showStatus, STATUS_INTERVAL_MS);

      let reported: string | undefined;
      camera.on('frame', (frame) => {
        publishFrame?.(frame);
        this.send(frameMessage(frame));
      });
      camera.on('state', (state) => {
        // A healthy run clears the memory, so the next failure is logged again.
        if (state === 'running') reported = undefined;
        showStatus();
      });
      camera.on('error', (err) => {
        const skipped = skippedCount(err.message);
        if (skipped > 0) {
          skippedFiles += skipped;
          showStatus();
        }
        // A dead camera retried with backoff fails the same way each time: report it once.
        const message = redactUserinfo(err.message);
        if (message === reported) return;
        reported = message;
        // With a msg, a Catch node sees it (for alerts); the status keeps showing it too.
        this.error(message, { payload: message, frame: { source: camera.config.source } });
      });
      statuses.now(cameraStatus(camera.state, camera.stats, t));
      if (config.autostart !== false) camera.start();
    }

    this.on('input', (msg, _send, done) => {
      try {
        if (!source) throw new Error(t('errors.not-configured'));
        if (controlWord(msg, t) === 'start') {
          source.start();
          done();
        } else {
          source.stop().then(
            () => done(),
            (err: unknown) => failInput(statuses, done, err),
          );
        }
      } catch (err) {
        failInput(statuses, done, err);
      }
    });

    this.on('close', (_removed: boolean, done: () => void) => {
      if (statusTimer) clearInterval(statusTimer);
      if (!source) return done();
      const camera = source;
      const stopped = async (): Promise<void> => {
        await camera.stop();
        // A "start" that arrived while a "stop" was in progress runs once that stop ends: stop it too.
        if (camera.state !== 'stopped') await camera.stop();
      };
      stopped()
        .then(() => publishFrame?.close())
        .catch((err: unknown) => this.warn(err))
        .finally(() => {
          camera.removeAllListeners();
          statuses.clear();
          done();
        });
    });
  }

  /**
   * Kind "mqtt": frames from the broker (a classifier pool member). "stop" finishes the frame in hand
   * and leaves the broker (frames it holds for this member wait in its session); "start" comes back.
   */
  function memberNode(node: RedNode, config: CameraNodeConfig & MqttFramesConfig, statuses: StatusThrottle): void {
    let intake: MqttIntake | undefined;
    let closing: Promise<void> = Promise.resolve();
    const open = (): void => {
      const opened = mqttIntake(RED, node, config, sourceName(config));
      intake = opened;
      const { subscriber } = opened;
      statuses.update(() => memberStatus(subscriber));
    };
    const memberStatus = (subscriber: MqttIntake['subscriber']) => {
      const s = subscriber.stats();
      const refused = s.refusedTooLarge + s.refusedMalformed + s.failed;
      const text = t('status.member', { handled: s.handled, old: s.droppedTooOld, refused });
      return subscriber.connected ? status.working(text) : status.pending(text);
    };
    const stop = (): Promise<void> => {
      const current = intake;
      intake = undefined;
      if (current) closing = current.close();
      return closing;
    };
    const timer = setInterval(() => {
      const current = intake;
      if (current) statuses.update(() => memberStatus(current.subscriber));
      else statuses.update(() => status.stopped(t('status.stopped', { frames: 0 })));
    }, STATUS_INTERVAL_MS);
    try {
      open();
    } catch (err) {
      statuses.now(status.failed(t('status.config-error')));
      node.error(t('errors.config', { message: redactUserinfo(toError(err).message) }));
    }
    node.on('input', (msg, _send, done) => {
      try {
        if (controlWord(msg, t) === 'stop') {
          stop().then(
            () => done(),
            (err: unknown) => failInput(statuses, done, err),
          );
        } else {
          closing.then(
            () => {
              if (!intake) open();
              done();
            },
            (err: unknown) => failInput(statuses, done, err),
          );
        }
      } catch (err) {
        failInput(statuses, done, err);
      }
    });
    node.on('close', (_removed: boolean, done: () => void) => {
      clearInterval(timer);
      stop().finally(() => {
        statuses.clear();
        done();
      });
    });
  }

  RED.nodes.registerType('mobilenet-camera', MobilenetCameraNode, {
    credentials: { user: { type: 'text' }, password: { type: 'password' } },
  });
};
