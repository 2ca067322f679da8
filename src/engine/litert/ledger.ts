/** Anything LiteRT.js allocates in wasm memory: it lives until `.delete()` is called. */
export interface Deletable {
  delete(): void;
}

let live = 0;

/** Counts a LiteRT.js object as live until `release`: the leak check tests read `liveLiteRtObjects`. */
export function adopt<T extends Deletable>(object: T): T {
  live++;
  return object;
}

/** Deletes an adopted object (its wasm memory) and stops counting it. */
export function release(object: Deletable | undefined): void {
  if (!object) return;
  object.delete();
  live--;
}

/** LiteRT.js tensors and models this thread created and has not deleted yet. */
export function liveLiteRtObjects(): number {
  return live;
}
