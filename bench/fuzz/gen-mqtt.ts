import { casesOf } from './gen-common';
import type { Family, FuzzCase, GeneratorContext, Surface } from './types';

/** Broker settings a user can get wrong: each must end in a clear status, never a crash or a hang. */

const MQTT_SURFACES: Surface[] = ['library', 'node'];

export const mqttFamily: Family = {
  name: 'mqtt',
  kinds: ['mqtt-bad-url', 'mqtt-bad-port', 'mqtt-tls-to-plain', 'mqtt-wrong-credentials', 'mqtt-bad-options'],
  async generate(ctx: GeneratorContext): Promise<FuzzCase[]> {
    const { plainUrl, authUrl, closedPort } = ctx.brokers;
    const plainPort = new URL(plainUrl).port;
    return [
      ...(await casesOf(ctx, 'mqtt', 'mqtt-bad-url', MQTT_SURFACES, (rng) => {
        const url = rng.pick([
          'not a url',
          'tcp://127.0.0.1:1883',
          'mqtt://',
          'http://127.0.0.1:1883',
          'mqtt://[::1',
          '',
          `mqtt://${'a'.repeat(rng.int(256, 70000))}:1883`,
          'mqtt://127.0.0.1:1883/\u0000',
          'mqtts://user:p@ss@127.0.0.1',
        ]);
        return {
          what: `broker URL ${JSON.stringify(url.slice(0, 60))}`,
          expect: 'error',
          input: { type: 'mqtt', url },
        };
      })),
      ...(await casesOf(ctx, 'mqtt', 'mqtt-bad-port', MQTT_SURFACES, (rng) => {
        const url = rng.pick([
          `mqtt://127.0.0.1:${closedPort}`,
          'mqtt://127.0.0.1:0',
          'mqtt://127.0.0.1:70000',
          'mqtt://127.0.0.1:-1',
          'mqtt://127.0.0.1:port',
        ]);
        return { what: `broker URL ${url}`, expect: 'error', input: { type: 'mqtt', url } };
      })),
      ...(await casesOf(ctx, 'mqtt', 'mqtt-tls-to-plain', MQTT_SURFACES, (rng) => {
        const url = rng.pick([
          `mqtts://127.0.0.1:${plainPort}`,
          `wss://127.0.0.1:${plainPort}/mqtt`,
          `ws://127.0.0.1:${plainPort}/mqtt`,
        ]);
        return { what: `${url}: a plain MQTT port`, expect: 'error', input: { type: 'mqtt', url } };
      })),
      ...(await casesOf(ctx, 'mqtt', 'mqtt-wrong-credentials', MQTT_SURFACES, (rng) => {
        const secret = `pw-${rng.bytes(6).toString('hex')}@:/%`;
        const inUrl = rng.next() < 0.5;
        const url = inUrl ? authUrl.replace('mqtt://', `mqtt://fuzz:${encodeURIComponent(secret)}@`) : authUrl;
        return {
          what: `wrong password ${inUrl ? 'in the URL' : 'in the credentials'} against a broker that checks it`,
          expect: 'error',
          input: {
            type: 'mqtt',
            url,
            username: inUrl ? undefined : 'fuzz',
            password: inUrl ? undefined : secret,
            secret,
          },
        };
      })),
      ...(await casesOf(ctx, 'mqtt', 'mqtt-bad-options', MQTT_SURFACES, (rng) => {
        const keepalive = rng.pick<unknown>([-1, 'abc', 1e6, 1.5, undefined]);
        const protocol = keepalive === undefined ? rng.pick<unknown>([7, 'x', 3, '6']) : undefined;
        return {
          what: `keepalive ${JSON.stringify(keepalive)}, protocol ${JSON.stringify(protocol)}`,
          expect: 'error',
          input: { type: 'mqtt', url: plainUrl, keepalive, protocol },
        };
      })),
    ];
  },
};
