import assert from 'node:assert/strict';
import { LabelPublisher } from '../../src/mqtt';
import { waitFor } from '../helpers';
import { startAedes, type AedesBroker } from './helpers/brokers';
import { referenceFrame } from './helpers/reference-frames';

describe('LabelPublisher close against a broker that stops answering', function () {
  this.timeout(20000);
  let broker: AedesBroker | undefined;

  afterEach(async () => {
    await broker?.stop();
    broker = undefined;
  });

  it(
    'still drops its connection when the goodbye is never acknowledged (no socket left open after ' + 'close)',
    async () => {
      // The broker takes the connection and every message except the goodbye, whose PUBACK never
      // comes: a hung or overloaded broker during a redeploy.
      const connections: Array<{ destroyed: boolean }> = [];
      broker = await startAedes({
        authenticate: (client, _username, _password, done) => {
          connections.push(client.conn);
          done(null, true);
        },
        authorizePublish: (_client, packet, done) => {
          if (packet.topic.endsWith('/available') && packet.payload.toString() === 'offline') return; // never answered
          done(null);
        },
      });
      const p = new LabelPublisher(
        { url: broker.url, keepalive: 0, reconnectPeriodMs: 100 },
        { prefix: 'hung/mobilenet', discovery: false, statsIntervalMs: 0 },
      );
      await p.waitUntilConnected();
      p.publish(referenceFrame('parrot.jpg', 1, Date.now()));
      const started = Date.now();
      await p.close({ timeoutMs: 300 });
      assert.ok(Date.now() - started < 2000, `close took ${Date.now() - started} ms`);
      assert.equal(connections.length, 1);
      const socket = connections[0]!;
      // With keep-alive 0, a connection the broker still held would stay open forever.
      await waitFor(() => socket.destroyed, {
        what: "the broker to drop the closed publisher's connection",
        timeoutMs: 1000,
      });
    },
  );
});
