import assert from 'node:assert/strict';
import { freePort } from '../mqtt/helpers/brokers';
import { RecordingSubscriber } from '../mqtt/helpers/subscriber';
import { waitFor } from '../helpers';
import { V1_025_LAYERS_DIR } from '../fixtures';
import { type AppProcess, startApp } from './helpers/app-process';

/**
 * The main job when its model cannot be downloaded (no internet: here a local server that refuses):
 * availability says so, and the log says what to do. A model on disk is announced as one.
 */
describe('npm start without its model', function () {
  this.timeout(180_000);
  let app: AppProcess | undefined;
  let subscriber: RecordingSubscriber | undefined;

  afterEach(async () => {
    await subscriber?.close();
    subscriber = undefined;
    await app?.stop();
    app = undefined;
  });

  it('keeps <prefix>/available offline, and the log names MOBILENET_MODEL and npx mobilenet fetch', async () => {
    const brokerPort = await freePort();
    const url = `http://127.0.0.1:${await freePort()}/models/model.json`;
    app = await startApp({ MOBILENET_MODEL: url, BROKER_PORT: String(brokerPort) });
    const started = app;
    await started.waitForOutput(/model could not be loaded/, 60_000);
    await started.waitForOutput(/what to do:/, 5_000);
    const output = started.output();
    assert.match(output, /model: http:\/\/127\.0\.0\.1:\d+\/models\/model\.json \(URL: downloaded once into /);
    assert.doesNotMatch(output, /a catalog model is downloaded/);
    assert.match(
      output,
      new RegExp(
        String.raw`what to do: without internet, MOBILENET_MODEL=<folder with model\.json, or a \.tflite file> ` +
          String.raw`npm start; or, once while online, npx mobilenet fetch http://127\.0\.0\.1`,
      ),
    );
    subscriber = await RecordingSubscriber.connect(`mqtt://127.0.0.1:${brokerPort}`, ['e2e/available']);
    const retained = await waitFor(() => subscriber?.messages.find((m) => m.topic === 'e2e/available'), {
      what: 'the retained availability',
    });
    assert.equal(retained.payload, 'offline', 'Home Assistant shows the entities as unavailable');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.ok(!subscriber.messages.some((m) => m.payload === 'online'), JSON.stringify(subscriber.messages));
  });

  it('announces a model on disk as one, with nothing to download, and goes online once it is loaded', async () => {
    const brokerPort = await freePort();
    app = await startApp({ MOBILENET_MODEL: V1_025_LAYERS_DIR, BROKER_PORT: String(brokerPort) });
    const started = app;
    assert.match(
      started.output(),
      /model: .*mobilenet_v1_0\.25_224_tfjs_layers \(a folder on disk, nothing to download/,
    );
    subscriber = await RecordingSubscriber.connect(`mqtt://127.0.0.1:${brokerPort}`, ['e2e/available']);
    await subscriber.waitFor((m) => m.some((x) => x.topic === 'e2e/available' && x.payload === 'online'), {
      what: 'e2e/available online once the model is loaded',
      timeoutMs: 60_000,
    });
  });
});
