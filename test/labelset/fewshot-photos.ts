import * as fs from 'node:fs';
import * as path from 'node:path';
import { IMAGES } from '../fixtures';

/** The few-shot photo sets of ../shared/images/fewshot (real photos; see their SOURCES.md). */
export const FEWSHOT_SETS = ['fruit', 'fork_scissors'] as const;
export type FewshotSet = (typeof FEWSHOT_SETS)[number];

/**
 * The ten photos of ../shared/images, none of them fruit, fork or scissors: what `unknown` is for. The two BMPs
 * are read as their lossless PNG copies (sharp has no BMP decoder).
 */
export const UNRELATED_PHOTOS = [
  'astronaut.png',
  'cat_720p.jpg',
  'chelsea.png',
  'coffee.png',
  'dragonfly.png',
  'grace_hopper.png',
  'hot_dog.jpg',
  'owl.jpg',
  'parrot.jpg',
  'rocket.jpg',
];

export interface Photo {
  label: string;
  file: string;
  /** Absolute path. */
  path: string;
  /** Photos of one shot (a photo and its mirrored twin) share a group; a group is never split. */
  group: string;
}

/** Every photo of a set, by class, in file-name order, with mirrored twins grouped (from the set's SOURCES.md). */
export function fewshotPhotos(set: FewshotSet): Map<string, Photo[]> {
  const folder = path.join(IMAGES, 'fewshot', set);
  const twinOf = mirroredPairs(fs.readFileSync(path.join(folder, 'SOURCES.md'), 'utf8'));
  const byClass = new Map<string, Photo[]>();
  const labels = fs
    .readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  for (const label of labels) {
    const files = fs
      .readdirSync(path.join(folder, label))
      .filter((file) => file.endsWith('.jpg'))
      .sort();
    byClass.set(
      label,
      files.map((file) => {
        const twin = twinOf.get(file);
        return {
          label,
          file,
          path: path.join(folder, label, file),
          group: twin !== undefined && twin < file ? twin : file,
        };
      }),
    );
  }
  return byClass;
}

/** Mirrored pairs as SOURCES.md lists them: lines "- a.jpg + b.jpg". */
function mirroredPairs(sources: string): Map<string, string> {
  const twins = new Map<string, string>();
  for (const match of sources.matchAll(/^\s*-\s*(\S+\.jpg)\s*\+\s*(\S+\.jpg)\s*$/gm)) {
    twins.set(match[1], match[2]);
    twins.set(match[2], match[1]);
  }
  return twins;
}

export interface Split {
  /** One photo per chosen shot, `shots` per class. */
  teach: Photo[];
  /** Every photo of a shot that was not taught: the twin of a taught photo is neither taught nor tested. */
  heldOut: Photo[];
}

/**
 * Chooses `shots` shots per class to teach: the first ones in file-name order when `seed` is undefined (the
 * split the acceptance test uses), else a seeded random draw (for the averages in the README).
 */
export function split(photos: Map<string, Photo[]>, shots: number, seed?: number): Split {
  const random = seed === undefined ? undefined : mulberry32(seed);
  const teach: Photo[] = [];
  const heldOut: Photo[] = [];
  for (const classPhotos of photos.values()) {
    const groups = [...new Set(classPhotos.map((p) => p.group))];
    if (random !== undefined) shuffle(groups, random);
    const taught = new Set(groups.slice(0, shots));
    for (const group of taught) teach.push(classPhotos.find((p) => p.group === group) as Photo);
    heldOut.push(...classPhotos.filter((p) => !taught.has(p.group)));
  }
  return { teach, heldOut };
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}

/** A small seeded PRNG, so the random draws are the same on every run. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
