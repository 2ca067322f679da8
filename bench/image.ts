import sharp from 'sharp';
import { normalize } from '../src/image/normalize';
import { prepareImage } from '../src/image/preprocess';
import { readImage } from '../fixtures';
import { median, medianMs } from './stats';
import { printWhenRunDirectly } from './run-directly';

function timeSync(runs: number, task: () => unknown): number {
  for (let i = 0; i < 5; i++) task();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    task();
    times.push(performance.now() - start);
  }
  return median(times);
}

/**
 * Median milliseconds of the image stage on a camera-sized frame: a 640×480 JPEG (made from the
 * cat_720p.jpg fixture) decoded and fitted to 224×224 RGB, and normalising those bytes to float32.
 */
export async function benchImage(runs = 50): Promise<Record<string, number>> {
  const jpeg = await sharp(readImage('cat_720p.jpg'))
    .resize(640, 480, { fit: 'fill' })
    .jpeg({ quality: 85 })
    .toBuffer();
  const prepared = await prepareImage(jpeg, { width: 224, height: 224 });
  const out = new Float32Array(prepared.rgb.length);
  return {
    'image.jpeg_640x480_to_rgb_224_cover_ms': await medianMs(runs, () =>
      prepareImage(jpeg, { width: 224, height: 224 }),
    ),
    'image.jpeg_640x480_to_rgb_224_fill_ms': await medianMs(runs, () =>
      prepareImage(jpeg, { width: 224, height: 224, fit: 'fill' }),
    ),
    'image.normalise_224_ms': timeSync(runs, () => normalize(prepared.rgb, 1 / 127.5, -1)),
    'image.normalise_224_reused_buffer_ms': timeSync(runs, () => normalize(prepared.rgb, 1 / 127.5, -1, out)),
    'image.float32array_from_fn_224_ms': timeSync(runs, () => Float32Array.from(prepared.rgb, (v) => v / 127.5 - 1)),
  };
}

printWhenRunDirectly(module, () => benchImage());
