import { MqttConfigError } from './errors';

/** A watched region's new state, as the state watcher reports it (plain data: no label set needed here). */
export interface StateUpdate {
  state: string;
  /** The state before; null for the first. */
  previous: string | null;
  /** When it changed, ms since the epoch. */
  changedAt: number;
  score: number;
  /** The frame that caused the change, JPEG bytes; published retained on the image topic. */
  frameJpeg?: Buffer;
}

/** What is kept per source and (re)published: the state text, its attributes JSON, the frame. */
export interface PublishedState {
  state: string;
  attributes: string;
  jpeg: Buffer | undefined;
}

/** The image topic carries one frame; a camera's JPEG is far below this, a runaway buffer is not. */
export const MAX_STATE_IMAGE_BYTES = 8 * 1024 * 1024;

function isJpeg(bytes: Buffer): boolean {
  return bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** Checks an update and turns it into what goes on the wire. @throws MqttConfigError naming the bad field. */
export function toPublishedState(update: StateUpdate): PublishedState {
  if (typeof update?.state !== 'string' || update.state.length === 0) {
    throw new MqttConfigError(`a state update needs "state", a non-empty string, got ${JSON.stringify(update?.state)}`);
  }
  if (update.previous !== null && typeof update.previous !== 'string') {
    throw new MqttConfigError(
      `a state update's "previous" must be a string or null, got ${JSON.stringify(update.previous)}`,
    );
  }
  if (!Number.isFinite(update.changedAt) || !Number.isFinite(update.score)) {
    throw new MqttConfigError('a state update needs "changedAt" (ms since the epoch) and "score" as finite numbers');
  }
  const jpeg = update.frameJpeg;
  if (jpeg !== undefined && (!Buffer.isBuffer(jpeg) || !isJpeg(jpeg) || jpeg.length > MAX_STATE_IMAGE_BYTES)) {
    throw new MqttConfigError(
      `a state update's "frameJpeg" must be JPEG bytes of at most ${MAX_STATE_IMAGE_BYTES} bytes`,
    );
  }
  const attributes = JSON.stringify({
    state: update.state,
    previous: update.previous,
    changedAt: new Date(update.changedAt).toISOString(),
    score: Math.round(update.score * 1000) / 1000,
  });
  return { state: update.state, attributes, jpeg };
}
