import { bases, casesOf } from './gen-common';
import type { Rng } from './rng';
import type { Family, FuzzCase, GeneratorContext, Surface } from './types';

/** Requests to POST /classify that only HTTP can carry: size, framing and content-type lies. */

const HTTP_ONLY: Surface[] = ['http'];

function multipartBody(
  boundary: string,
  parts: Array<{ name: string; filename?: string; type?: string; data: Buffer }>,
): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ''}`;
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: ` +
          `${disposition}\r\n${part.type ? `Content-Type: ${part.type}\r\n` : ''}\r\n`,
      ),
      part.data,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

function malformedMultipart(rng: Rng, jpeg: Buffer): { body: Buffer; contentType: string; what: string } {
  const boundary = `fuzz${rng.int(0, 1e9)}`;
  const whole = multipartBody(boundary, [{ name: 'image', filename: 'a.jpg', type: 'image/jpeg', data: jpeg }]);
  switch (rng.int(0, 4)) {
    case 0:
      return {
        body: whole.subarray(0, rng.int(1, whole.length - 20)),
        contentType: `multipart/form-data; boundary=${boundary}`,
        what: 'multipart cut before its closing boundary',
      };
    case 1:
      return { body: whole, contentType: 'multipart/form-data', what: 'multipart without a boundary parameter' };
    case 2:
      return {
        body: whole,
        contentType: `multipart/form-data; boundary=other${boundary}`,
        what: 'multipart whose boundary is not the one announced',
      };
    case 3:
      return {
        body: Buffer.from(`--${boundary}\r\nContent-Disposition: garbage\r\n\r\nxx\r\n--${boundary}--\r\n`),
        contentType: `multipart/form-data; boundary=${boundary}`,
        what: 'multipart with a garbage Content-Disposition',
      };
    default:
      return {
        body: rng.bytes(rng.int(1, 20000)),
        contentType: `multipart/form-data; boundary=${boundary}`,
        what: 'multipart content type, random bytes',
      };
  }
}

export const httpFamily: Family = {
  name: 'http',
  kinds: [
    'http-oversize-raw',
    'http-oversize-multipart',
    'http-malformed-multipart',
    'http-malformed-json',
    'http-json-wrong-payload',
    'http-text-body',
    'http-empty-body',
    'http-urlencoded',
    'http-multipart-many-fields',
  ],
  async generate(ctx: GeneratorContext): Promise<FuzzCase[]> {
    const { jpeg } = await bases(ctx.photos);
    const http = (
      kind: string,
      make: (rng: Rng) => Omit<FuzzCase, 'id' | 'kind' | 'family' | 'surfaces'>,
    ): Promise<FuzzCase[]> => casesOf(ctx, 'http', kind, HTTP_ONLY, make);
    return [
      ...(await http('http-oversize-raw', (rng) => {
        const mb = rng.int(26, 64);
        return {
          what: `a ${mb} MB image/jpeg body`,
          expect: 'error',
          httpStatus: 413,
          input: { type: 'http', contentType: 'image/jpeg', body: { repeat: mb, size: 2 ** 20 } },
        };
      })),
      ...(await http('http-oversize-multipart', (rng) => {
        const mb = rng.int(26, 64);
        return {
          what: `a multipart upload of ${mb} MB`,
          expect: 'error',
          httpStatus: 413,
          input: { type: 'http', multipart: true, body: { repeat: mb, size: 2 ** 20 } },
        };
      })),
      ...(await http('http-malformed-multipart', (rng) => {
        const { body, contentType, what } = malformedMultipart(rng, jpeg);
        return { what, expect: 'error', httpStatus: 400, input: { type: 'http', contentType, body } };
      })),
      ...(await http('http-malformed-json', (rng) => {
        const body = rng.pick(['{bad', '{"payload":', '[', '"\\u12"', '{"a":1}}', '\u0000']);
        return {
          what: `application/json body ${JSON.stringify(body)}`,
          expect: 'error',
          httpStatus: 400,
          input: { type: 'http', contentType: 'application/json', body: Buffer.from(body) },
        };
      })),
      ...(await http('http-json-wrong-payload', (rng) => {
        const body = rng.pick([
          '{"payload":5}',
          '{"payload":null}',
          '[1,2,3]',
          '{"__proto__":{"polluted":1}}',
          '"just a string"',
          '{"payload":{"data":"x"}}',
          '12',
        ]);
        return {
          what: `application/json body ${body}`,
          expect: 'error',
          httpStatus: 400,
          input: { type: 'http', contentType: 'application/json', body: Buffer.from(body) },
        };
      })),
      ...(await http('http-text-body', (rng) => {
        const body = rng.pick([
          'hello',
          '/etc/passwd',
          '../../etc/hostname.jpg',
          jpeg.toString('latin1', 0, 2000),
          'data:image/jpeg;base64,AAAA',
        ]);
        return {
          what: `text/plain body ${JSON.stringify(body.slice(0, 30))}`,
          expect: 'error',
          httpStatus: 400,
          input: { type: 'http', contentType: 'text/plain', body: Buffer.from(body, 'latin1') },
        };
      })),
      ...(await http('http-empty-body', (rng) => {
        const contentType = rng.pick(['image/jpeg', 'application/octet-stream', undefined]);
        return {
          what: `an empty body (${contentType ?? 'no content type'})`,
          expect: 'error',
          httpStatus: 400,
          input: { type: 'http', contentType, body: Buffer.alloc(0) },
        };
      })),
      ...(await http('http-urlencoded', (rng) => {
        const body = rng.pick([
          'payload=abc',
          'a=1&a=2&a=3',
          '%%%',
          'payload[__proto__][x]=1',
          `payload=${'x'.repeat(rng.int(1000, 200000))}`,
        ]);
        return {
          what: `form-urlencoded body ${JSON.stringify(body.slice(0, 30))}`,
          expect: 'error',
          httpStatus: 415,
          input: { type: 'http', contentType: 'application/x-www-form-urlencoded', body: Buffer.from(body) },
        };
      })),
      ...(await http('http-multipart-many-fields', (rng) => {
        const boundary = `many${rng.int(0, 1e9)}`;
        const count = rng.int(500, 5000);
        const parts = Array.from({ length: count }, (_, i) => ({ name: `f${i}`, data: Buffer.from('x') }));
        return {
          what: `multipart with ${count} fields and no image`,
          expect: 'error',
          input: {
            type: 'http',
            contentType: `multipart/form-data; boundary=${boundary}`,
            body: multipartBody(boundary, parts),
          },
        };
      })),
    ];
  },
};
