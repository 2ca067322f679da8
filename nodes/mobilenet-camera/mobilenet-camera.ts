import { createFrameSource, redactUserinfo, toError, type Frame, type FrameSource } from '../../src';
import type { NodeMessage, RedApi, RedNode } from '../shared/red-api';
import { toFrameSourceConfig, type CameraCredentials, type CameraNodeConfig } from './camera-config';
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

  function MobilenetCameraNode(this: RedNode, config: CameraNodeConfig): void {
    RED.nodes.createNode(this, config);
    const statuses = new StatusThrottle((shown) => this.status(shown), STATUS_INTERVAL_MS);
    let source: FrameSource | undefined;
    try {
      source = createFrameSource(toFrameSourceConfig(config, t, (this.credentials ?? {}) as CameraCredentials));
    } catch (err) {
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
      camera.on('frame', (frame) => this.send(frameMessage(frame)));
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
        .catch((err: unknown) => this.warn(err))
        .finally(() => {
          camera.removeAllListeners();
          statuses.clear();
          done();
        });
    });
  }

  RED.nodes.registerType('mobilenet-camera', MobilenetCameraNode, {
    credentials: { user: { type: 'text' }, password: { type: 'password' } },
  });
};
