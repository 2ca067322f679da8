/**
 * The library surface, in a child process of its own: one Classifier (src/) as an application
 * embeds it, fed every case; broken models are loaded beside it and MQTT settings go to a
 * LabelPublisher.
 */
import { toImageInput } from '../../src/image/input';
import type { ImageInput, RawImage } from '../../src/image/types';
import { LabelPublisher, type BrokerSettings } from '../../src/mqtt';
import { Classifier, type ClassifyOptions } from '../../src/runner/classifier';
import { serve, type ChildSurface } from './child-serve';
import { materializeMessage } from './materialize';
import type { GoodFrame } from './protocol';
import type { CaseOutcome, FuzzCase } from './types';
import { within } from './within';

type Outcome = Omit<CaseOutcome, 'ms' | 'goodLabel' | 'goodError'>;

let classifier: Classifier;

async function classifyOutcome(image: () => ImageInput, options: unknown, boundMs: number): Promise<Outcome> {
  const result = await within(() => classifier.classify(image(), options as ClassifyOptions), boundMs);
  if ('timeout' in result) return { result: 'hang', message: `classify gave no answer within ${boundMs} ms` };
  return result.ok
    ? { result: 'ok', label: result.value.top?.label }
    : { result: 'error', message: result.error.message };
}

async function brokenModel(path: string, good: GoodFrame, boundMs: number): Promise<Outcome> {
  const loaded = await within(() => Classifier.load({ model: path, backend: 'auto' }), boundMs);
  if ('timeout' in loaded) return { result: 'hang', message: `loading gave no answer within ${boundMs} ms` };
  if (!loaded.ok) return { result: 'error', message: loaded.error.message };
  try {
    const classified = await within(() => loaded.value.classify(Buffer.from(good.bytes)), boundMs);
    if ('timeout' in classified)
      return { result: 'hang', message: `the loaded model gave no answer within ${boundMs} ms` };
    return classified.ok
      ? { result: 'ok', label: classified.value.top?.label }
      : { result: 'error', message: classified.error.message };
  } finally {
    await loaded.value.dispose();
  }
}

async function brokerSettings(input: Extract<FuzzCase['input'], { type: 'mqtt' }>, boundMs: number): Promise<Outcome> {
  const settings: BrokerSettings = {
    url: input.url,
    username: input.username,
    password: input.password,
    keepalive: input.keepalive as number,
    protocolVersion: input.protocol as 4,
    reconnectPeriodMs: 1000,
    connectTimeoutMs: Math.min(5000, boundMs),
  };
  let publisher: LabelPublisher;
  try {
    publisher = new LabelPublisher(settings, { prefix: 'fuzz', statsIntervalMs: 0, discovery: false });
  } catch (error) {
    return { result: 'error', message: (error as Error).message };
  }
  try {
    const settled = await within(
      new Promise<{ state: string; error?: string }>((resolve) => {
        publisher.on('status', (status) => {
          if (status.state === 'connected' || status.state === 'error') resolve(status);
        });
      }),
      boundMs,
    );
    if ('timeout' in settled)
      return {
        result: 'hang',
        message: `no connected or error status within ${boundMs} ms (last: ${JSON.stringify(publisher.status())})`,
      };
    if (!settled.ok) return { result: 'error', message: settled.error.message };
    return settled.value.state === 'connected'
      ? { result: 'ok', message: 'connected' }
      : { result: 'error', message: settled.value.error ?? 'error without a message' };
  } finally {
    await within(() => publisher.close(), 5000);
  }
}

const surface: ChildSurface = {
  async init(init) {
    classifier = await Classifier.load({ model: init.model, backend: 'auto', queuePolicy: 'wait' });
  },
  async runCase(fuzzCase, good, boundMs) {
    const input = fuzzCase.input;
    switch (input.type) {
      case 'image':
        return classifyOutcome(() => Buffer.from(input.bytes), {}, boundMs);
      case 'raw':
        return classifyOutcome(
          () =>
            ({
              data: Buffer.from(input.bytes),
              width: input.width,
              height: input.height,
              channels: input.channels,
            }) as RawImage,
          {},
          boundMs,
        );
      case 'message': {
        const msg = materializeMessage(input.json, good.bytes, input.bytes);
        const options =
          input.libraryOptionsJson !== undefined
            ? JSON.parse(input.libraryOptionsJson)
            : { topK: msg.topK, threshold: msg.threshold, roi: msg.roi };
        return classifyOutcome(
          () => toImageInput(msg.payload, { width: msg.width, height: msg.height, channels: msg.channels }),
          options,
          boundMs,
        );
      }
      case 'model':
        return brokenModel(input.path, good, boundMs);
      case 'mqtt':
        return brokerSettings(input, boundMs);
      default:
        throw new Error(`the library surface does not take ${input.type} cases`);
    }
  },
  async classify(good) {
    const result = await classifier.classify(Buffer.from(good.bytes));
    return result.top?.label ?? '(none)';
  },
};

serve(surface);
