import { Classifier } from '../../src/runner/classifier';
import { readImage } from '../../fixtures';

/** The real JPEG photos a simulated camera sends, in turn (the fixtures' JPEGs). */
export const FLEET_PHOTOS = ['parrot.jpg', 'hot_dog.jpg', 'cat_720p.jpg', 'owl.jpg', 'rocket.jpg'];

export interface Photo {
  file: string;
  jpeg: Buffer;
  /** The model's own top-1 answer for it, classified once here before the run: what every member must say. */
  expected: string;
}

/** Reads the photos and classifies each once with `model`, in this process, for the answers to check against. */
export async function loadPhotos(model: string): Promise<Photo[]> {
  const classifier = await Classifier.load({ model, queuePolicy: 'wait' });
  try {
    const photos: Photo[] = [];
    for (const file of FLEET_PHOTOS) {
      const jpeg = readImage(file);
      const result = await classifier.classify(jpeg, { topK: 1 });
      const top = result.predictions[0]?.label;
      if (top === undefined) throw new Error(`${file}: the model gave no prediction`);
      photos.push({ file, jpeg, expected: top });
    }
    return photos;
  } finally {
    await classifier.dispose();
  }
}

/** The photo a camera sends as frame `seq`: cameras go through the photos in turn, each from its own start. */
export function photoFor(photos: Photo[], camera: number, seq: number): Photo {
  return photos[(camera + seq) % photos.length];
}
