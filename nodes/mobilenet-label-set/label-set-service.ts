import { EventEmitter } from 'node:events';
import {
  type ClassifyResult,
  type ImageInput,
  LabelSet,
  LabelSetError,
  isLabelSetError,
  type ClassSummary,
  type LabelSetExport,
  type MatchResult,
  ReviewQueue,
  toError,
} from '../../src';
import * as fs from 'node:fs/promises';
import type { ModelState, SharedModel } from '../mobilenet-model/shared-models';
import type { LabelSetSettings } from './label-set-settings';
import { type TakenSet, takeSet } from './open-sets';
import { withAdvice } from '../shared/model-advice';

/** Where a label set node is: waiting for its model, open, or refused (corrupt, other model, …). */
export type SetState =
  | { phase: 'waiting' }
  | { phase: 'open'; classes: number; examples: number }
  | { phase: 'error'; error: Error };

/** A class as teach nodes answer it: label and count. */
export interface ClassCount {
  label: string;
  count: number;
}

/** An example with its thumbnail as a data URL (for GET /labels and dashboards). */
export interface ExampleView {
  id: string;
  thumbnail: string | null;
}

/** A frame kept for review: the set was unsure of it. */
export interface ReviewView {
  id: string;
  reason: string;
  ts: number;
  label: string;
  score: number;
  image: string | undefined;
}

/** Frames kept for review at most, and their bytes: a camera unsure all night must not eat the board's memory. */
const REVIEW_BOUNDS = { maxEntries: 50, maxBytes: 8 * 1024 * 1024 };

/** A recent frame a classify node saw through this set: for drawing the ROI in the editor, and to teach. */
export interface LastFrame {
  bytes: Buffer;
  at: number;
  /** The camera it came from (`msg.frame.source`); '' when the msg named none. */
  source: string;
}

/**
 * Cameras whose last frame is kept (the most recently seen win): a teach command names its source, and must
 * teach what that camera shows, but a flow naming a new source per frame must not grow the set's memory.
 */
export const MAX_SOURCES_KEPT = 16;

/**
 * A label set as the nodes use it: opened once its model has loaded (the set is tied to the model's
 * fingerprint), taught through that model's embeddings, matched against by classify nodes. Every change
 * is written by the set itself (atomically) before the promise resolves; `close` waits for writes.
 */
export class LabelSetService extends EventEmitter {
  state: SetState = { phase: 'waiting' };
  /** The last frame of each source, least recently seen first (a Map keeps insertion order). */
  private readonly frames = new Map<string, LastFrame>();
  /** Frames the set was unsure of, to label later (GET /labels/review, the teach node's `review`). */
  readonly review = new ReviewQueue(REVIEW_BOUNDS);
  private set?: LabelSet;
  private taken?: TakenSet;
  private fingerprint?: string;
  private modelInfo?: { fingerprint: string; embeddingSize: number; modelName: string };
  private readonly pending = new Set<Promise<unknown>>();
  private closed = false;
  private waiters: Array<{ resolve(set: LabelSet): void; reject(error: Error): void }> = [];

  constructor(
    readonly settings: LabelSetSettings,
    private readonly model: SharedModel,
  ) {
    super();
  }

  /** The model config node reports here (this service is one of the model's users). */
  onModelState(state: ModelState): void {
    if (this.closed) return;
    if (state.phase === 'error') {
      const set = this.settings.name;
      const message = `The label set "${set}" waits for its model, which failed to load: ${state.error.message}`;
      this.fail(new Error(withAdvice(message, state.error, state.model)));
      return;
    }
    if (state.phase !== 'ready' || this.taken) return;
    this.fingerprint = state.info.fingerprint;
    this.modelInfo = {
      fingerprint: state.info.fingerprint,
      embeddingSize: state.info.embeddingSize,
      modelName: state.info.name,
    };
    this.taken = takeSet(this.settings.dir, {
      fingerprint: state.info.fingerprint,
      embeddingSize: state.info.embeddingSize,
      modelName: state.info.name,
    });
    this.taken.set.then(
      (set) => {
        if (this.closed) return;
        this.set = set;
        this.showCounts();
        for (const waiter of this.waiters.splice(0)) waiter.resolve(set);
      },
      (error: unknown) => {
        const refused = toError(error);
        // Said the way a flow author can act on it: the core's wording names its API.
        if (isLabelSetError(refused) && refused.code === 'model-mismatch') {
          refused.message += '. In Node-RED: send msg.command "reembed" to a teach node of this set';
        }
        this.fail(refused);
      },
    );
  }

  /** The open set; waits while the model loads, rejects with why the set cannot be used. */
  whenOpen(): Promise<LabelSet> {
    if (this.closed) return Promise.reject(new Error(`The label set "${this.settings.name}" was closed`));
    if (this.set) return Promise.resolve(this.set);
    if (this.state.phase === 'error') return Promise.reject(this.state.error);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** The set's model fingerprint, once it is open: a classify node must run the same model. */
  get modelFingerprint(): string | undefined {
    return this.fingerprint;
  }

  /** Embeds the image (inside the set's ROI) with the set's model and adds it as an example of `label`. */
  teach(image: ImageInput, label: string): Promise<{ id: string; label: string }> {
    return this.track(async () => {
      const set = await this.whenOpen();
      // One decode and one inference: the example's crop is the pixels the model saw, encoded while it runs.
      const result = await this.model.classify(image, {
        topK: 1,
        threshold: 0,
        roi: this.settings.roi,
        embedding: true,
        inputJpeg: true,
      });
      if (!result.inputJpeg) throw new Error('The model did not return the input JPEG it was asked for');
      const id = await set.add(label, embeddingOf(result), result.inputJpeg);
      this.showCounts();
      return { id, label };
    });
  }

  forget(label: string): Promise<void> {
    return this.change((set) => set.forget(label));
  }

  relabel(from: string, to: string): Promise<void> {
    return this.change((set) => set.relabel(from, to));
  }

  removeExample(id: string): Promise<void> {
    return this.change((set) => set.removeExample(id));
  }

  /** Moves one example to class `to` (taught under the wrong label). */
  moveExample(id: string, to: string): Promise<void> {
    return this.change((set) => set.moveExample(id, to));
  }

  /** Matches a classify result's embedding (run on the same model) against the set. */
  match(result: ClassifyResult): MatchResult {
    if (!this.set) throw new Error(`The label set "${this.settings.name}" is not open yet`);
    return this.set.match(embeddingOf(result), this.settings.match);
  }

  /** Classes with counts and examples, or none while the set is not open. */
  classes(): ClassSummary[] {
    return this.set?.classes() ?? [];
  }

  counts(): ClassCount[] {
    return this.classes().map((c) => ({ label: c.label, count: c.count }));
  }

  /** Keeps `bytes` as the last frame of `source` (the camera's name, '' when the msg named none). */
  noteFrame(bytes: Buffer, source = ''): void {
    this.frames.delete(source);
    this.frames.set(source, { bytes, at: Date.now(), source });
    if (this.frames.size > MAX_SOURCES_KEPT) this.frames.delete(this.frames.keys().next().value as string);
  }

  /** The most recent frame of any source (the editor draws the region on it). */
  get lastFrame(): LastFrame | undefined {
    return [...this.frames.values()].pop();
  }

  /**
   * The last frame of `source` (a teach command's camera), or of any source when it names none. A source the
   * set has not seen has no frame, except in a flow whose frames name no source at all: there the one camera's
   * frames are those (an MQTT publisher names them after its own configured source).
   */
  frameOf(source?: string): LastFrame | undefined {
    if (source === undefined) return this.lastFrame;
    const named = this.frames.get(source);
    if (named) return named;
    const unnamed = this.frames.get('');
    return unnamed && this.frames.size === 1 ? unnamed : undefined;
  }

  /** Keeps a frame the set was unsure of (JPEG frames only: they are kept as they came, bounded). */
  noteUnsure(bytes: Buffer, label: string, score: number): void {
    if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return;
    this.review.add({ reason: 'low-score', ts: Date.now(), label, score }, bytes);
  }

  reviewItems(): { items: ReviewView[]; dropped: number } {
    const items = this.review.list().map((e) => {
      const jpeg = this.review.jpeg(e.id);
      return { ...e, image: jpeg ? `data:image/jpeg;base64,${jpeg.toString('base64')}` : undefined };
    });
    return { items, dropped: this.review.stats().dropped };
  }

  /** Classes with their newest examples' thumbnails inline (at most `perClass` each). */
  async classesWithThumbnails(perClass: number): Promise<Array<ClassCount & { examples: ExampleView[] }>> {
    return Promise.all(
      this.classes().map(async (c) => ({
        label: c.label,
        count: c.count,
        examples: await Promise.all(
          c.examples.slice(-perClass).map(async (e) => ({
            id: e.id,
            thumbnail: await fs.readFile(e.thumbnail).then(
              (bytes) => `data:image/jpeg;base64,${bytes.toString('base64')}`,
              () => null,
            ),
          })),
        ),
      })),
    );
  }

  /** The whole set as one JSON-able object (examples, thumbnails, model), for `import` elsewhere. */
  exportSet(): Promise<LabelSetExport> {
    return this.track(async () => (await this.whenOpen()).export());
  }

  /**
   * Replaces the set with an exported one (from `exportSet`, as an object or JSON text). It must come from
   * the same model; the set in the folder is replaced only once the import is complete.
   */
  importSet(exported: unknown): Promise<void> {
    return this.track(async () => {
      const set = await this.whenOpen();
      if (
        typeof exported !== 'string' &&
        !Buffer.isBuffer(exported) &&
        (typeof exported !== 'object' || exported === null)
      ) {
        throw new LabelSetError(
          'corrupt',
          'import needs msg.payload to be what export sent (an object or its JSON text)',
        );
      }
      const model = set.model;
      const next = await LabelSet.import(this.settings.dir, exported as LabelSetExport, {
        fingerprint: model.fingerprint,
        embeddingSize: model.embeddingSize,
        modelName: model.name,
        replace: true,
      });
      this.taken?.replace(next);
      this.set = next;
      this.showCounts();
    });
  }

  /**
   * After a model change: computes every example's embedding again from its stored crop with the model the
   * set is now used with, and keeps the set (refused until then as taught with another model). All or nothing.
   */
  reembed(): Promise<number> {
    return this.track(async () => {
      const model = this.modelInfo;
      if (!model) throw new Error(`The label set "${this.settings.name}" waits for its model to load; try again then`);
      const set = this.set ?? (await LabelSet.open(this.settings.dir, { ...model, allowModelChange: true }));
      // The crops were cut to the region when taught: embedded whole, as they are.
      const count = await set.reembed(async (jpeg) =>
        embeddingOf(await this.model.classify(jpeg, { topK: 1, threshold: 0, embedding: true })),
      );
      if (!this.set) {
        this.set = set;
        for (const waiter of this.waiters.splice(0)) waiter.resolve(set);
      }
      this.showCounts();
      return count;
    });
  }

  /** Waits for the writes in progress, then lets go of the set (the next node to open it reads the disk). */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters.splice(0))
      waiter.reject(new Error(`The label set "${this.settings.name}" was closed`));
    await Promise.allSettled([...this.pending]);
    this.taken?.release();
    this.removeAllListeners();
  }

  /** Runs a change of the open set, then shows the new counts. */
  private change(apply: (set: LabelSet) => Promise<unknown> | unknown): Promise<void> {
    return this.track(async () => {
      const set = await this.whenOpen();
      await apply(set);
      this.showCounts();
    });
  }

  private track<T>(work: () => Promise<T>): Promise<T> {
    const running = work();
    this.pending.add(running);
    const forget = (): void => {
      this.pending.delete(running);
    };
    running.then(forget, forget);
    return running;
  }

  private showCounts(): void {
    const classes = this.classes();
    this.setState({ phase: 'open', classes: classes.length, examples: classes.reduce((n, c) => n + c.count, 0) });
  }

  private fail(error: Error): void {
    this.setState({ phase: 'error', error });
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  private setState(state: SetState): void {
    this.state = state;
    this.emit('state', state);
  }
}

function embeddingOf(result: ClassifyResult): Float32Array {
  if (!result.embedding) throw new Error('The model returned no embedding for this frame');
  return result.embedding;
}
