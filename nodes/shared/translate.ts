import type { RedApi } from './red-api';

/** Looks a text up in a message catalogue, filling its `__name__` placeholders. */
export type Translate = (key: string, substitutions?: Record<string, string | number>) => string;

/** `t('status.ready')` reads `<namespace>.status.ready`: each node's texts live under its own type. */
export function translator(RED: RedApi, namespace: string): Translate {
  return (key, substitutions) => RED._(`${namespace}.${key}`, substitutions);
}
