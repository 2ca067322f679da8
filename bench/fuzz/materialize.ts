import { CASE_BYTES, GOOD_PHOTO } from './types';

/**
 * A message case's JSON as the live object a flow would send. JSON.parse keeps `__proto__` as an
 * own key (as a message parsed from MQTT or HTTP would have it); the placeholders become Buffers.
 */
export function materializeMessage(json: string, good: Uint8Array, bytes?: Uint8Array): Record<string, unknown> {
  return JSON.parse(json, (_key, value: unknown) => {
    if (value === GOOD_PHOTO) return Buffer.from(good);
    if (value === CASE_BYTES) return Buffer.from(bytes ?? []);
    return value;
  }) as Record<string, unknown>;
}

const CLEAN_PROTOTYPE = Object.getOwnPropertyNames(Object.prototype).sort().join(',');

/** True when a case managed to add properties to Object.prototype. */
export function prototypePolluted(): boolean {
  return (
    Object.getOwnPropertyNames(Object.prototype).sort().join(',') !== CLEAN_PROTOTYPE ||
    ({} as Record<string, unknown>).polluted !== undefined
  );
}
