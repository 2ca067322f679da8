import type { IncomingMessage } from 'node:http';
import { pipeline, Transform, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { TransferStop } from './http-request';

export type ContentEncoding = 'identity' | 'gzip' | 'deflate' | 'br';

/** The response's Content-Encoding, or a TransferStop naming the encodings accepted. */
export function contentEncodingOf(response: IncomingMessage): ContentEncoding {
  const header = (response.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (header === '' || header === 'identity') return 'identity';
  if (header === 'gzip' || header === 'x-gzip') return 'gzip';
  if (header === 'deflate' || header === 'br') return header;
  throw new TransferStop(
    `refused: Content-Encoding "${header}" is not supported (valid: gzip, deflate, br, identity; one at a time)`,
  );
}

/** Passes bytes through, failing once more than `limit` went by. */
function byteLimit(limit: number, describe: (bytes: number) => string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > limit) callback(new TransferStop(describe(seen)));
      else callback(null, chunk);
    },
  });
}

/**
 * The body as the file's bytes. A compressed body is inflated as it is read, never ahead of the
 * reader (stream backpressure), so the caller's count of decoded bytes bounds what a bomb can inflate
 * to; the encoded bytes are bounded too (`maxEncodedBytes`), since some deflate streams inflate to nothing.
 */
export function decodedBody(response: IncomingMessage, encoding: ContentEncoding, maxEncodedBytes: number): Readable {
  if (encoding === 'identity') return response;
  const decoder =
    encoding === 'gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : createBrotliDecompress();
  const limit = byteLimit(
    maxEncodedBytes,
    (bytes) => `refused: more than ${maxEncodedBytes} ${encoding}-encoded bytes (${bytes} so far)`,
  );
  // Errors reach the reader through `decoder`; pipeline destroys the response with it.
  pipeline(response, limit, decoder, () => undefined);
  return decoder;
}
