import { connectAsync, type MqttClient } from 'mqtt';
import type { SentFrame } from './cameras';

interface LabelArrival {
  source: string;
  seq: number;
  ts: number;
  top: string | undefined;
  member: string | undefined;
  at: number;
  /** The broker's redelivery flag: a labels message it sent this consumer again. */
  dup: boolean;
}

/** What the fleet did with the frames the cameras sent. */
export interface FleetReport {
  /** Frames the broker took from the cameras. */
  frames: number;
  /** Frames with at least one labels message. */
  classified: number;
  /** Frames taken by the broker that got no label and were not dropped for their age. */
  lost: number;
  /** Labels messages beyond the first for one frame (at-least-once redeliveries). */
  duplicates: number;
  /** Frames whose label is not the model's own answer for the photo sent. */
  wrong: number;
  /** Frames the members dropped as too old (their intake counters). */
  droppedByAge: number;
  /** QoS 1 frames the broker took while no member was subscribed (all stepped back or gone); counted in `lost`. */
  unheard: number;
  /** Times each member stepped back from the share while behind (`FRAMES_STEP_BACK_MS`). */
  steppedBack: Record<string, number>;
  /** Frames the cameras could not hand to the broker (their bound) plus what the members refused or failed. */
  droppedByPolicy: number;
  /** Each member's share of the classified frames (first labels message per frame). */
  memberShares: Record<string, number>;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  /** Classified frames per second, from the first frame sent to the last label. */
  throughputFps: number;
}

function percentile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * Listens to every `<prefix>/+/labels` message (and the members' stats) the way a consumer would,
 * over MQTT 5 at QoS 1, and checks them against the frames sent.
 */
export class LabelCollector {
  readonly arrivals: LabelArrival[] = [];
  readonly intake = new Map<string, { droppedTooOld: number; refused: number; failed: number; steppedBack: number }>();
  readonly availability = new Map<string, string[]>();

  private constructor(
    readonly client: MqttClient,
    readonly prefix: string,
  ) {
    client.on('message', (topic, payload, packet) => this.onMessage(topic, payload, packet.dup));
  }

  static async connect(url: string, prefix: string): Promise<LabelCollector> {
    const client = await connectAsync(url, { protocolVersion: 5, clientId: `fleet-collector-${process.pid}` });
    const collector = new LabelCollector(client, prefix);
    await client.subscribeAsync([`${prefix}/+/labels`, `${prefix}/member/+/intake`, `${prefix}/member/+/available`], {
      qos: 1,
    });
    return collector;
  }

  /** Frames with a label so far, among `frames`. */
  labelled(frames: SentFrame[]): number {
    const seen = new Set(this.arrivals.map((a) => `${a.source}#${a.seq}`));
    return frames.filter((f) => seen.has(`${f.source}#${f.seq}`)).length;
  }

  report(sent: SentFrame[], cameraDropped: number): FleetReport {
    const bySeq = new Map<string, LabelArrival[]>();
    for (const arrival of this.arrivals) {
      const key = `${arrival.source}#${arrival.seq}`;
      bySeq.set(key, [...(bySeq.get(key) ?? []), arrival]);
    }
    const taken = sent.filter((f) => f.taken);
    let classified = 0;
    let duplicates = 0;
    let wrong = 0;
    const latencies: number[] = [];
    const memberShares: Record<string, number> = {};
    let lastAt = 0;
    for (const frame of taken) {
      const labels = bySeq.get(`${frame.source}#${frame.seq}`) ?? [];
      if (labels.length === 0) continue;
      classified += 1;
      duplicates += labels.length - 1;
      const first = labels[0];
      if (labels.some((l) => l.top !== frame.expected)) wrong += 1;
      latencies.push(first.at - frame.ts);
      lastAt = Math.max(lastAt, first.at);
      const member = first.member ?? 'unknown';
      memberShares[member] = (memberShares[member] ?? 0) + 1;
    }
    let droppedByAge = 0;
    let refused = 0;
    for (const counters of this.intake.values()) {
      droppedByAge += counters.droppedTooOld;
      refused += counters.refused + counters.failed;
    }
    latencies.sort((a, b) => a - b);
    const firstTs = taken.length > 0 ? Math.min(...taken.map((f) => f.ts)) : 0;
    const seconds = Math.max(0.001, (lastAt - firstTs) / 1000);
    return {
      frames: taken.length,
      classified,
      lost: Math.max(0, taken.length - classified - droppedByAge - refused),
      duplicates,
      wrong,
      droppedByAge,
      unheard: taken.filter((f) => f.unheard).length,
      steppedBack: Object.fromEntries([...this.intake].map(([member, c]) => [member, c.steppedBack])),
      droppedByPolicy: cameraDropped + refused,
      memberShares,
      latencyP50Ms: percentile(latencies, 0.5),
      latencyP95Ms: percentile(latencies, 0.95),
      throughputFps: Math.round((classified / seconds) * 10) / 10,
    };
  }

  close(): Promise<void> {
    return this.client.endAsync(true);
  }

  /** Every frame labelled more than once: who labelled it each time, for a report on duplicates. */
  duplicated(): string[] {
    const bySeq = new Map<string, LabelArrival[]>();
    for (const a of this.arrivals) bySeq.set(`${a.source}#${a.seq}`, [...(bySeq.get(`${a.source}#${a.seq}`) ?? []), a]);
    return [...bySeq.entries()]
      .filter(([, labels]) => labels.length > 1)
      .map(
        ([key, labels]) => `${key}: ${labels.map((l) => `${l.member}${l.dup ? ' (dup)' : ''} at ${l.at}`).join(', ')}`,
      );
  }

  private onMessage(topic: string, payload: Buffer, dup: boolean): void {
    const levels = topic.split('/');
    const last = levels[levels.length - 1];
    try {
      if (last === 'labels') {
        const labels = JSON.parse(payload.toString()) as {
          source: string;
          seq?: number;
          ts: number;
          member?: string;
          predictions: Array<{ label: string }>;
        };
        if (typeof labels.seq !== 'number') return;
        this.arrivals.push({
          source: labels.source,
          seq: labels.seq,
          ts: labels.ts,
          top: labels.predictions[0]?.label,
          member: labels.member,
          at: Date.now(),
          dup,
        });
      } else if (last === 'intake') {
        const counters = JSON.parse(payload.toString()) as {
          droppedTooOld: number;
          refusedTooLarge: number;
          refusedMalformed: number;
          failed: number;
          steppedBack?: number;
        };
        const refused = counters.refusedTooLarge + counters.refusedMalformed;
        this.intake.set(levels[levels.length - 2], {
          droppedTooOld: counters.droppedTooOld,
          refused,
          failed: counters.failed,
          steppedBack: counters.steppedBack ?? 0,
        });
      } else if (last === 'available') {
        const member = levels[levels.length - 2];
        this.availability.set(member, [...(this.availability.get(member) ?? []), payload.toString()]);
      }
    } catch {
      // not ours to judge here: a malformed message is simply not counted
    }
  }
}
