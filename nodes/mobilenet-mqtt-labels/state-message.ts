import {
  BINARY_SENSOR_DEVICE_CLASSES,
  type BinarySensorDeviceClass,
  DEFAULT_SOURCE,
  type LabelPublisher,
  type StateUpdate,
} from '../../src';
import type { NodeMessage } from '../shared/red-api';
import type { Translate } from '../shared/translate';

/** msg.state as the classify node's "Watch state" writes it. */
interface StateMessage {
  state: string;
  previous: string | null;
  changedAt: number;
  score: number;
  /** The label set's classes when the state changed: the states Home Assistant offers. */
  classes?: string[];
}

/**
 * Publishes the classify node's confirmed state changes: announces each source's state entities once
 * (again only when the set's classes changed), then the retained state, its attributes and the JPEG.
 */
export class StateAnnouncer {
  private readonly announced = new Map<string, string>();
  private readonly deviceClass: BinarySensorDeviceClass | undefined;

  /** @throws Error naming the device class when it is not one Home Assistant knows. */
  constructor(
    private readonly publisher: LabelPublisher,
    deviceClass: string | undefined,
    private readonly defaultSource: string | undefined,
    private readonly t: Translate,
  ) {
    const chosen = deviceClass?.trim() || undefined;
    if (chosen !== undefined && !(BINARY_SENSOR_DEVICE_CLASSES as readonly string[]).includes(chosen)) {
      throw new Error(t('errors.device-class', { got: chosen }));
    }
    this.deviceClass = chosen as BinarySensorDeviceClass | undefined;
  }

  /** @throws Error for a msg.state that is not `{state, previous, changedAt, score}`. */
  publish(msg: NodeMessage): void {
    const state = checkState(msg.state, this.t);
    const frame = (msg.frame ?? {}) as { source?: unknown };
    const source =
      typeof frame.source === 'string' && frame.source.length > 0
        ? frame.source
        : this.defaultSource?.trim() || DEFAULT_SOURCE;
    const classes = state.classes ?? [...new Set([state.previous, state.state].filter((c) => c !== null))];
    const key = JSON.stringify(classes);
    if (this.announced.get(source) !== key) {
      // A device class only fits a two-state set; with more classes the state stays a text sensor.
      const deviceClass = classes.length === 2 ? this.deviceClass : undefined;
      this.publisher.announceState(source, { classes, ...(deviceClass ? { deviceClass } : {}) });
      this.announced.set(source, key);
    }
    const update: StateUpdate = {
      state: state.state,
      previous: state.previous,
      changedAt: state.changedAt,
      score: state.score,
      ...(Buffer.isBuffer(msg.stateImage) ? { frameJpeg: msg.stateImage } : {}),
    };
    this.publisher.publishState(source, update);
  }
}

function checkState(value: unknown, t: Translate): StateMessage {
  const s = value as Partial<StateMessage> | null;
  const ok =
    typeof s === 'object' &&
    s !== null &&
    typeof s.state === 'string' &&
    (s.previous === null || typeof s.previous === 'string') &&
    typeof s.changedAt === 'number' &&
    typeof s.score === 'number' &&
    (s.classes === undefined || (Array.isArray(s.classes) && s.classes.every((c) => typeof c === 'string')));
  if (!ok) throw new Error(t('errors.bad-state', { got: JSON.stringify(value)?.slice(0, 200) ?? String(value) }));
  return s as StateMessage;
}
