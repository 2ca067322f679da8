import { FramePublisher } from '../../src/mqtt';
import { photoFor, type Photo } from './photos';

/** One frame a simulated camera published: what the collector checks its label against. */
export interface SentFrame {
  source: string;
  seq: number;
  ts: number;
  expected: string;
  /** The broker took it (QoS 1: acknowledged). */
  taken: boolean;
  /** QoS 1: the broker took it and had no subscriber for it (every member stepped back or gone): discarded. */
  unheard: boolean;
}

export interface CameraRun {
  cameras: number;
  fps: number;
  /** Frames per camera. */
  frames: number;
  qos: 0 | 1;
  prefix: string;
  url: string;
  /** Called after each frame the broker took (e.g. to kill a member halfway). */
  onFrame?: (sent: SentFrame, index: number) => void;
}

/**
 * N simulated cameras, each its own MQTT 5 connection publishing real JPEG photos at `fps` to
 * `<prefix>/cam<i>/frame`, paced by the clock (a late tick is not made up with a burst).
 */
export async function runCameras(run: CameraRun, photos: Photo[]): Promise<SentFrame[]> {
  const publishers = Array.from(
    { length: run.cameras },
    (_, i) =>
      new FramePublisher(
        { url: run.url, clientId: `fleet-cam${i}` },
        { prefix: run.prefix, qos: run.qos, maxPending: 100 },
      ),
  );
  const sent: SentFrame[] = [];
  const unheardFrames = new Set<string>();
  for (const publisher of publishers) publisher.on('unheard', (f) => unheardFrames.add(`${f.source}#${f.seq}`));
  try {
    await Promise.all(publishers.map((p) => p.waitUntilConnected()));
    const start = Date.now();
    const periodMs = 1000 / run.fps;
    const pending: Array<Promise<void>> = [];
    for (let seq = 0; seq < run.frames; seq++) {
      const due = start + seq * periodMs;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      publishers.forEach((publisher, camera) => {
        const photo = photoFor(photos, camera, seq);
        const frame: SentFrame = {
          source: `cam${camera}`,
          seq,
          ts: Date.now(),
          expected: photo.expected,
          taken: false,
          unheard: false,
        };
        sent.push(frame);
        pending.push(
          publisher.publish({ source: frame.source, seq, ts: frame.ts, jpeg: photo.jpeg }).then((taken) => {
            frame.taken = taken;
            frame.unheard = unheardFrames.has(`${frame.source}#${seq}`); // told before the publish resolves
            if (taken) run.onFrame?.(frame, sent.indexOf(frame));
          }),
        );
      });
    }
    await Promise.all(pending);
    return sent;
  } finally {
    await Promise.all(publishers.map((p) => p.close()));
  }
}
