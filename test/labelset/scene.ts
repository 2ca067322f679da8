import * as path from 'node:path';
import sharp from 'sharp';
import { IMAGES, imagePath } from '../fixtures';

/** The region that changes, in pixels of the 1280×720 background photo (cat_720p.jpg). */
export const REGION = { x: 880, y: 80, width: 320, height: 240 };

/** Two real photos that take turns in the region, like the two states of a door. */
export const STATE_PHOTOS = {
  apple: path.join(IMAGES, 'fewshot', 'fruit', 'apple', 'IMG_TEST_1.jpg'),
  banana: path.join(IMAGES, 'fewshot', 'fruit', 'banana', 'IMG_TEST_2.jpg'),
} as const;

export type SceneState = keyof typeof STATE_PHOTOS;

export interface SceneOptions {
  /** JPEG quality of the frame (a camera's encoder noise differs between qualities). */
  quality?: number;
  /** A photo pasted somewhere else in the scene, outside the region. */
  outside?: string;
  /** Multiplies the whole frame's brightness (a cloud passing). */
  brightness?: number;
}

/**
 * A camera frame built from real photos: the still background photo with one of the two state
 * photos pasted into REGION.
 */
export async function sceneFrame(state: SceneState, options: SceneOptions = {}): Promise<Buffer> {
  const region = await sharp(STATE_PHOTOS[state])
    .rotate()
    .resize(REGION.width, REGION.height, { fit: 'cover' })
    .toBuffer();
  const layers: sharp.OverlayOptions[] = [{ input: region, left: REGION.x, top: REGION.y }];
  if (options.outside) {
    const other = await sharp(options.outside).resize(400, 300, { fit: 'cover' }).toBuffer();
    layers.push({ input: other, left: 80, top: 400 });
  }
  const composed = await sharp(imagePath('cat_720p.jpg')).composite(layers).jpeg({ quality: 95 }).toBuffer();
  const lit =
    options.brightness === undefined ? sharp(composed) : sharp(composed).modulate({ brightness: options.brightness });
  return lit.jpeg({ quality: options.quality ?? 85 }).toBuffer();
}
