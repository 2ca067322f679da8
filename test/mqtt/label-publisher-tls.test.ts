import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LabelPublisher } from '../../src/mqtt';
import { startMosquitto, type MosquittoBroker } from './helpers/brokers';
import { referenceFrame } from './helpers/reference-frames';
import { RecordingSubscriber } from './helpers/subscriber';
import { makeTestCertificates, type TestCertificates } from './helpers/test-ca';
import { MOSQUITTO_MISSING } from './helpers/test-broker';

const missing = MOSQUITTO_MISSING;
if (missing !== undefined) {
  describe('LabelPublisher over TLS (Mosquitto 2, self-signed CA)', () => {
    it.skip(missing, () => undefined);
  });
} else {
  describe('LabelPublisher over TLS (Mosquitto 2, self-signed CA)', function () {
    this.timeout(20000);
    let dir: string;
    let certs: TestCertificates;
    let broker: MosquittoBroker | undefined;
    const publishers: LabelPublisher[] = [];

    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mqtt-tls-'));
      certs = makeTestCertificates(dir);
      broker = await startMosquitto({
        listenerLines: [`cafile ${certs.caCert}`, `certfile ${certs.serverCert}`, `keyfile ${certs.serverKey}`],
      });
    });

    afterEach(async () => {
      for (const p of publishers.splice(0)) await p.close({ timeoutMs: 1000 });
    });

    after(async () => {
      if (broker) await broker.dispose();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    const url = (): string => `mqtts://127.0.0.1:${broker!.port}`;

    it('connects with the CA and publishes', async () => {
      const ca = fs.readFileSync(certs.caCert);
      const sub = await RecordingSubscriber.connect(url(), ['tls/#'], { ca });
      try {
        const p = new LabelPublisher(
          { url: url(), ca, reconnectPeriodMs: 100 },
          { prefix: 'tls', discovery: false, statsIntervalMs: 0 },
        );
        publishers.push(p);
        await p.waitUntilConnected();
        p.publish(referenceFrame('parrot.jpg', 1, 1));
        await sub.waitFor((m) => m.some((x) => x.topic === 'tls/porch/label'), { what: 'label over TLS' });
        assert.equal(sub.on('tls/porch/label')[0].payload, 'macaw');
      } finally {
        await sub.close();
      }
    });

    it('is refused without the CA, with an error that says what to do', async () => {
      const p = new LabelPublisher(
        { url: url(), reconnectPeriodMs: 100 },
        { prefix: 'tls', discovery: false, statsIntervalMs: 0 },
      );
      publishers.push(p);
      await assert.rejects(
        p.waitUntilConnected(),
        /TLS certificate check failed \(self[- ]signed certificate in certificate chain\); give the CA certificate/,
      );
      assert.equal(p.status().state, 'error');
    });

    it('connects without the CA only when verification is turned off', async () => {
      const p = new LabelPublisher(
        { url: url(), rejectUnauthorized: false, reconnectPeriodMs: 100 },
        { prefix: 'tls', discovery: false, statsIntervalMs: 0 },
      );
      publishers.push(p);
      await p.waitUntilConnected();
      assert.equal(p.status().state, 'connected');
    });
  });
}
