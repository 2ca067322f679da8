import { formatBytes } from './byte-units';
import type { DownloadProgress } from './model-fetcher';

export type { DownloadProgress };

/** What a model download has done so far, as a progress display shows it. */
export interface DownloadReading {
  /** 0..100, from the files done and the share of each file in flight whose size is known. */
  percent?: number;
  /** Bytes received so far, every file of the model together. */
  bytes: number;
  /** Over the last few seconds; undefined until there is something to measure. */
  bytesPerSecond?: number;
  /** From the time taken so far and the share still to come; undefined while too early to say. */
  etaSeconds?: number;
  file: string;
  filesDone: number;
  filesTotal: number;
}

/** The window the rate is measured over: long enough to smooth bursts, short enough to follow a slowdown. */
const RATE_WINDOW_MS = 3000;

/**
 * Turns the store's per-file progress events (several files may be in flight at once) into one
 * reading for the whole model: bytes, rate and time left.
 */
export class DownloadMeter {
  private readonly files = new Map<string, { bytes: number; total?: number }>();
  private readonly samples: Array<{ at: number; bytes: number }> = [];

  constructor(private readonly startedAt = Date.now()) {}

  update(progress: DownloadProgress, now = Date.now()): DownloadReading {
    this.files.set(progress.file, { bytes: progress.bytes, total: progress.totalBytes });
    let bytes = 0;
    let complete = 0;
    let partial = 0;
    for (const file of this.files.values()) {
      bytes += file.bytes;
      if (file.total === undefined || file.total <= 0) continue;
      if (file.bytes >= file.total) complete++;
      else partial += file.bytes / file.total;
    }
    // Files finished without a size announced count as done once the store says so.
    const done = Math.max(complete, progress.filesDone) + partial;
    const share = progress.filesTotal > 0 ? Math.min(1, done / progress.filesTotal) : undefined;
    this.samples.push({ at: now, bytes });
    while (this.samples.length > 2 && now - this.samples[1].at >= RATE_WINDOW_MS) this.samples.shift();
    const first = this.samples[0];
    const windowMs = now - first.at;
    const bytesPerSecond = windowMs >= 200 ? ((bytes - first.bytes) * 1000) / windowMs : undefined;
    const elapsedS = (now - this.startedAt) / 1000;
    const etaSeconds =
      share !== undefined && share >= 0.01 && share < 1 && elapsedS >= 0.5
        ? (elapsedS * (1 - share)) / share
        : share === 1
          ? 0
          : undefined;
    return {
      percent: share === undefined ? undefined : Math.floor(share * 100),
      bytes,
      bytesPerSecond,
      etaSeconds,
      file: progress.file,
      filesDone: progress.filesDone,
      filesTotal: progress.filesTotal,
    };
  }
}

function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function parts(reading: DownloadReading): string[] {
  const shown = [formatBytes(reading.bytes)];
  if (reading.bytesPerSecond !== undefined) shown.push(`${formatBytes(Math.round(reading.bytesPerSecond))}/s`);
  if (reading.etaSeconds !== undefined) shown.push(`ETA ${formatDuration(reading.etaSeconds)}`);
  if (reading.filesTotal > 1)
    shown.push(`file ${Math.min(reading.filesDone + 1, reading.filesTotal)}/${reading.filesTotal}`);
  return shown;
}

/** One line for a log: "42% · 1.40 MiB · 850.0 KiB/s · ETA 3 s · file 24/56". */
export function formatDownloadLine(reading: DownloadReading): string {
  const percent = reading.percent === undefined ? [] : [`${reading.percent}%`];
  return [...percent, ...parts(reading)].join(' · ');
}

/** A bar for a terminal line redrawn in place: "[#########-----------]  42%  1.40 MiB  850.0 KiB/s  ETA 3 s". */
export function formatDownloadBar(reading: DownloadReading, width = 24): string {
  const filled = reading.percent === undefined ? 0 : Math.round((reading.percent / 100) * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  const percent = reading.percent === undefined ? '   ?%' : `${String(reading.percent).padStart(4)}%`;
  return `${bar}${percent}  ${parts(reading).join('  ')}`;
}

/** When a plain (non-terminal) progress line is due: every 10 percentage points, or every 10 s, and at the end. */
export class ProgressLineSchedule {
  private lastStep = -1;
  private lastAt = 0;
  private lastTotal = 0;

  constructor(
    private readonly stepPercent = 10,
    private readonly everyMs = 10_000,
  ) {}

  due(reading: DownloadReading, now = Date.now()): boolean {
    // model.json read: the shards it names are now known, and the percentage starts again from there.
    if (reading.filesTotal !== this.lastTotal) {
      this.lastTotal = reading.filesTotal;
      this.lastStep = -1;
    }
    const step = reading.percent === undefined ? -1 : Math.floor(reading.percent / this.stepPercent);
    const finished = reading.percent === 100;
    if (step > this.lastStep || now - this.lastAt >= this.everyMs || (finished && step !== this.lastStep)) {
      this.lastStep = Math.max(step, this.lastStep);
      this.lastAt = now;
      return true;
    }
    return false;
  }
}
