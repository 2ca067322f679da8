/** A promise raced against a time bound: a hang becomes a result instead of a stuck run. */
export type Bounded<T> = { ok: true; value: T } | { ok: false; error: Error } | { timeout: true };

export async function within<T>(work: Promise<T> | (() => Promise<T>), ms: number): Promise<Bounded<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ timeout: true }>((resolve) => {
    timer = setTimeout(() => resolve({ timeout: true }), ms);
  });
  const running = (async (): Promise<Bounded<T>> => {
    try {
      return { ok: true, value: await (typeof work === 'function' ? work() : work) };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
    }
  })();
  try {
    return await Promise.race([running, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
