import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { LabelPublisher } from '../../src/mqtt';
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
      const connections: Socket[] = [];
      broker = await startAedes({
        authenticate: (client, _username, _password, done) => {
          connections.push((client as unknown as { conn: Socket }).conn);
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
      const deadline = Date.now() + 1000;
      while (!socket.destroyed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok(
        socket.destroyed,
        "the broker still holds the closed publisher's connection (with keep-alive 0 it would stay forever)",
      );
    },
  );
});
