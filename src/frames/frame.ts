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

/** Where a frame source is in its life: starting, running, restarting after a failure, or stopped. */
export type FrameSourceState = 'starting' | 'running' | 'restarting' | 'stopped';

/** A frame source's counters and its last error, for node status and MQTT stats. */
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

/** A camera (command, MJPEG URL, snapshot URL or folder) emitting JPEG frames; start it, stop it, read its stats. */
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
  /**
   * Frames larger than this are dropped so a broken stream cannot eat RAM (default 8 MiB; for a
   * folder source, files larger than this are refused before reading, default 50 MiB so phone
   * photos pass).
   */
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

/**
 * What a watching folder source does with an image once it has sent it, so a camera dropping
 * stills never fills the disk:
 * - keep: nothing (the folder grows);
 * - newest: keep the `count` most recent images, deleting the oldest (images already in the
 *   folder when watching starts count as seen: watch mode never sends them);
 * - delete: delete it;
 * - move: move it into `dir` (relative to the watched folder, or absolute).
 * With delete and move the folder is an inbox: images already there at start are sent too.
 * An image is never removed before it has been sent.
 */
export type FolderRetention =
  | { policy: 'keep' }
  | { policy: 'newest'; count: number }
  | { policy: 'delete' }
  | { policy: 'move'; dir: string };

/** A folder of images as a camera: read in name order (loop) or as new files arrive (watch). */
export interface FolderSourceConfig extends CommonSourceConfig {
  kind: 'folder';
  dir: string;
  /** loop: replay the sorted images forever; watch: emit each new or changed image once. */
  mode: 'loop' | 'watch';
  /** loop: time between frames; watch: how often a new file is checked until its size holds still. */
  intervalMs: number;
  /** Watch mode only (default keep). */
  retention?: FolderRetention;
  /**
   * Watch mode: the folder is watched with fs.watch (inotify); it is also listed this often
   * (default 30000 ms) to catch what no event announced (network shares, lost events).
   */
  rescanMs?: number;
}

/** What `createFrameSource` builds: one of the four kinds, told apart by `kind`. */
export type FrameSourceConfig =
  | CommandSourceConfig
  | MjpegUrlSourceConfig
  | SnapshotUrlSourceConfig
  | FolderSourceConfig;

export const DEFAULT_MAX_FRAME_BYTES = 8 * 1024 * 1024;
/** Phone cameras write 48-200 MP JPEGs of 10-40 MB; a folder source admits them whole. */
export const DEFAULT_MAX_FOLDER_FILE_BYTES = 50 * 1024 * 1024;
export const DEFAULT_FOLDER_RESCAN_MS = 30000;
/** How a failed source is restarted unless told otherwise: after 1 s, doubling up to 30 s. */
export const DEFAULT_RESTART: RestartPolicy = { initialMs: 1000, maxMs: 30000 };
