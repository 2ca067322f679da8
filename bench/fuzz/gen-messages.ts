import { bases, casesOf } from './gen-common';
import type { Rng } from './rng';
import { CASE_BYTES, GOOD_PHOTO, type Family, type FuzzCase, type GeneratorContext, type Surface } from './types';

/** Messages a careless flow or a hostile publisher sends to a classify node. */

const MESSAGE_SURFACES: Surface[] = ['library', 'node'];

const json = (value: unknown): string => JSON.stringify(value);

function base64Garbage(rng: Rng): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  return Array.from({ length: rng.int(4, 20000) }, () => alphabet[rng.int(0, 63)]).join('');
}

export const messagesFamily: Family = {
  name: 'message',
  kinds: [
    'payload-wrong-type',
    'payload-huge-string',
    'payload-data-url-lies',
    'payload-base64-garbage',
    'payload-buffer-json',
    'msg-topk-bad',
    'msg-threshold-bad',
    'msg-roi-bad',
    'msg-proto-keys',
    'msg-geometry-lies',
    'library-options-bad',
  ],
  async generate(ctx: GeneratorContext): Promise<FuzzCase[]> {
    const { jpeg, png } = await bases(ctx.photos);
    const message = (
      kind: string,
      make: (rng: Rng) => {
        what: string;
        json: string;
        expect: 'error' | 'ok' | 'either';
        bytes?: Buffer;
        libraryOptionsJson?: string;
        surfaces?: Surface[];
        label?: string;
      },
    ): Promise<FuzzCase[]> =>
      casesOf(ctx, 'message', kind, MESSAGE_SURFACES, (rng) => {
        const { what, json: text, expect, bytes, libraryOptionsJson, surfaces, label } = make(rng);
        return { what, expect, surfaces, label, input: { type: 'message', json: text, bytes, libraryOptionsJson } };
      });
    return [
      ...(await message('payload-wrong-type', (rng) => {
        const payload = rng.pick<unknown>([
          42,
          -1,
          0,
          true,
          false,
          null,
          {},
          [],
          [1, 2, 3],
          { data: 'x' },
          { width: 10 },
          { data: [1, 2, 3] },
          [jpeg.length],
          1e308,
        ]);
        return { what: `msg.payload = ${json(payload)}`, json: json({ payload }), expect: 'error' };
      })),
      ...(await message('payload-huge-string', (rng) => {
        const size = rng.int(1, 12) * 2 ** 20;
        const fill = rng.pick(['A', 'é', '.jpg', ' ', '%']);
        return {
          what: `msg.payload a ${size / 2 ** 20} MB string of "${fill}"`,
          json: json({ payload: fill.repeat(Math.ceil(size / fill.length)) }),
          expect: 'error',
        };
      })),
      ...(await message('payload-data-url-lies', (rng) => {
        const variant = rng.int(0, 5);
        const b64 = jpeg.toString('base64');
        const [what, payload, expect] = (
          [
            ['a data URL saying image/png holding a JPEG', `data:image/png;base64,${b64}`, 'either'],
            ['a data URL saying text/plain', `data:text/plain;base64,${b64}`, 'error'],
            ['a data URL without ;base64', `data:image/jpeg,${b64.slice(0, 5000)}`, 'error'],
            ['a data URL with invalid base64', `data:image/jpeg;base64,${b64.slice(0, 5000)}!!**`, 'error'],
            ['an empty data URL', 'data:image/jpeg;base64,', 'error'],
            [
              'a data URL holding a truncated JPEG',
              `data:image/jpeg;base64,${jpeg.subarray(0, rng.int(1, jpeg.length - 1)).toString('base64')}`,
              'error',
            ],
          ] as const
        )[variant];
        return { what, json: json({ payload }), expect };
      })),
      ...(await message('payload-base64-garbage', (rng) => {
        if (rng.next() < 0.3)
          return {
            what: 'base64 of the PNG, wrapped at 76 columns',
            json: json({ payload: png.toString('base64').replace(/.{76}/g, '$&\n') }),
            expect: 'ok',
            label: 'macaw',
          };
        return { what: 'base64 of random bytes', json: json({ payload: base64Garbage(rng) }), expect: 'error' };
      })),
      ...(await message('payload-buffer-json', (rng) => {
        // A Buffer that went through JSON (link nodes, MQTT, context) arrives as {type: 'Buffer', data}.
        if (rng.next() < 0.4)
          return {
            what: 'a JSON-serialised Buffer of the JPEG',
            json: json({ payload: { type: 'Buffer', data: Array.from(jpeg) } }),
            expect: 'ok',
            label: 'macaw',
          };
        const bad = rng.pick<unknown>([300, -1, 'a', null, 1.5]);
        const data = Array.from(jpeg.subarray(0, 64)) as unknown[];
        data[rng.int(0, 63)] = bad;
        return {
          what: `a JSON-serialised Buffer holding ${json(bad)}`,
          json: json({ payload: { type: 'Buffer', data } }),
          expect: 'error',
        };
      })),
      ...(await message('msg-topk-bad', (rng) => {
        const topK = rng.pick<unknown>(['3x', -1, 0, 1.5, [1], {}, 'NaN', null, true, '', ' ', '1e3', -Infinity]);
        return { what: `msg.topK = ${json(topK)}`, json: json({ payload: GOOD_PHOTO, topK }), expect: 'error' };
      })),
      ...(await message('msg-threshold-bad', (rng) => {
        const threshold = rng.pick<unknown>([2, -1, 'abc', [0.5], {}, null, '1.5', true, '-0.1', 1e308]);
        return {
          what: `msg.threshold = ${json(threshold)}`,
          json: json({ payload: GOOD_PHOTO, threshold }),
          expect: 'error',
        };
      })),
      ...(await message('msg-roi-bad', (rng) => {
        const roi = rng.pick<unknown>([
          { x: -1, y: 0, width: 10, height: 10 },
          { x: 0, y: 0, width: 0, height: 0 },
          { x: 'a', y: 0, width: 10, height: 10 },
          [1, 2, 3, 4],
          'roi',
          { x: 2e9, y: 2e9, width: 2e9, height: 2e9 },
          { x: 0.5, y: 0.5, width: 0.9, height: 0.9 },
          { x: null, y: null, width: null, height: null },
          { x: 0, y: 0, width: 100000, height: 100000 },
          {},
          null,
        ]);
        return { what: `msg.roi = ${json(roi)}`, json: json({ payload: GOOD_PHOTO, roi }), expect: 'error' };
      })),
      ...(await message('msg-proto-keys', (rng) => {
        const variants = [
          `{"payload":"${GOOD_PHOTO}","__proto__":{"polluted":"yes","topK":1}}`,
          `{"payload":"${GOOD_PHOTO}","roi":{"__proto__":{"x":5,"polluted":"yes"}}}`,
          `{"payload":{"__proto__":{"data":"x","polluted":"yes"}}}`,
          `{"payload":"${GOOD_PHOTO}","constructor":{"prototype":{"polluted":"yes"}}}`,
          `{"payload":"${GOOD_PHOTO}","topK":{"__proto__":{"valueOf":1,"polluted":"yes"}}}`,
          `{"payload":{"data":"${CASE_BYTES}","width":1,"height":1,"channels":3,"__proto__":{"polluted":"yes"}}}`,
        ];
        const text = rng.pick(variants);
        return {
          what: `a message with prototype keys: ${text.slice(0, 90)}`,
          json: text,
          bytes: Buffer.from([1, 2, 3]),
          expect: 'either',
        };
      })),
      ...(await message('msg-geometry-lies', (rng) => {
        const width = rng.pick<unknown>([240, 1, 0, '100', -5]);
        return {
          what: `a JPEG payload with msg.width = ${json(width)}, msg.height = 10, msg.channels = 3`,
          json: json({ payload: CASE_BYTES, width, height: 10, channels: 3 }),
          bytes: jpeg,
          expect: 'error',
        };
      })),
      ...(await message('library-options-bad', (rng) => {
        const options = rng.pick<unknown>([
          null,
          'fast',
          42,
          [],
          { allow: 'macaw' },
          { deny: 'macaw' },
          { deny: 5 },
          { allow: [1, 2] },
          { fit: 'zoom' },
          { roi: 'centre' },
          { topK: [1] },
        ]);
        return {
          what: `library classify(image, ${json(options)})`,
          json: json({ payload: GOOD_PHOTO }),
          libraryOptionsJson: json(options),
          expect: 'either',
          surfaces: ['library'],
        };
      })),
    ];
  },
};
