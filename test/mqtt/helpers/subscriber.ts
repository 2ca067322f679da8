import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { nextEvent, type WaitOptions, whatOf } from '../../helpers';

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
  /** Set by the broker on a redelivery of a message it already sent (at-least-once). */
  dup: boolean;
  qos: number;
}

/** A real mqtt.js subscriber that records everything it receives, in arrival order. */
export class RecordingSubscriber {
  readonly messages: Received[] = [];
  /** SUBACKs received so far; a clean-session client re-subscribes after each reconnect. */
  subacks = 0;

  private constructor(readonly client: MqttClient) {
    client.on('packetreceive', (packet) => {
      if (packet.cmd === 'suback') {
        this.subacks += 1;
      }
    });
    client.on('message', (topic, payload, packet) => {
      this.messages.push({
        topic,
        payload: payload.toString(),
        retain: packet.retain,
        dup: packet.dup,
        qos: packet.qos,
      });
    });
  }

  static async connect(url: string, topics: string[], options: IClientOptions = {}): Promise<RecordingSubscriber> {
    const client = await connectAsync(url, { reconnectPeriod: 100, connectTimeout: 5000, ...options });
    const sub = new RecordingSubscriber(client);
    if (topics.length > 0) await client.subscribeAsync(topics, { qos: 1 });
    return sub;
  }

  on(topic: string): Received[] {
    return this.messages.filter((m) => m.topic === topic);
  }

  /**
   * First deliveries only: leaves out broker redeliveries (dup) and retained replays sent because
   * of a (re)subscription, both legitimate under QoS 1 at-least-once but not part of the live order.
   */
  fresh(topic: string, from = 0): string[] {
    return this.messages
      .slice(from)
      .filter((m) => m.topic === topic && !m.dup && !m.retain)
      .map((m) => m.payload);
  }

  async waitForSubacks(count: number, timeoutMs = 5000): Promise<void> {
    await this.until('packetreceive', () => this.subacks >= count, { what: `${count} SUBACKs`, timeoutMs });
  }

  /** Waits until predicate holds on the messages received so far (checked as each one arrives). */
  async waitFor(predicate: (messages: Received[]) => boolean, options: WaitOptions): Promise<void> {
    await this.until('message', () => predicate(this.messages), options);
  }

  private async until(event: string, holds: () => boolean, options: WaitOptions): Promise<void> {
    const what = (): string => `${whatOf(options.what)}; got ${JSON.stringify(this.messages.slice(-10))}`;
    // The constructor's listeners run first, so the messages and SUBACKs are counted when this checks.
    await nextEvent(this.client, event, {
      matching: holds,
      current: () => undefined,
      what,
      timeoutMs: options.timeoutMs ?? 5000,
    });
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
