import assert from 'node:assert/strict';
import { LabelPublisher } from '../../src/mqtt';
import { startMosquitto, type MosquittoBroker } from './helpers/brokers';
import { publisherSuite } from './helpers/publisher-suite';
import { referenceFrame } from './helpers/reference-frames';
import { RecordingSubscriber } from './helpers/subscriber';
import { MOSQUITTO_MISSING, mosquittoFactory } from './helpers/test-broker';

const missing = MOSQUITTO_MISSING;
if (missing !== undefined) {
  describe('LabelPublisher against Mosquitto 2', () => {
    it.skip(missing, () => undefined);
  });
} else {
  publisherSuite('Mosquitto 2 (child process)', mosquittoFactory);
  mqtt5Suite();
}

function mqtt5Suite(): void {
  describe('LabelPublisher over MQTT 5 (Mosquitto 2)', function () {
    this.timeout(20000);
    let broker: MosquittoBroker | undefined;

    before(async () => {
      broker = await startMosquitto({ users: { camera: 'v5-secret-pass' } });
    });
    after(async () => {
      if (broker) await broker.dispose();
    });

    it('publishes with protocol version 5 and a v5 subscriber receives it', async () => {
      const sub = await RecordingSubscriber.connect(broker!.url, ['v5/#'], {
        protocolVersion: 5,
        username: 'camera',
        password: 'v5-secret-pass',
      });
      const p = new LabelPublisher(
        {
          url: broker!.url,
          protocolVersion: 5,
          username: 'camera',
          password: 'v5-secret-pass',
          reconnectPeriodMs: 100,
        },
        { prefix: 'v5', discovery: false, statsIntervalMs: 0 },
      );
      try {
        await p.waitUntilConnected();
        p.publish(referenceFrame('hot_dog.jpg', 1, 1));
        await sub.waitFor((m) => m.some((x) => x.topic === 'v5/porch/label'), { what: 'label over MQTT 5' });
        assert.equal(sub.on('v5/porch/label')[0].payload, 'hotdog, hot dog, red hot');
      } finally {
        await p.close();
        await sub.close();
      }
    });

    it('explains a v5 refusal (reason code 134/135) without the password', async () => {
      const p = new LabelPublisher(
        {
          url: broker!.url,
          protocolVersion: 5,
          username: 'camera',
          password: 'not-the-v5-pass',
          reconnectPeriodMs: 100,
        },
        { prefix: 'v5', discovery: false, statsIntervalMs: 0 },
      );
      try {
        await assert.rejects(
          p.waitUntilConnected(),
          (err: Error) =>
            /refused the connection: (bad username or password|not authorised)/.test(err.message) &&
            !err.message.includes('not-the-v5-pass'),
        );
      } finally {
        await p.close();
      }
    });
  });
}
