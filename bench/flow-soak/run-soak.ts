import { connectAsync } from 'mqtt';
import sharp from 'sharp';
import { sharedModelDiagnostics } from '../../nodes/mobilenet-model/shared-models';
import { readImage } from '../../fixtures';
import { startAedes } from '../../test/mqtt/helpers/brokers';
import { startNodeRed, type LogEntry } from './embedded-node-red';
import { startPacedMjpegServer } from './paced-mjpeg-server';
import { LoopDelay, snapshot, type ProcessSnapshot } from './process-probes';
import { SOAK_IDS, SOAK_PREFIX, SOAK_SOURCE, soakFlow } from './soak-flow';

export interface SoakOptions {
  frames: number;
  /** Frames before the baseline is taken (allocators, JIT and the worker settle first). */
  warmup: number;
  modelPath: string;
  backend: string;
  queueSize: number;
  /** Frames allowed between the camera socket and the broker at once. */
  window: number;
  /** Give up when nothing settles for this long (a hang is a finding, not a wait). */
  stallMs: number;
  progress(line: string): void;
}

export interface SoakReport {
  frames: number;
  warmupFrames: number;
  framesIn: number;
  framesOut: number;
  droppedByPolicy: number;
  errors: number;
  lost: number;
  crashes: number;
  tensorsStart: number;
  tensorsEnd: number;
  tensorsDelta: number;
  rssWarmMb: number;
  rssEndMb: number;
  rssMaxMb: number;
  rssGrowthPct: number;
  heapWarmMb: number;
  heapEndMb: number;
  loopDelayP50Ms: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  threadsStart: number;
  threadsEnd: number;
  fdsStart: number;
  fdsEnd: number;
  cameraConnections: number;
  seconds: number;
  fps: number;
  stalled: boolean;
  model: string;
  backend: string;
  firstErrors: Record<string, string>;
}

/** The photos the camera sends, as a 640×480 camera would: real scenes, several sizes of JPEG. */
async function cameraFrames(): Promise<Buffer[]> {
  const photos = ['cat_720p.jpg', 'parrot.jpg', 'hot_dog.jpg', 'owl.jpg', 'rocket.jpg', 'grace_hopper.png'];
  return Promise.all(
    photos.map((p) => sharp(readImage(p)).resize(640, 480, { fit: 'cover' }).jpeg({ quality: 85 }).toBuffer()),
  );
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A long run of the whole pipeline inside Node-RED, counting every frame from the camera socket to
 * the MQTT subscriber, with the process's resources measured after warm-up and at the end.
 */
export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const crashes = { count: 0, first: '' };
  const onCrash = (error: unknown): void => {
    crashes.count++;
    if (!crashes.first) crashes.first = error instanceof Error ? (error.stack ?? error.message) : String(error);
  };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const flowCounts = { dropped: 0, errors: 0, firstErrors: {} as Record<string, string> };
  const logged: LogEntry[] = [];

  const jpegs = await cameraFrames();
  const broker = await startAedes();
  const subscriber = await connectAsync(broker.url, { clientId: 'soak_subscriber', reconnectPeriod: 100 });
  const labelsTopic = `${SOAK_PREFIX}/${SOAK_SOURCE}/labels`;
  let published = 0;
  subscriber.on('message', (topic) => {
    if (topic !== labelsTopic) return;
    published++;
    camera.pump();
  });
  await subscriber.subscribeAsync(labelsTopic, { qos: 1 });
  const settled = (): number => published + flowCounts.dropped + flowCounts.errors;
  const camera = await startPacedMjpegServer({ jpegs, total: o.frames, window: o.window, settled });
  // Drops and errors are counted inside the flow; this picks up the credit they free.
  const pumpTimer = setInterval(() => camera.pump(), 10);

  const nodeRed = await startNodeRed({
    flow: soakFlow({
      modelPath: o.modelPath,
      backend: o.backend,
      brokerUrl: broker.url,
      cameraUrl: camera.url,
      queueSize: o.queueSize,
    }),
    globals: { soak: flowCounts },
    onLog: (entry) => {
      // Node-RED's levels: 10 fatal, 20 error, 30 warn. Errors with a msg also reach the Catch node.
      if (entry.level <= 20 && logged.length < 20) logged.push(entry);
      if (entry.level <= 10) onCrash(new Error(`Node-RED fatal: ${String(entry.msg)}`));
    },
  });

  const started = Date.now();
  const waitSettled = async (target: number): Promise<boolean> => {
    let last = -1;
    let lastChange = Date.now();
    let reported = 0;
    while (settled() < target) {
      const now = settled();
      if (now !== last) {
        last = now;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > o.stallMs) return false;
      if (now - reported >= 1000) {
        reported = now - (now % 1000);
        const s = (Date.now() - started) / 1000;
        o.progress(
          `soak: ${now}/${o.frames} frames settled, ${s.toFixed(0)} s, rss ` +
            `${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`,
        );
      }
      await sleep(50);
    }
    return true;
  };
  const workerTensors = async (): Promise<number> => {
    const [model] = sharedModelDiagnostics.modelsOf(SOAK_IDS.model);
    const memory = model && sharedModelDiagnostics.workerMemory(model);
    if (!memory) throw new Error('the soak model is not loaded: no worker to ask for its tensors');
    return (await memory).numTensors;
  };

  const resolvedBackend = (): string => {
    const state = sharedModelDiagnostics.modelsOf(SOAK_IDS.model)[0]?.state;
    return state?.phase === 'ready' ? state.info.backend : o.backend;
  };

  let stalled = !(await waitSettled(o.warmup));
  const loop = new LoopDelay();
  const warm: ProcessSnapshot = snapshot();
  const tensorsStart = stalled ? -1 : await workerTensors();
  const measuredFrom = settled();
  const measuredAt = Date.now();
  loop.start();
  let rssMaxMb = warm.rssMb;
  const rssSampler = setInterval(() => {
    rssMaxMb = Math.max(rssMaxMb, Math.round((process.memoryUsage().rss / 2 ** 20) * 10) / 10);
  }, 1000);
  if (!stalled) stalled = !(await waitSettled(o.frames));
  const seconds = (Date.now() - measuredAt) / 1000;
  const measuredFrames = settled() - measuredFrom;
  const delay = loop.stop();
  clearInterval(rssSampler);
  // Let in-flight work (status timers, QoS 1 acknowledgements) finish before the last reading.
  await sleep(200);
  const tensorsEnd = stalled ? -1 : await workerTensors();
  const end = snapshot();
  const framesIn = camera.sent;
  const report: SoakReport = {
    frames: o.frames,
    warmupFrames: o.warmup,
    framesIn,
    framesOut: published,
    droppedByPolicy: flowCounts.dropped,
    errors: flowCounts.errors,
    lost: framesIn - published - flowCounts.dropped - flowCounts.errors,
    crashes: crashes.count,
    tensorsStart,
    tensorsEnd,
    tensorsDelta: tensorsEnd - tensorsStart,
    rssWarmMb: warm.rssMb,
    rssEndMb: end.rssMb,
    rssMaxMb: Math.max(rssMaxMb, end.rssMb),
    rssGrowthPct: Math.round(((end.rssMb - warm.rssMb) / warm.rssMb) * 1000) / 10,
    heapWarmMb: warm.heapMb,
    heapEndMb: end.heapMb,
    loopDelayP50Ms: delay.p50Ms,
    loopDelayP99Ms: delay.p99Ms,
    loopDelayMaxMs: delay.maxMs,
    threadsStart: warm.threads,
    threadsEnd: end.threads,
    fdsStart: warm.fds,
    fdsEnd: end.fds,
    cameraConnections: camera.connections,
    seconds: Math.round(seconds * 10) / 10,
    fps: seconds > 0 ? Math.round((measuredFrames / seconds) * 10) / 10 : 0,
    stalled,
    model: o.modelPath,
    backend: resolvedBackend(),
    firstErrors: {
      ...flowCounts.firstErrors,
      ...(crashes.first ? { crash: crashes.first } : {}),
      ...Object.fromEntries(
        logged
          .slice(0, 3)
          .map((e, i) => [
            `log${i}`,
            `[${e.type ?? 'runtime'}] ${String(e.msg instanceof Error ? e.msg.message : e.msg)}`,
          ]),
      ),
    },
  };
  clearInterval(pumpTimer);
  await nodeRed.stop();
  await subscriber.endAsync(true);
  await camera.close();
  await broker.stop();
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  return report;
}
