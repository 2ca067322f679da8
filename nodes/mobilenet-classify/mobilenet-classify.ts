import { FrameDroppedError } from '../../src';
import { isModelNode, type ModelUser } from '../mobilenet-model/model-node';
import type { ModelState, SharedModel } from '../mobilenet-model/shared-models';
import type { DoneFunction, NodeMessage, RedApi, RedNode, SendFunction } from '../shared/red-api';
import { failInput } from '../shared/fail-input';
import { StatusThrottle, status } from '../shared/status';
import { translator } from '../shared/translate';
import { shortLoadReason, withAdvice } from '../shared/model-advice';
import { toError } from '../../src';
import { serviceOf } from '../mobilenet-label-set/label-set-node';
import type { LabelSetService } from '../mobilenet-label-set/label-set-service';
import { matchAgainstSet, type SetFrame, type SetMatch, writeSetMatch } from './label-set-result';
import { StateWatches, type WatchStateConfig } from './state-watch';
import {
  applyResult,
  classifySettings,
  imageFromMessage,
  optionsFromMessage,
  type ClassifyNodeConfig,
  type ClassifySettings,
} from './classify-message';
import { loadingStatus, readyStatus } from './classify-status';

export = function (RED: RedApi): void {
  const t = translator(RED, 'mobilenet-classify');

  function MobilenetClassifyNode(this: RedNode, config: ClassifyNodeConfig & WatchStateConfig): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const throttle = new StatusThrottle((shown) => node.status(shown));
    const modelNode = RED.nodes.getNode(config.model);
    let settings: ClassifySettings | undefined;
    let model: SharedModel | undefined;
    let setupError: Error | undefined;
    let labelSet: LabelSetService | undefined;
    let watches: StateWatches | undefined;
    /** The set's classes and counts at the last watched frame. */
    let taughtSeen: string | undefined;

    /**
     * After a frame: the figures when the model runs; while it loads or after it failed, that state
     * (a dropped frame is counted, but a node that cannot classify never looks ready).
     */
    const showProgress = (): void => {
      const current = model;
      if (!current) return;
      throttle.update(() => {
        const state = current.state;
        if (state.phase === 'error')
          return status.failed(t('status.load-failed', { reason: shortLoadReason(state.error) }));
        const skipped = watches?.skipped();
        const dropped = current.queueStats().dropped + (skipped?.busy ?? 0);
        if (state.phase === 'loading') return loadingStatus(t, state.progress, dropped);
        const stats = current.stats();
        return readyStatus(t, {
          engine: state.info.engine,
          fps: stats?.fps,
          latencyMs: stats?.latencyMs.p50,
          dropped,
          still: skipped?.still,
        });
      });
    };

    const user: ModelUser = {
      onModelState(state: ModelState): void {
        if (state.phase === 'loading') {
          throttle.now(loadingStatus(t, state.progress, model?.queueStats().dropped ?? 0));
          // A download's progress in the log too: a headless Pi (npm start's journal) has no status to look at.
          if (state.progress?.logLine) node.log(t('log.downloading', { progress: state.progress.logLine }));
        } else if (state.phase === 'error') {
          throttle.now(status.failed(t('status.load-failed', { reason: shortLoadReason(state.error) })));
          // Said once per load, not per frame: a headless Pi's log must tell why nothing classifies, and what to do.
          node.warn(withAdvice(t('log.failed', { reason: state.error.message }), state.error, state.model));
        } else {
          const { info } = state;
          throttle.now(readyStatus(t, { engine: info.engine, dropped: model?.queueStats().dropped ?? 0 }));
          const engine = `${info.engine}, ${info.backend}`;
          node.log(t('log.ready', { model: info.name, backend: engine, ms: Math.round(info.loadMs) }));
          if (info.engineFallbackReason) node.warn(t('log.engine-fallback', { reason: info.engineFallbackReason }));
        }
      },
    };

    try {
      settings = classifySettings(config, t);
      if (!isModelNode(modelNode)) throw new Error(t('errors.missing-model'));
      if (config.labelSet) labelSet = serviceOf(RED.nodes.getNode(config.labelSet), t('errors.missing-set'));
      if (labelSet && config.watchState === true) watches = new StateWatches(config, labelSet.settings.roi);
      model = modelNode.register(user);
    } catch (err) {
      setupError = toError(err);
      throttle.now(status.failed(setupError.message));
      node.error(setupError);
    }

    // Frames taken in and not yet sent on or failed: a clean shutdown waits for them (see app/start).
    let inFlight = 0;
    Object.defineProperty(node, 'inFlight', { get: () => inFlight });

    async function classifyMessage(msg: NodeMessage, send: SendFunction, done: DoneFunction): Promise<void> {
      // Held for this msg: a close during the await must not pull the model from under it.
      const current = model;
      inFlight++;
      try {
        if (!settings || !current) throw new Error(t('errors.not-configured', { reason: setupError?.message ?? '' }));
        const { image, original } = await imageFromMessage(msg, settings, t);
        const options = optionsFromMessage(msg, settings);
        const set = labelSet;
        // Waits while the set's model loads; a refused set (corrupt, other model) fails the frame.
        if (set) await set.whenOpen();
        // The set's last frame: the editor draws the region on it, and a teach command without an image teaches it.
        if (set && Buffer.isBuffer(original) && msg.width === undefined) set.noteFrame(original, sourceOf(msg));
        if (set && !(config.emptySet === 'imagenet' && set.classes().length === 0)) {
          const frame: SetFrame = { image, original, raw: msg.width !== undefined };
          const classify = () =>
            matchAgainstSet(current, set, frame, options, () => t('errors.other-model', { set: set.settings.name }));
          if (watches) {
            // Taught, forgotten or relabelled since the last frame: the state follows without waiting for motion.
            const taught = JSON.stringify(set.counts());
            if (taughtSeen !== undefined && taught !== taughtSeen) watches.classifyNext();
            taughtSeen = taught;
            const watched = await watchFrame(watches, msg, frame, classify);
            if (!watched) {
              // Held still (or replaced by a newer frame): counted in the status, not sent on.
              showProgress();
              done();
              return;
            }
            writeSetMatch(msg, current, set, watched, settings.filter.topK);
          } else writeSetMatch(msg, current, set, await classify(), settings.filter.topK);
        } else {
          const result = await current.classify(image, options);
          applyResult(msg, result, current.queueStats());
        }
        if (settings.keepImage) RED.util.setMessageProperty(msg, settings.imageProperty, original, true);
        const top = (msg.classification as { top: { label: string } | null }).top;
        const matched = top !== null && !(labelSet && top.label === 'unknown');
        if (settings.noMatchOutput) send(matched ? [msg, null] : [null, msg]);
        else send(msg);
        showProgress();
        done();
      } catch (err) {
        // A dropped frame is no failure of the node: it is counted, the count shows in the ready status
        // and travels with the error, which a Catch node can filter.
        if (err instanceof FrameDroppedError && current) {
          msg.classification = { queue: current.queueStats() };
          showProgress();
          done(err);
        } else failInput(throttle, done, err);
      } finally {
        inFlight--;
      }
    }

    /**
     * Runs a frame through its source's watcher. Undefined when the frame was skipped; on a confirmed
     * change the msg carries `state` and the confirming frame's JPEG as `stateImage`.
     */
    async function watchFrame(
      current: StateWatches,
      msg: NodeMessage,
      frame: SetFrame,
      classify: () => Promise<SetMatch>,
    ): Promise<SetMatch | undefined> {
      const info = (msg.frame ?? {}) as { ts?: unknown };
      const source = sourceOf(msg);
      const ts = typeof info.ts === 'number' ? info.ts : Date.now();
      let found: SetMatch | undefined;
      const { outcome } = await current.process(source, frame.image, ts, async () => {
        found = await classify();
        return found.match;
      });
      if (outcome.skipped || !found) return undefined;
      if (outcome.change) {
        const { state, previous, changedAt, score, frameJpeg } = outcome.change;
        const classes = labelSet?.classes().map((c) => c.label);
        msg.state = { state, previous, changedAt, score, classes };
        msg.stateImage = frameJpeg;
      }
      return found;
    }

    node.on('input', (msg, send, done) => {
      void classifyMessage(msg, send, done);
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      if (isModelNode(modelNode)) modelNode.deregister(user);
      model = undefined;
      throttle.clear();
      done();
    });
  }

  RED.nodes.registerType('mobilenet-classify', MobilenetClassifyNode);
};

/** The camera a frame came from (`msg.frame.source`), '' when the msg names none. */
function sourceOf(msg: NodeMessage): string {
  const source = (msg.frame as { source?: unknown } | undefined)?.source;
  return typeof source === 'string' ? source : '';
}
