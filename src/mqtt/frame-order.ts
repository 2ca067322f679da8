/**
 * The order of one source's frames, for a pool where several members classify frames of the same
 * camera at once and their results arrive in any order. A frame is newer than another when it was
 * captured later (`ts`); at the same millisecond the higher `seq` is newer. The capture time comes
 * first because a camera that restarts counts `seq` from 0 again, while its clock goes on.
 */
export interface FrameStamp {
  /** Capture time, ms since the epoch. */
  ts: number;
  /** The source's frame counter, when the frame has one. */
  seq?: number;
}

/** True when `a` was captured after `b` (same millisecond: higher seq). Equal stamps are not newer. */
export function isNewerFrame(a: FrameStamp, b: FrameStamp): boolean {
  if (a.ts !== b.ts) return a.ts > b.ts;
  return (a.seq ?? -1) > (b.seq ?? -1);
}

/** Reads `seq` and `ts` from MQTT 5 user properties (as the label topics carry them); undefined when absent. */
export function stampFromProperties(
  userProperties: Record<string, string | string[]> | undefined,
): FrameStamp | undefined {
  const read = (name: string): number | undefined => {
    const raw = userProperties?.[name];
    const text = Array.isArray(raw) ? raw[0] : raw;
    if (typeof text !== 'string' || !/^\d{1,16}$/.test(text)) return undefined;
    const value = Number(text);
    return Number.isSafeInteger(value) ? value : undefined;
  };
  const ts = read('ts');
  if (ts === undefined) return undefined;
  const seq = read('seq');
  return seq === undefined ? { ts } : { ts, seq };
}

/** `seq` and `ts` as MQTT 5 user properties. */
export function stampProperties(stamp: FrameStamp): Record<string, string> {
  const properties: Record<string, string> = { ts: String(Math.round(stamp.ts)) };
  if (stamp.seq !== undefined) properties.seq = String(stamp.seq);
  return properties;
}
