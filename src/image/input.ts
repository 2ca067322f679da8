import { ImageError } from './errors';
import type { ImageInput, RawImage } from './types';

const ACCEPTED =
  'Accepted: a Buffer/Uint8Array of JPEG, PNG, WebP, GIF, TIFF or AVIF bytes; a data URL ' +
  '"data:image/...;base64,..."; ' +
  'a base64 string of such bytes; or raw pixels as {data, width, height, channels} (or a Buffer with msg.width, ' +
  'msg.height and msg.channels).';

const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*),/i;
const BASE64 = /^[A-Za-z0-9+/\-_]+={0,2}$/;

export interface RawGeometry {
  width?: unknown;
  height?: unknown;
  channels?: unknown;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return `a string that is neither a data URL nor base64 (starts "${value.slice(0, 24)}")`;
  if (typeof value === 'object') return `an object with keys [${Object.keys(value).slice(0, 6).join(', ')}]`;
  return `a ${typeof value}`;
}

/** Numbers, or strings of digits (HTTP query parameters arrive as strings). */
function dimension(name: string, value: unknown): number {
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new ImageError(
      'INVALID_INPUT',
      `raw image ${name} must be a positive integer, got ${JSON.stringify(value) ?? String(value)}`,
    );
  }
  return n;
}

function bytesOf(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data;
  if (data instanceof Uint8ClampedArray) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  // A Buffer that went through JSON (link nodes, MQTT, context storage) arrives as {type, data}.
  if (typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'Buffer') {
    const values = (data as { data?: unknown }).data;
    if (Array.isArray(values) && values.every((v) => Number.isInteger(v) && v >= 0 && v <= 255))
      return Buffer.from(values as number[]);
  }
  return undefined;
}

function rawImage(data: Uint8Array, geometry: RawGeometry): RawImage {
  return {
    data,
    width: dimension('width', geometry.width),
    height: dimension('height', geometry.height),
    channels: dimension('channels', geometry.channels),
  };
}

function decodeString(text: string): Uint8Array {
  const trimmed = text.trim();
  if (trimmed.length === 0) throw new ImageError('EMPTY', `image string is empty. ${ACCEPTED}`);
  const dataUrl = DATA_URL.exec(trimmed);
  if (dataUrl) {
    const mime = dataUrl[1].toLowerCase();
    if (!mime.startsWith('image/')) {
      throw new ImageError(
        'INVALID_INPUT',
        `data URL has media type "${mime || '(none)'}", expected image/*. ${ACCEPTED}`,
      );
    }
    if (!/;base64$/i.test(dataUrl[2])) {
      throw new ImageError('INVALID_INPUT', `data URL is not base64-encoded (";base64," missing). ${ACCEPTED}`);
    }
    return decodeBase64(trimmed.slice(dataUrl[0].length), 'data URL');
  }
  if (BASE64.test(trimmed.replace(/\s+/g, ''))) return decodeBase64(trimmed, 'base64 string');
  throw new ImageError(
    'INVALID_INPUT',
    `image must not be ${describeValue(text)}; file paths are read by the classify node, not here. ${ACCEPTED}`,
  );
}

function decodeBase64(text: string, what: string): Uint8Array {
  const compact = text.replace(/\s+/g, '');
  if (compact.length === 0) throw new ImageError('EMPTY', `${what} holds no data`);
  if (!BASE64.test(compact)) throw new ImageError('INVALID_INPUT', `${what} is not valid base64. ${ACCEPTED}`);
  return Buffer.from(compact, compact.includes('-') || compact.includes('_') ? 'base64url' : 'base64');
}

/**
 * Turns what a Node-RED message may carry into an ImageInput: encoded bytes, a data URL or base64
 * string, `{data, width, height, channels}`, or a byte buffer plus raw geometry (e.g. msg.width).
 * Anything else is an ImageError (EMPTY or INVALID_INPUT) that lists what is accepted.
 */
export function toImageInput(value: unknown, raw?: RawGeometry): ImageInput {
  if (value === undefined || value === null)
    throw new ImageError('EMPTY', `no image: the value is ${String(value)}. ${ACCEPTED}`);
  if (typeof value === 'string') {
    const bytes = decodeString(value);
    return hasGeometry(raw) ? rawImage(bytes, raw ?? {}) : bytes;
  }

  const bytes = bytesOf(value);
  if (bytes !== undefined) {
    if (bytes.length === 0) throw new ImageError('EMPTY', `image data is empty (0 bytes). ${ACCEPTED}`);
    return hasGeometry(raw) ? rawImage(bytes, raw ?? {}) : bytes;
  }

  if (typeof value === 'object' && !Array.isArray(value) && 'data' in value) {
    const object = value as { data: unknown } & RawGeometry;
    const data = bytesOf(object.data);
    if (data === undefined) {
      throw new ImageError(
        'INVALID_INPUT',
        `raw image data must be a Buffer or Uint8Array, got ${describeValue(object.data)}. ${ACCEPTED}`,
      );
    }
    if (data.length === 0) throw new ImageError('EMPTY', 'raw image data is empty (0 bytes)');
    return rawImage(data, object);
  }

  throw new ImageError('INVALID_INPUT', `image must not be ${describeValue(value)}. ${ACCEPTED}`);
}

/** Raw geometry counts as given when any of its fields is; a partial one is an error in rawImage. */
function hasGeometry(raw: RawGeometry | undefined): boolean {
  return raw !== undefined && (raw.width !== undefined || raw.height !== undefined || raw.channels !== undefined);
}
