import sharp from 'sharp';
import { Classifier } from '../src/runner/classifier';
import { V2_QUANT_TFLITE, readImage } from '../fixtures';
import { median } from './stats';
import { printWhenRunDirectly } from './run-directly';

/**
 * LiteRT.js against TF.js on the V2 1.0/224 uint8 `.tflite` fixture, through the whole Classifier (worker,
 * queue): both loaded at once, frames alternating between them, median `timings.inferenceMs` of each. Run it on
 * each Node.js the package supports (`node dist/bench/engine-ratio.js`): LiteRT.js uses its relaxed-SIMD build
 * where the runtime has relaxed SIMD (Node 22) and its compat build otherwise (Node 20).
 */
export async function benchEngineRatio(frames = 60): Promise<Record<string, number | string>> {
  const jpeg = await sharp(readImage('cat_720p.jpg'))
    .resize(640, 480, { fit: 'fill' })
    .jpeg({ quality: 85 })
    .toBuffer();
  const litert = await Classifier.load({ model: V2_QUANT_TFLITE, engine: 'litert', workers: 1 });
  const tfjs = await Classifier.load({ model: V2_QUANT_TFLITE, engine: 'tfjs', workers: 1 });
  try {
    for (let i = 0; i < 10; i++) {
      await litert.classify(jpeg);
      await tfjs.classify(jpeg);
    }
    const onLitert: number[] = [];
    const onTfjs: number[] = [];
    for (let i = 0; i < frames; i++) {
      onLitert.push((await litert.classify(jpeg)).timings.inferenceMs);
      onTfjs.push((await tfjs.classify(jpeg)).timings.inferenceMs);
    }
    return {
      'engine_ratio.node': process.version,
      'engine_ratio.litert_backend': litert.info.backend,
      'engine_ratio.v2_uint8.litert_ms': median(onLitert),
      'engine_ratio.v2_uint8.tfjs_ms': median(onTfjs),
      'engine_ratio.v2_uint8.ratio': median(onLitert) / median(onTfjs),
    };
  } finally {
    await litert.dispose();
    await tfjs.dispose();
  }
}

printWhenRunDirectly(module, () => benchEngineRatio());
