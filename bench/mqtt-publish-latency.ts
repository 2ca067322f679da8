// How long a classified frame takes to reach an MQTT subscriber through LabelPublisher, and how
// many frames per second one publisher sustains, against Mosquitto 2 (or aedes) on loopback.
// Run: npx tsc -p tsconfig.json && node dist/bench/mqtt-publish-latency.js [aedes|mosquitto] [frames]
import { LabelPublisher } from '../src/mqtt';
import { percentile } from '../src/mqtt/frame-stats';
import { startAedes, startMosquitto } from '../test/mqtt/helpers/brokers';
import { referenceFrame } from '../test/mqtt/helpers/reference-frames';
import { RecordingSubscriber } from '../test/mqtt/helpers/subscriber';

async function main(): Promise<void> {
  const kind = process.argv[2] ?? 'mosquitto';
  const frames = Number(process.argv[3] ?? 2000);
  const broker = kind === 'aedes' ? await startAedes() : await startMosquitto();
  const stop = async (): Promise<void> => ('dispose' in broker ? broker.dispose() : broker.stop());
  const sub = await RecordingSubscriber.connect(broker.url, ['bench/+/labels']);
  const publisher = new LabelPublisher(
    { url: broker.url },
    { prefix: 'bench', discovery: false, statsIntervalMs: 0, labelsMode: 'every', qos: { labels: 1 } },
  );
  await publisher.waitUntilConnected();
  const photos = ['coffee.png', 'parrot.jpg', 'owl.jpg', 'hot_dog.jpg'];
  const sentAt = new Map<number, bigint>();
  const latencies: number[] = [];
  sub.client.on('message', (_t, payload) => {
    const { ts } = JSON.parse(payload.toString()) as { ts: number };
    const start = sentAt.get(ts);
    if (start !== undefined) latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
  });

  // One frame at a time: end-to-end latency without queueing.
  for (let i = 0; i < 200; i++) {
    sentAt.set(i, process.hrtime.bigint());
    publisher.publish(referenceFrame(photos[i % 4], i, i));
    await sub.waitFor((m) => m.length > i, { what: `frame ${i}` });
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  console.log(
    `${kind}: one-at-a-time latency publish -> subscriber (QoS 1 labels JSON, 200 frames): p50 ` +
      `${percentile(sorted, 0.5)!.toFixed(2)} ms, p95 ${percentile(sorted, 0.95)!.toFixed(2)} ms`,
  );

  // Burst: how fast frames can go out and be delivered.
  latencies.length = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < frames; i++) {
    sentAt.set(1000 + i, process.hrtime.bigint());
    publisher.publish(referenceFrame(photos[i % 4], 1000 + i, 1000 + i));
  }
  await sub.waitFor((m) => m.length >= 200 + frames, { what: `${frames} frames`, timeoutMs: 60000 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(
    `${kind}: burst of ${frames} frames delivered in ${seconds.toFixed(2)} s = ${(frames / seconds).toFixed(0)} ` +
      `frames/s`,
  );
  await publisher.close();
  await sub.close();
  await stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
