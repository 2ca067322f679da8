import { StateWatcher } from '../src/labelset/state-watcher';
import { Classifier } from '../src/runner/classifier';
import { V1_025_LAYERS_DIR } from '../fixtures';
import { REGION, sceneFrame } from '../test/labelset/scene';
import { median } from './stats';
import { printWhenRunDirectly } from './run-directly';

async function perFrameMs(watcher: StateWatcher, frames: Buffer[], runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await watcher.process(frames[i % frames.length], i * 1000);
    times.push(performance.now() - start);
  }
  return median(times.slice(5));
}

/**
 * What the motion gate saves on a 1280×720 camera frame with a 320×240 region: the median cost of
 * a frame skipped because the region held still (decode + grey 64×64 copy + difference) against a
 * frame whose region changed and was classified (the same, plus crop + V1 0.25/224 inference).
 */
export async function benchStateWatch(runs = 60): Promise<Record<string, number>> {
  const classifier = await Classifier.load({ model: V1_025_LAYERS_DIR });
  try {
    const apple = await sceneFrame('apple');
    const banana = await sceneFrame('banana');
    const classify = async (image: Buffer | Uint8Array | object, roi: typeof REGION | undefined) => {
      const { predictions } = await classifier.classify(image as Buffer, { roi, topK: 1 });
      return { label: predictions[0].label, score: predictions[0].score };
    };
    const still = new StateWatcher({ classify, roi: REGION, motion: { heartbeatMs: 0, settleFrames: 0 } });
    const moving = new StateWatcher({ classify, roi: REGION, motion: { heartbeatMs: 0, settleFrames: 0 } });
    const stillMs = await perFrameMs(still, [apple], runs);
    const movingMs = await perFrameMs(moving, [apple, banana], runs);
    return {
      'state.frame_1280x720_region_still_skipped_ms': stillMs,
      'state.frame_1280x720_region_moved_classified_ms': movingMs,
      'state.skipped_frames_per_classified_cost': movingMs / stillMs,
    };
  } finally {
    await classifier.dispose();
  }
}

printWhenRunDirectly(module, () => benchStateWatch());
