import { LabelSet } from '../../src';

/**
 * One LabelSet object per folder in this runtime. Two config nodes naming the same folder must not
 * each hold their own copy of the examples and overwrite each other's writes; a config node re-created
 * by a deploy while the old one still finishes a write takes the same object.
 */
interface Entry {
  set: Promise<LabelSet>;
  users: number;
  fingerprint: string;
}

const open = new Map<string, Entry>();

export interface SetModel {
  fingerprint: string;
  embeddingSize: number;
  modelName?: string;
}

export interface TakenSet {
  set: Promise<LabelSet>;
  /** Lets go of the set; the last user out drops it, so the next open reads the folder afresh. */
  release(): void;
  /** After an import wrote a new set into the folder: the users to come get the new object. */
  replace(set: LabelSet): void;
}

/** Opens (creating it when the folder holds none) or shares the set in `dir`, tied to the model. */
export function takeSet(dir: string, model: SetModel): TakenSet {
  const entry = open.get(dir);
  if (entry && entry.fingerprint !== model.fingerprint) {
    // Another model's node holds it; opening it again lets the set refuse with its own clear error.
    return { set: LabelSet.open(dir, { ...model, create: true }), release: () => undefined, replace: () => undefined };
  }
  const shared = entry ?? {
    set: LabelSet.open(dir, { ...model, create: true }),
    users: 0,
    fingerprint: model.fingerprint,
  };
  if (!entry) {
    open.set(dir, shared);
    // A refused set is not remembered: the next deploy tries again (the user may have fixed the file).
    shared.set.catch(() => {
      if (open.get(dir) === shared) open.delete(dir);
    });
  }
  shared.users++;
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    shared.users--;
    if (shared.users <= 0 && open.get(dir) === shared) open.delete(dir);
  };
  const replace = (set: LabelSet): void => {
    shared.set = Promise.resolve(set);
  };
  return { set: shared.set, release, replace };
}

/** Folders with a set open in this runtime (for tests). */
export function openSetCount(): number {
  return open.size;
}
