import type { EventEmitter } from 'node:events';

/** One camera frame: an encoded image plus where and when it was captured. */
export interface Frame {
  /** JPEG from cameras and streams; a folder source hands its files as they are (PNG, WebP, ...). */
  jpeg: Buffer;
  /** The configured source name (becomes the MQTT topic segment downstream). */
  source: string;
  /**
   * Counts every frame the source produced, emitted or not, and keeps counting across restarts,
   * so a gap in `seq` tells the consumer how many frames the rate cap skipped.
   */
  seq: number;
  /** Capture time, ms since the epoch. */
  ts: number;
  /** The file a folder source read the frame from. */
  file?: string;
}

export type FrameSourceState = 'starting' | 'running' | 'restarting' | 'stopped';

export interface FrameSourceStats {
  /** Complete JPEG frames received from the source. */
  frames: number;
  /** Frames handed to the consumer. */
  emitted: number;
  /** Frames replaced by a newer one before the consumer took them (rate cap or busy consumer). */
  skipped: number;
  /** Broken, truncated or oversized frames thrown away. */
  invalid: number;
  restarts: number;
  /** Emitted frames per second over the last few seconds. */
  fps: number;
  lastError?: string;
}

export interface FrameSourceEvents {
  frame(f: Frame): void;
  error(e: Error): void;
  state(s: FrameSourceState): void;
}

export interface FrameSource extends EventEmitter {
  readonly config: FrameSourceConfig;
  readonly state: FrameSourceState;
  readonly stats: FrameSourceStats;
  /** Begins capturing; a no-op unless stopped. */
  start(): void;
  /** Ends capturing: kills the child process, closes sockets and timers. Safe to call twice. */
  stop(): Promise<void>;
  /** The consumer is busy: hold back frames (the newest one waits, older ones are skipped). */
  pause(): void;
  /** The consumer can take a frame again; the newest waiting frame, if any, is emitted. */
  resume(): void;
  /** Pull style: same as resume(); with `pull: true` the source pauses itself after each frame. */
  ready(): void;
  on<E extends keyof FrameSourceEvents>(event: E, listener: FrameSourceEvents[E]): this;
  once<E extends keyof FrameSourceEvents>(event: E, listener: FrameSourceEvents[E]): this;
  off<E extends keyof FrameSourceEvents>(event: E, listener: FrameSourceEvents[E]): this;
}

export interface RestartPolicy {
  /** First delay before restarting a dead source. */
  initialMs: number;
  /** The delay doubles after each failed attempt up to this ceiling. */
  maxMs: number;
}

export interface CommonSourceConfig {
  source: string;
  /** Upper bound on emitted frames per second; unset or 0 means no cap. */
  maxFps?: number;
  restart?: RestartPolicy;
  /** Pause after every emitted frame until the consumer calls ready(). */
  pull?: boolean;
  /** Frames larger than this are dropped so a broken stream cannot eat RAM (default 8 MiB). */
  maxFrameBytes?: number;
}

export interface CommandSourceConfig extends CommonSourceConfig {
  kind: 'command';
  /** Executable, spawned without a shell. */
  command: string;
  args: string[];
  /** Time between SIGTERM and SIGKILL on stop (default 2000 ms). */
  killGraceMs?: number;
}

export interface MjpegUrlSourceConfig extends CommonSourceConfig {
  kind: 'mjpeg-url';
  url: string;
  /** Restart when the stream sends nothing for this long (default 10000 ms). */
  stallTimeoutMs?: number;
}

export interface SnapshotUrlSourceConfig extends CommonSourceConfig {
  kind: 'snapshot-url';
  url: string;
  intervalMs: number;
  /** Per-request timeout (default 10000 ms). */
  timeoutMs?: number;
}

export interface FolderSourceConfig extends CommonSourceConfig {
  kind: 'folder';
  dir: string;
  /** loop: replay the sorted images forever; watch: emit each new or changed image once. */
  mode: 'loop' | 'watch';
  /** loop: time between frames; watch: how often the folder is scanned. */
  intervalMs: number;
}

export type FrameSourceConfig = CommandSourceConfig | MjpegUrlSourceConfig | SnapshotUrlSourceConfig | FolderSourceConfig;

export const DEFAULT_MAX_FRAME_BYTES = 8 * 1024 * 1024;
export const DEFAULT_RESTART: RestartPolicy = { initialMs: 1000, maxMs: 30000 };
