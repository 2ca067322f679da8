import {
  toImageInput,
  DEFAULT_MAX_FILE_BYTES,
  type ImageInput,
  type ClassifyOptions,
  type ClassifyResult,
  checkClassifyOptions,
} from '../../src';
import type { NodeMessage } from '../shared/red-api';
import { numberOrDefault } from '../shared/number-setting';
import type { QueueStats } from '../mobilenet-model/shared-models';
import type { Translate } from '../shared/translate';
import { FileInputError, looksLikeFilePath, readImageFile } from './file-input';

/** What the editor stores for a classify node. */
export interface ClassifyNodeConfig {
  name?: string;
  model: string;
  topK?: number | string;
  threshold?: number | string;
  /** One label per line. */
  allow?: string;
  deny?: string;
  keepImage?: boolean;
  imageProperty?: string;
  /** Send frames where no label reaches the threshold to a second output. */
  noMatchOutput?: boolean;
  readFiles?: boolean;
  fileDir?: string;
  /** Largest image file read from the allowed folder, in bytes (default 32 MiB). */
  maxFileBytes?: number | string;
  /** A mobilenet-label-set config node: answer its labels (and `unknown`) instead of ImageNet's. */
  labelSet?: string;
  /** With a label set that has no classes yet: answer `unknown` (default) or ImageNet's labels. */
  emptySet?: 'unknown' | 'imagenet';
}

export interface ClassifySettings {
  filter: Required<Pick<ClassifyOptions, 'topK' | 'threshold'>> & Pick<ClassifyOptions, 'allow' | 'deny'>;
  keepImage: boolean;
  imageProperty: string;
  noMatchOutput: boolean;
  readFiles: boolean;
  fileDir: string;
  maxFileBytes: number;
}

const RESERVED_PROPERTIES = ['payload', 'classification', 'topic', '_msgid'];

function labelList(text: string | undefined): string[] | undefined {
  const labels = (text ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  return labels.length > 0 ? labels : undefined;
}

/** An editor field as a number; text that is not one is refused as typed ("abc", not NaN). */
function numberOr(t: Translate, field: string, value: number | string | undefined, fallback: number): number {
  const n = numberOrDefault(value, fallback);
  if (Number.isNaN(n))
    throw new Error(t('errors.not-a-number', { field: t(`label.${field}`), got: JSON.stringify(value) }));
  return n;
}

/** Editor values to settings; throws naming the bad field and what is valid (`t` reads the node's messages). */
export function classifySettings(config: ClassifyNodeConfig, t: Translate): ClassifySettings {
  const filter = {
    topK: numberOr(t, 'topK', config.topK, 5),
    threshold: numberOr(t, 'threshold', config.threshold, 0),
    allow: labelList(config.allow),
    deny: labelList(config.deny),
  };
  checkClassifyOptions(filter);
  const imageProperty = (config.imageProperty ?? 'image').trim() || 'image';
  const keepImage = config.keepImage ?? true;
  if (keepImage && RESERVED_PROPERTIES.includes(imageProperty)) {
    throw new Error(t('errors.reserved-property', { property: imageProperty }));
  }
  const maxFileBytes = numberOr(t, 'maxFileBytes', config.maxFileBytes, DEFAULT_MAX_FILE_BYTES);
  if (!Number.isInteger(maxFileBytes) || maxFileBytes < 1)
    throw new Error(t('errors.max-file-bytes', { got: JSON.stringify(config.maxFileBytes) }));
  return {
    filter,
    keepImage,
    imageProperty,
    noMatchOutput: config.noMatchOutput === true,
    readFiles: config.readFiles === true,
    fileDir: config.fileDir ?? '',
    maxFileBytes,
  };
}

/**
 * The image a msg carries: bytes, raw pixels with msg.width/height/channels, data URL, base64 or (if allowed) a file
 * path.
 */
export async function imageFromMessage(
  msg: NodeMessage,
  settings: ClassifySettings,
  t: Translate,
): Promise<{ image: ImageInput; original: unknown }> {
  const payload = msg.payload;
  if (looksLikeFilePath(payload)) {
    if (!settings.readFiles) {
      throw new FileInputError(t('errors.files-off', { path: payload.slice(0, 80) }));
    }
    const bytes = await readImageFile(t, payload, settings.fileDir, settings.maxFileBytes);
    return { image: toImageInput(bytes), original: bytes };
  }
  return {
    image: toImageInput(payload, { width: msg.width, height: msg.height, channels: msg.channels }),
    original: payload,
  };
}

/** HTTP query parameters and form fields arrive as strings: "3" means 3, anything else stays as it is for the error. */
function numeric(value: unknown): unknown {
  return typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
}

/**
 * The node's filter with msg.topK, msg.threshold and msg.roi laid over it, each checked and named as msg.<field> when
 * bad.
 */
export function optionsFromMessage(msg: NodeMessage, settings: ClassifySettings): ClassifyOptions {
  const fromMessage: Record<string, unknown> = {};
  if (msg.topK !== undefined) fromMessage.topK = numeric(msg.topK);
  if (msg.threshold !== undefined) fromMessage.threshold = numeric(msg.threshold);
  if (msg.roi !== undefined) fromMessage.roi = msg.roi;
  for (const [key, value] of Object.entries(fromMessage)) {
    try {
      checkClassifyOptions({ [key]: value });
    } catch (error) {
      // The same error (class and code kept), said as the field the flow author set.
      if (error instanceof Error) error.message = `msg.${key}: ${error.message}`;
      throw error;
    }
  }
  return { ...settings.filter, ...fromMessage } as ClassifyOptions;
}

/** Writes the result onto the msg: payload = predictions, classification = details. */
export function applyResult(msg: NodeMessage, result: ClassifyResult, queue: QueueStats): void {
  msg.payload = result.predictions;
  msg.classification = {
    top: result.top,
    predictions: result.predictions,
    model: result.model,
    timings: result.timings,
    queue,
  };
}
