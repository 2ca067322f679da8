/**
 * Reads the body of POST /classify before Node-RED's "http in" node sees it. That node's parsers
 * are unbounded for multipart (multer keeps every file in memory) and answer every caller mistake
 * with a plain-text 500 plus a log line. Here each body is bounded while it streams in (never more
 * than the limit held per request), concurrent requests are capped, and every refusal is a JSON
 * `{error}` with the right status, logged at most once per interval.
 */
import type * as http from 'node:http';
import busboy from 'busboy';
import type express from 'express';
import type { RateLimitedLog } from './rate-limited-log';
import { toError } from '../src';

export interface ClassifyLimits {
  /** Largest image accepted, in bytes (raw body, multipart file, or JSON/text body). */
  maxBytes: number;
  /** Requests read or classified at once; more are answered 503 at once. */
  maxConcurrent: number;
  /** A body that has not fully arrived by then is refused (a slow sender holds a slot). */
  bodyTimeoutMs: number;
}

export const DEFAULT_CLASSIFY_LIMITS: ClassifyLimits = {
  maxBytes: 16 * 1024 * 1024,
  maxConcurrent: 4,
  bodyTimeoutMs: 60_000,
};

/** Room for a multipart body's boundaries, part headers and small fields around the file. */
const MULTIPART_OVERHEAD = 64 * 1024;
const ACCEPTED =
  'Accepted: the image as the body (content-type image/jpeg, image/png, image/webp, image/gif, image/tiff, ' +
  'image/avif or application/octet-stream), ' +
  'multipart/form-data with the image as the file field "image", application/json holding a data URL or base64 ' +
  'string, or text/plain holding one.';

function whole(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max)
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${value}"`);
  return parsed;
}

/** CLASSIFY_MAX_BYTES (default 16 MiB) and CLASSIFY_MAX_CONCURRENT (default 4). */
export function readClassifyLimits(env: NodeJS.ProcessEnv = process.env): ClassifyLimits {
  return {
    maxBytes: whole(
      'CLASSIFY_MAX_BYTES',
      env.CLASSIFY_MAX_BYTES,
      DEFAULT_CLASSIFY_LIMITS.maxBytes,
      1024,
      1024 * 1024 * 1024,
    ),
    maxConcurrent: whole(
      'CLASSIFY_MAX_CONCURRENT',
      env.CLASSIFY_MAX_CONCURRENT,
      DEFAULT_CLASSIFY_LIMITS.maxConcurrent,
      1,
      1000,
    ),
    bodyTimeoutMs: DEFAULT_CLASSIFY_LIMITS.bodyTimeoutMs,
  };
}

function sizeText(bytes: number): string {
  return bytes % (1024 * 1024) === 0
    ? `${bytes / (1024 * 1024)} MiB`
    : bytes % 1024 === 0
      ? `${bytes / 1024} KiB`
      : `${bytes} bytes`;
}

type BodyKind = 'bytes' | 'multipart' | 'json' | 'text';

function bodyKind(contentType: string | undefined): BodyKind | undefined {
  const media = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (media === '' || media === 'application/octet-stream' || media.startsWith('image/')) return 'bytes';
  if (media === 'multipart/form-data') return 'multipart';
  if (media === 'application/json' || media.endsWith('+json')) return 'json';
  if (media === 'text/plain') return 'text';
  return undefined;
}

class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Reads the whole body, refusing it (413) as soon as it passes `limit`. */
function readBounded(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        chunks.length = 0;
        reject(
          new Refused(
            413,
            `the body is larger than ${sizeText(limit)} (CLASSIFY_MAX_BYTES). Send a smaller image: the model sees ` +
              `224×224 pixels at most.`,
          ),
        );
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', reject);
    req.once('close', () => {
      if (!req.complete) reject(new Error('the connection closed before the body was complete'));
    });
  });
}

/** The multipart file (field "image", or the only file), refusing it as soon as it passes `limit`. */
function readMultipartImage(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: {
          fileSize: limit,
          files: 1,
          fields: 8,
          fieldSize: 8 * 1024,
          fieldNameSize: 100,
          parts: 10,
          headerPairs: 16,
        },
      });
    } catch (error) {
      reject(new Refused(400, `malformed multipart/form-data (${toError(error).message}). ${ACCEPTED}`));
      return;
    }
    let image: Buffer | undefined;
    let settled = false;
    const fail = (error: Refused): void => {
      if (settled) return;
      settled = true;
      req.unpipe(parser);
      reject(error);
    };
    // Everything that is not the file (boundaries, part headers, fields) is bounded too.
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit + MULTIPART_OVERHEAD)
        fail(
          new Refused(
            413,
            `the multipart body is larger than ${sizeText(limit)} plus ${sizeText(MULTIPART_OVERHEAD)} for its ` +
              `headers (CLASSIFY_MAX_BYTES).`,
          ),
        );
    });
    parser.on('file', (_name, stream) => {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        chunks.push(chunk);
      });
      stream.on('limit', () => {
        chunks.length = 0;
        fail(
          new Refused(
            413,
            `the uploaded image is larger than ${sizeText(limit)} (CLASSIFY_MAX_BYTES). Send a smaller image: the ` +
              `model sees 224×224 pixels at most.`,
          ),
        );
      });
      // A form cut short ends the file with an error event: unhandled, it would end the process.
      stream.on('error', (error) =>
        fail(new Refused(400, `malformed multipart/form-data (${error.message}). ${ACCEPTED}`)),
      );
      stream.on('end', () => {
        if (!stream.truncated) image = Buffer.concat(chunks, size);
      });
    });
    parser.on('filesLimit', () =>
      fail(new Refused(400, `the multipart body holds more than one file; send one image, as the file field "image".`)),
    );
    parser.on('partsLimit', () =>
      fail(new Refused(413, 'the multipart body has more than 10 parts; send one image, as the file field "image".')),
    );
    parser.on('fieldsLimit', () =>
      fail(new Refused(413, 'the multipart body has more than 8 fields; send one image, as the file field "image".')),
    );
    parser.on('error', (error) =>
      fail(new Refused(400, `malformed multipart/form-data (${error.message}). ${ACCEPTED}`)),
    );
    parser.on('close', () => {
      if (settled) return;
      settled = true;
      if (image) resolve(image);
      else
        reject(
          new Refused(400, `the multipart body holds no file; send the image as the file field "image". ${ACCEPTED}`),
        );
    });
    req.once('error', (error) => fail(new Refused(400, `the body could not be read (${error.message}).`)));
    req.once('close', () => {
      if (!req.complete) fail(new Refused(400, 'the connection closed before the body was complete.'));
    });
    req.pipe(parser);
  });
}

async function readBody(req: http.IncomingMessage, kind: BodyKind, limit: number): Promise<unknown> {
  if (kind === 'multipart') return readMultipartImage(req, limit);
  const bytes = await readBounded(req, limit);
  if (kind === 'bytes') return bytes;
  const text = bytes.toString('utf8');
  if (kind === 'text') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Refused(400, `the body is not valid JSON (${toError(error).message}). ${ACCEPTED}`);
  }
}

/**
 * A refused caller that has sent nothing for this long is done (or gone): close. nginx's
 * lingering_timeout; 2 s was too short for a loaded 2-core board, whose caller lost the 413.
 */
const LINGER_IDLE_MS = 5000;
/** However slowly it trickles, a refused body is read and thrown away for at most this long. */
const LINGER_MAX_MS = 30_000;

/**
 * Closing a socket while the caller is still sending makes the kernel answer with a reset, and
 * the caller loses the answer it has not read yet (an EPIPE instead of the 413). So a refusal is a
 * lingering close, as nginx does it: the answer says `Connection: close`, then only the sending
 * side is shut (FIN), and the rest of the body is read and thrown away (no memory held) until the
 * caller closes too, stops sending for LINGER_IDLE_MS, or has sent for LINGER_MAX_MS.
 * Node.js would destroy the socket as soon as the answer is written (its `destroySoon`), so that
 * one socket's `destroySoon` becomes the half-close; its HTTP server allows half-open sockets.
 */
function lingerOnClose(req: express.Request, gaveUp: (why: string) => void): void {
  const socket = req.socket as express.Request['socket'] & { destroySoon?: () => void };
  socket.destroySoon = () => {
    const started = Date.now();
    const close = (): void => {
      clearTimeout(idle);
      socket.destroy();
    };
    // Closing with the caller's bytes still coming resets the connection (the caller may lose its answer): say so.
    const giveUp = (why: string): void => {
      const state = `${socket.bytesRead} bytes read`;
      gaveUp(`${why} after ${Date.now() - started} ms (${state}); the connection is reset`);
      close();
    };
    // A timer that fires after the event loop was stalled (a loaded board) runs before the poll
    // phase reads what arrived meanwhile: look once more after that phase, by bytes read, before
    // calling the caller idle.
    const closeIfIdle = (): void => {
      const readBefore = socket.bytesRead;
      setImmediate(() => {
        if (keepReading(socket) || socket.bytesRead !== readBefore) idle.refresh();
        else giveUp(`nothing sent for ${LINGER_IDLE_MS} ms`);
      });
    };
    const idle = setTimeout(closeIfIdle, LINGER_IDLE_MS);
    idle.unref();
    socket.on('data', () =>
      Date.now() - started > LINGER_MAX_MS ? giveUp(`still sending at ${LINGER_MAX_MS} ms`) : idle.refresh(),
    );
    socket.once('end', close);
    socket.once('close', () => clearTimeout(idle));
    socket.end();
    // Node's HTTP server may have stopped reading the socket (backpressure while the answer was written); an unread
    // socket's bytes stop arriving, and the idle timer would then reset a caller that is still sending.
    keepReading(socket);
    req.resume();
  };
}

/** The parts of a net.Socket's native handle that say and set whether it is being read. */
interface ReadableHandle {
  reading?: boolean;
  readStart?: () => number;
}

/**
 * Makes sure the socket is read. Node's HTTP server reads a request's socket natively (its parser consumes the
 * handle), stops it (readStop) when the request's stream is full, and starts it again only on the socket's 'resume'
 * event, which a socket already flowing does not emit again: after a refusal the socket could stay flowing in name
 * and unread in fact, and the caller still sending was then reset (EPIPE instead of its 413). Returns whether
 * reading had stopped.
 */
function keepReading(socket: express.Request['socket']): boolean {
  socket.resume();
  const handle = (socket as unknown as { _handle?: ReadableHandle })._handle;
  if (!handle || handle.reading !== false || typeof handle.readStart !== 'function') return false;
  handle.reading = true;
  handle.readStart();
  return true;
}

/**
 * Express middleware for POST /classify: on success `req.body` is the image (a Buffer, or for JSON
 * and text the decoded value) and Node-RED's own parsers skip the request (`req._body`).
 */
export function classifyBody(
  limits: ClassifyLimits,
  log: RateLimitedLog,
  /** Where a refused upload whose connection had to be reset is told (its own limit: rare, and worth seeing). */
  resets: RateLimitedLog,
): express.RequestHandler {
  let active = 0;
  return (req, res, next) => {
    const refuse = (status: number, message: string): void => {
      // Already answered (or the caller is gone): a later failure of the same body is not news.
      if (res.headersSent || res.destroyed) return;
      const caller = req.socket.remoteAddress ?? 'unknown';
      log.note(`[mobilenet] POST ${req.path} from ${caller}: ${status} ${message.split('. ')[0]}`);
      lingerOnClose(req, (why) => resets.note(`[mobilenet] POST ${req.path} from ${caller}: refused body, ${why}`));
      res.set('connection', 'close').status(status).json({ error: message });
      req.unpipe();
      req.removeAllListeners('data');
      // A listener that drops each chunk, not none: with no 'data' listener a flowing request buffers what the
      // socket brings, its push() says "full", and Node's HTTP server stops reading the socket (readStop) with
      // nothing left to start it again once the answer is out; the caller's bytes then sit unread, the lingering
      // close sees no bytes for LINGER_IDLE_MS and resets the connection, and the caller loses its 413 (EPIPE).
      req.on('data', () => undefined);
      req.resume();
    };

    if (active >= limits.maxConcurrent) {
      res.set('retry-after', '1');
      refuse(
        503,
        `busy: ${limits.maxConcurrent} requests are being classified (CLASSIFY_MAX_CONCURRENT); try again in a moment.`,
      );
      return;
    }
    active++;
    res.once('close', () => active--);

    const origin = req.headers.origin;
    const host = (req.headers.host ?? '').toLowerCase();
    if (
      (origin !== undefined && origin !== `http://${host}` && origin !== `https://${host}`) ||
      req.headers['sec-fetch-site'] === 'cross-site'
    ) {
      // A page of another site cannot read the answer anyway; it must not feed labels to MQTT.
      refuse(
        403,
        `requests from pages of other sites are refused (Origin ` +
          `${String(origin ?? req.headers['sec-fetch-site']).slice(0, 100)}).`,
      );
      return;
    }
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding !== 'identity') {
      refuse(
        415,
        `content-encoding "${encoding.slice(0, 40)}" is not accepted (a compressed body could inflate beyond any ` +
          `limit); send the image as it is.`,
      );
      return;
    }
    const kind = bodyKind(req.headers['content-type']);
    if (!kind) {
      refuse(415, `content-type "${String(req.headers['content-type']).slice(0, 80)}" is not accepted. ${ACCEPTED}`);
      return;
    }
    const allowed = kind === 'multipart' ? limits.maxBytes + MULTIPART_OVERHEAD : limits.maxBytes;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > allowed) {
      refuse(
        413,
        `the body is ${declared} bytes, more than ${sizeText(limits.maxBytes)} (CLASSIFY_MAX_BYTES). Send a smaller ` +
          `image: the model sees 224×224 pixels at most.`,
      );
      return;
    }

    const timer = setTimeout(() => {
      refuse(408, `the body did not arrive within ${limits.bodyTimeoutMs / 1000} s.`);
    }, limits.bodyTimeoutMs);
    readBody(req, kind, limits.maxBytes).then(
      (body) => {
        clearTimeout(timer);
        if (res.headersSent) return;
        req.body = body;
        // Node-RED's json/urlencoded/multer/raw parsers all skip a request marked as parsed.
        (req as { _body?: boolean })._body = true;
        next();
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (error instanceof Refused) refuse(error.status, error.message);
        else if (!req.destroyed) refuse(400, `the body could not be read (${toError(error).message}).`);
      },
    );
  };
}
