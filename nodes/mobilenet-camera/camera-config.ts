import {
  DEFAULT_MAX_FOLDER_FILE_BYTES,
  DEFAULT_RESTART,
  type FolderRetention,
  type FolderSourceConfig,
  type FrameSourceConfig,
} from '../../src';
import type { Translate } from '../shared/translate';
import { splitArgs } from './split-args';
import { numberOrDefault } from '../shared/number-setting';
import { toError } from '../../src';

/** The node's properties as the editor saves them (numbers may arrive as strings). */
export interface CameraNodeConfig {
  name?: string;
  /** Frame source name; empty means the node name, else "camera". */
  source?: string;
  kind?: string;
  /** Editor only: which preset filled command and args. The runtime never reads it. */
  preset?: string;
  command?: string;
  /** Arguments as one line of text, split with shell-like quoting but never run by a shell. */
  args?: string;
  url?: string;
  /** Seconds: snapshot polling interval, folder loop frame interval or folder watch scan period. */
  interval?: number | string;
  dir?: string;
  folderMode?: string;
  /** Folder watch: what happens to an image once sent (keep, newest, delete, move); default keep. */
  retention?: string;
  /** Folder watch, retention "newest": how many images the folder keeps. */
  keepNewest?: number | string;
  /** Folder watch, retention "move": where sent images go (relative to the folder, or absolute). */
  moveTo?: string;
  /** Folder: larger files are refused before reading (MiB). */
  maxFileMiB?: number | string;
  /** 0 or empty: no cap. */
  maxFps?: number | string;
  autostart?: boolean;
  /** Seconds before the first restart of a dead source; doubles up to restartMax. */
  restartMin?: number | string;
  restartMax?: number | string;
}

export interface CameraCredentials {
  user?: string;
  password?: string;
}

export const KINDS = ['command', 'mjpeg-url', 'snapshot-url', 'folder'] as const;
export const DEFAULT_MAX_FPS = 5;
export const DEFAULT_INTERVAL_S = 1;

/** The name frames carry: the Source property, else the node name, else "camera". */
export function sourceName(config: CameraNodeConfig): string {
  return config.source?.trim() || config.name?.trim() || 'camera';
}

/**
 * Turns editor properties into a frame source configuration. Throws an error naming the editor
 * field and its valid values, in the node's messages (`t` reads `mobilenet-camera.<key>`); the core
 * then checks the rest (URL syntax, backoff order).
 */
export function toFrameSourceConfig(
  config: CameraNodeConfig,
  t: Translate,
  credentials: CameraCredentials = {},
): FrameSourceConfig {
  const common = {
    source: sourceName(config),
    maxFps: numberField(t, config.maxFps, 'maxFps', DEFAULT_MAX_FPS, 0, 'no-cap'),
    restart: {
      initialMs: numberField(t, config.restartMin, 'restartMin', DEFAULT_RESTART.initialMs / 1000, 0, 'seconds') * 1000,
      maxMs: numberField(t, config.restartMax, 'restartMax', DEFAULT_RESTART.maxMs / 1000, 0, 'seconds') * 1000,
    },
  };
  if (common.restart.maxMs < common.restart.initialMs) {
    const seconds = { max: common.restart.maxMs / 1000, min: common.restart.initialMs / 1000 };
    throw new RangeError(t('errors.restart-order', seconds));
  }
  const kind = config.kind ?? 'command';
  switch (kind) {
    case 'command': {
      const command = (config.command ?? '').trim();
      if (command === '') throw new TypeError(t('errors.no-command'));
      let args: string[];
      try {
        args = splitArgs(config.args ?? '');
      } catch (err) {
        throw new SyntaxError(t('errors.arguments', { reason: toError(err).message }));
      }
      return { ...common, kind, command, args };
    }
    case 'mjpeg-url':
      return { ...common, kind, url: withCredentials(requiredText(t, config.url, 'url'), credentials) };
    case 'snapshot-url':
      return {
        ...common,
        kind,
        url: withCredentials(requiredText(t, config.url, 'url'), credentials),
        intervalMs: intervalMs(t, config),
      };
    case 'folder': {
      const mode = config.folderMode ?? 'loop';
      if (mode !== 'loop' && mode !== 'watch')
        throw new RangeError(t('errors.folder-mode', { got: JSON.stringify(mode) }));
      const maxFrameBytes = Math.round(
        numberField(t, config.maxFileMiB, 'maxFileMiB', DEFAULT_MAX_FOLDER_FILE_BYTES / 2 ** 20, 0.01, 'mib') * 2 ** 20,
      );
      const folder: FolderSourceConfig = {
        ...common,
        kind,
        dir: requiredText(t, config.dir, 'dir'),
        mode,
        intervalMs: intervalMs(t, config),
        maxFrameBytes,
      };
      // Loop mode replays the folder and never removes anything: the editor hides the retention there.
      return mode === 'watch' ? { ...folder, retention: folderRetention(t, config) } : folder;
    }
    default:
      throw new RangeError(t('errors.kind', { valid: quotedList(KINDS), got: JSON.stringify(kind) }));
  }
}

export const RETENTIONS = ['keep', 'newest', 'delete', 'move'] as const;
export const DEFAULT_KEEP_NEWEST = 1000;
export const DEFAULT_MOVE_TO = 'done';

/** `"a", "b", "c"`: the valid values as an error names them. */
function quotedList(values: readonly string[]): string {
  return values.map((v) => `"${v}"`).join(', ');
}

function folderRetention(t: Translate, config: CameraNodeConfig): FolderRetention {
  const policy = config.retention ?? 'keep';
  switch (policy) {
    case 'keep':
    case 'delete':
      return { policy };
    case 'newest': {
      const count = numberField(t, config.keepNewest, 'keepNewest', DEFAULT_KEEP_NEWEST, 1, 'images');
      if (!Number.isInteger(count))
        throw new RangeError(t('errors.keep-newest', { got: JSON.stringify(config.keepNewest) }));
      return { policy, count };
    }
    case 'move':
      return { policy, dir: (config.moveTo ?? '').trim() || DEFAULT_MOVE_TO };
    default:
      throw new RangeError(t('errors.retention', { valid: quotedList(RETENTIONS), got: JSON.stringify(policy) }));
  }
}

function intervalMs(t: Translate, config: CameraNodeConfig): number {
  const seconds = numberField(t, config.interval, 'interval', DEFAULT_INTERVAL_S, 0, 'seconds');
  // The core needs at least 1 ms; 0 s in the editor means "as fast as possible".
  return Math.max(1, Math.round(seconds * 1000));
}

/** `field` and `hint` name the field and its unit in the messages (`errors.field.*`, `errors.hint.*`). */
function numberField(
  t: Translate,
  value: number | string | undefined,
  field: string,
  fallback: number,
  min: number,
  hint: string,
): number {
  const n = numberOrDefault(value, fallback);
  if (!Number.isFinite(n) || n < min) {
    const named = {
      field: t(`errors.field.${field}`),
      min,
      hint: t(`errors.hint.${hint}`),
      got: JSON.stringify(value),
    };
    throw new RangeError(t('errors.number-at-least', named));
  }
  return n;
}

function requiredText(t: Translate, value: string | undefined, field: string): string {
  const text = (value ?? '').trim();
  if (text === '') throw new TypeError(t('errors.required', { field: t(`errors.field.${field}`) }));
  return text;
}

/** Credentials live in Node-RED's encrypted store, not the flow; the core sends URL userinfo as Basic auth. */
function withCredentials(url: string, credentials: CameraCredentials): string {
  if (!credentials.user) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url; // the core rejects it with a message that names the valid schemes
  }
  // The core quotes a URL it refuses: a password added to an rtsp:// URL would land in the log.
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return url;
  // Encoded here: the URL setters leave "%" as it is, so a password holding "%20" would reach the
  // camera as a space (the client percent-decodes the login for Basic auth).
  parsed.username = encodeURIComponent(credentials.user);
  parsed.password = encodeURIComponent(credentials.password ?? '');
  return parsed.toString();
}
