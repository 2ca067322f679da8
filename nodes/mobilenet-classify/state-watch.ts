import {
  type ImageInput,
  type MatchResult,
  StateWatcher,
  type StateWatcherOptions,
  type WatchOutcome,
} from '../../src';
import { numberOrDefault } from '../shared/number-setting';

/** The classify node's "Watch state" fields, as the editor stores them. */
export interface WatchStateConfig {
  /** Run frames through a StateWatcher (label set only): motion gate, K agreeing frames, state changes. */
  watchState?: boolean;
  /** Skip frames where the set's region held still (default on); off classifies every frame. */
  watchMotion?: boolean;
  /** A pixel of the region's grey copy counts as changed past this difference, 0..255 (default 25). */
  watchPixelThreshold?: number | string;
  /** The region moved when more than this percentage of its pixels changed, 0..100 (default 2). */
  watchMinArea?: number | string;
  /** Agreeing frames before a new state is confirmed (default 3). */
  watchFrames?: number | string;
  /** Classify at least this often while nothing moves, in seconds; 0 = never (default 60). */
  watchHeartbeat?: number | string;
}

/**
 * One StateWatcher per camera source (msg.frame.source, else the node's own), all with the node's
 * settings and the set's region. The motion reference, the votes and the state belong to one source:
 * frames of two cameras through one node must not vote on each other's state.
 */
export class StateWatches {
  private readonly watchers = new Map<
    string,
    { watcher: StateWatcher; calls: Map<ImageInput, { classify: () => Promise<MatchResult>; match?: MatchResult }> }
  >();
  private readonly options: Omit<StateWatcherOptions, 'classify'>;

  /** @throws RangeError for a number out of range, naming the option. */
  constructor(config: WatchStateConfig, roi: StateWatcherOptions['roi']) {
    this.options = {
      roi,
      consensus: { frames: numberOrDefault(config.watchFrames, 3) },
      motion: {
        heartbeatMs: numberOrDefault(config.watchHeartbeat, 60) * 1000,
        pixelThreshold: numberOrDefault(config.watchPixelThreshold, 25),
        // No motion gate: every frame counts as changed, so every one is classified.
        minChangedArea: config.watchMotion === false ? 0 : numberOrDefault(config.watchMinArea, 2) / 100,
      },
      // The label set keeps the frames it is unsure of for the editor's review list (matchAgainstSet);
      // a second, unseen queue per source would only hold memory.
      review: { maxEntries: 0 },
    };
    // Refuse bad settings at deploy, not at the first frame.
    new StateWatcher({ ...this.options, classify: async () => ({ label: '', score: 0 }) });
  }

  /**
   * Runs a frame through its source's watcher. `classify` is called only when the gate lets the frame
   * through, with the frame's own image, and its match is handed back with the outcome.
   */
  async process(
    source: string,
    image: ImageInput,
    ts: number,
    classify: () => Promise<MatchResult>,
  ): Promise<{ outcome: WatchOutcome; match?: MatchResult }> {
    let watch = this.watchers.get(source);
    if (!watch) {
      const calls = new Map<ImageInput, { classify: () => Promise<MatchResult>; match?: MatchResult }>();
      const watcher = new StateWatcher({
        ...this.options,
        // The watcher hands back the frame it chose to classify; each frame carries its own classify call.
        classify: async (frame) => {
          const call = calls.get(frame);
          if (!call) throw new Error('a watched frame was classified without its message');
          call.match = await call.classify();
          return call.match;
        },
      });
      watch = { watcher, calls };
      this.watchers.set(source, watch);
    }
    // A key of its own (same pixels, no copy): the same Buffer sent twice must not share one entry.
    const key = ownKey(image);
    const call: { classify: () => Promise<MatchResult>; match?: MatchResult } = { classify };
    watch.calls.set(key, call);
    try {
      const outcome = await watch.watcher.process(key, ts);
      return { outcome, match: call.match };
    } finally {
      watch.calls.delete(key);
    }
  }

  /** After the set changed (taught, forgotten): classify the next frames without waiting for motion. */
  classifyNext(): void {
    for (const { watcher } of this.watchers.values()) watcher.classifyNext();
  }

  /** Frames skipped because the region held still, and frames replaced by a newer one, over all sources. */
  skipped(): { still: number; busy: number } {
    let still = 0;
    let busy = 0;
    for (const { watcher } of this.watchers.values()) {
      const stats = watcher.stats();
      still += stats.skipped['no-motion'];
      busy += stats.skipped.busy;
    }
    return { still, busy };
  }
}

function ownKey(image: ImageInput): ImageInput {
  if (Buffer.isBuffer(image)) return Buffer.from(image.buffer, image.byteOffset, image.byteLength);
  if (image instanceof Uint8Array) return new Uint8Array(image.buffer, image.byteOffset, image.byteLength);
  return { ...image };
}
