/**
 * Every bound a model download runs under. A model URL may point at a hostile or broken server, so
 * nothing it sends is trusted to end, to be small, or to arrive at a useful rate.
 */
export interface DownloadLimits {
  /** Most bytes any one file may hold, as written (after Content-Encoding decoding, or taken out of an archive). */
  maxFileBytes: number;
  /** Most bytes all files of one model may hold together; also bounds what an archive inflates to. */
  maxModelBytes: number;
  /** model.json is parsed in memory, so it gets its own, smaller bound (never above maxFileBytes). */
  maxModelJsonBytes: number;
  /** Most entries a .tar/.tgz may list before the member is found. */
  maxArchiveEntries: number;
  maxRedirects: number;
  /** From sending a request to its response headers: DNS, connect, TLS and the server's answer. */
  responseTimeoutMs: number;
  /** Fail when no byte of the body arrives for this long. */
  idleTimeoutMs: number;
  /** Fail when fewer than minBytesPerWindow body bytes arrive in any rateWindowMs (a trickle never ends). */
  minBytesPerWindow: number;
  rateWindowMs: number;
  /** One whole model, every file and every redirect included. */
  totalTimeoutMs: number;
}

export const MAX_DOWNLOAD_BYTES_ENV = 'MOBILENET_MAX_DOWNLOAD_BYTES';
export const MAX_MODEL_BYTES_ENV = 'MOBILENET_MAX_MODEL_BYTES';
export const DOWNLOAD_TIMEOUT_ENV = 'MOBILENET_DOWNLOAD_TIMEOUT_S';

const MIB = 1024 * 1024;

/**
 * The largest official MobileNet file is about 17 MB (V1 1.0 float weights), a .tgz of the quantised
 * ones well under 64 MiB, so these leave room for custom models while stopping an endless body early.
 */
export const DEFAULT_DOWNLOAD_LIMITS: Readonly<DownloadLimits> = Object.freeze({
  maxFileBytes: 64 * MIB,
  maxModelBytes: 256 * MIB,
  maxModelJsonBytes: 16 * MIB,
  maxArchiveEntries: 1000,
  maxRedirects: 10,
  responseTimeoutMs: 30_000,
  idleTimeoutMs: 30_000,
  // 16 KiB a minute is ~270 bytes/s: far below any working link, far above a deliberate trickle.
  minBytesPerWindow: 16 * 1024,
  rateWindowMs: 60_000,
  totalTimeoutMs: 30 * 60_000,
});

function positiveIntegerFromEnv(name: string, minimum: number, what: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const text = raw.trim();
  if (!/^\d+$/.test(text) || Number(text) < minimum || !Number.isSafeInteger(Number(text))) {
    throw new Error(`${name} must be a whole number of ${what}, at least ${minimum} (got "${raw}")`);
  }
  return Number(text);
}

function checkLimit(limits: DownloadLimits, key: keyof DownloadLimits): void {
  const value = limits[key];
  if (!Number.isSafeInteger(value) || value < (key === 'maxRedirects' ? 0 : 1)) {
    throw new Error(
      `Download limit ${key} must be a whole number${key === 'maxRedirects' ? ' ≥ 0' : ' ≥ 1'} (got ${String(value)})`,
    );
  }
}

/** Defaults, then the environment, then the caller's own values; each checked. */
export function resolveDownloadLimits(overrides: Partial<DownloadLimits> = {}): DownloadLimits {
  const fromEnv: Partial<DownloadLimits> = {};
  const fileBytes = positiveIntegerFromEnv(MAX_DOWNLOAD_BYTES_ENV, 1024, 'bytes');
  if (fileBytes !== undefined) fromEnv.maxFileBytes = fileBytes;
  const modelBytes = positiveIntegerFromEnv(MAX_MODEL_BYTES_ENV, 1024, 'bytes');
  if (modelBytes !== undefined) fromEnv.maxModelBytes = modelBytes;
  const seconds = positiveIntegerFromEnv(DOWNLOAD_TIMEOUT_ENV, 1, 'seconds');
  if (seconds !== undefined) fromEnv.totalTimeoutMs = seconds * 1000;
  const defined = Object.fromEntries(
    Object.entries(overrides).filter(([, value]) => value !== undefined),
  ) as Partial<DownloadLimits>;
  const limits: DownloadLimits = { ...DEFAULT_DOWNLOAD_LIMITS, ...fromEnv, ...defined };
  for (const key of Object.keys(DEFAULT_DOWNLOAD_LIMITS) as (keyof DownloadLimits)[]) checkLimit(limits, key);
  return limits;
}

/** "64 MiB" for whole MiB, else the byte count: limits in messages read as they are documented. */
export function formatBytes(bytes: number): string {
  return bytes >= MIB && bytes % MIB === 0 ? `${bytes / MIB} MiB` : `${bytes} bytes`;
}
