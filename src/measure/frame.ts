import * as fs from 'node:fs/promises';
import sharp from 'sharp';

/** The frame every measurement classifies: a 640×480 JPEG, as a camera sends it. */
export const FRAME_WIDTH = 640;
export const FRAME_HEIGHT = 480;

/**
 * A 640×480 JPEG (quality 85): the given photo fitted to that size, or, without one, a smooth
 * synthetic picture (no photo ships with the package; decode time depends little on content).
 */
export async function cameraFrame(imageFile?: string): Promise<Buffer> {
  const source = imageFile
    ? sharp(await fs.readFile(imageFile))
    : sharp({
        create: {
          width: FRAME_WIDTH,
          height: FRAME_HEIGHT,
          channels: 3,
          background: '#808080',
          noise: { type: 'gaussian', mean: 128, sigma: 60 },
        },
      }).blur(3);
  return source.resize(FRAME_WIDTH, FRAME_HEIGHT, { fit: 'fill' }).jpeg({ quality: 85 }).toBuffer();
}
