import type { EventEmitter } from 'node:events';

/**
 * Resolves once `emitter` emits `connect` (at once when `connected`), or rejects after `timeoutMs` with an error
 * naming the broker: the frame publisher and the frame subscriber wait the same way.
 */
export function waitForConnect(
  emitter: EventEmitter,
  connected: boolean,
  brokerUrl: string,
  timeoutMs: number,
): Promise<void> {
  if (connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off('connect', onConnect);
      reject(new Error(`no connection to MQTT broker ${brokerUrl} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onConnect = (): void => {
      clearTimeout(timer);
      resolve();
    };
    emitter.once('connect', onConnect);
  });
}
