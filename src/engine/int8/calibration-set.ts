import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { normalize, prepareImage, readImageFile } from '../../image';
import type { Normalization } from '../../model/normalization';
import { GENERATED_IMAGE_COUNT, generatedImage } from './generated-images';

/** Calibration stops after this many images of a folder (sorted by name): ranges settle long before. */
export const MAX_CALIBRATION_IMAGES = 200;

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif']);

/** How deep calibration looks into sub-folders (a data set sorted into one folder per label). */
const MAX_FOLDER_DEPTH = 3;

/** Image files under `dir`, sub-folders included down to `depth`, sorted by path. */
async function imageFiles(dir: string, depth: number): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && depth > 0) found.push(...(await imageFiles(full, depth - 1)));
    else if (entry.isFile() && IMAGE_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) found.push(full);
  }
  return found.sort();
}

/** Real-valued model inputs (HWC, normalised) to calibrate on, and what they are, for reports. */
export interface CalibrationSet {
  inputs: Float32Array[];
  /** "24 generated images" or "37 images from DIR". */
  description: string;
}

/**
 * The calibration inputs: every image in `dir` and its sub-folders (up to MAX_CALIBRATION_IMAGES,
 * by path), decoded
 * and fitted as the classifier fits frames (centre crop to the input size), or, without a folder,
 * the generated default set (see generated-images.ts for what and why).
 */
export async function calibrationSet(
  inputShape: readonly [number, number, number],
  normalization: Normalization,
  dir?: string,
): Promise<CalibrationSet> {
  const [height, width] = inputShape;
  const { scale, offset } = normalization;
  if (dir === undefined) {
    const inputs = Array.from({ length: GENERATED_IMAGE_COUNT }, (_, i) =>
      normalize(generatedImage(i, width, height), scale, offset),
    );
    return { inputs, description: `${GENERATED_IMAGE_COUNT} generated images` };
  }
  let files: string[];
  try {
    files = await imageFiles(dir, MAX_FOLDER_DEPTH);
  } catch (error) {
    throw new Error(`Cannot list calibration images in ${dir}: ${(error as Error).message}`);
  }
  if (files.length === 0)
    throw new Error(`No calibration images in ${dir} (looked for ${[...IMAGE_EXTENSIONS].join(', ')} files)`);
  const inputs: Float32Array[] = [];
  for (const file of files.slice(0, MAX_CALIBRATION_IMAGES)) {
    const bytes = await readImageFile(file);
    const prepared = await prepareImage(bytes, { width, height, fit: 'cover' });
    inputs.push(normalize(prepared.rgb, scale, offset));
  }
  return { inputs, description: `${inputs.length} images from ${dir}` };
}
