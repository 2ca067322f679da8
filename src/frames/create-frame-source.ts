import * as path from 'node:path';
import type { FolderSourceConfig, FrameSource, FrameSourceConfig } from './frame';
import { Backoff } from './backoff';

// Each kind of source is loaded when one is made: a flow with a folder source never loads the HTTP client, and
// `require` of the package loads none of them.
const commandSource = () => (require('./command-source') as typeof import('./command-source')).CommandFrameSource;
const folderSource = () => (require('./folder-source') as typeof import('./folder-source')).FolderFrameSource;
const mjpegSource = () => (require('./mjpeg-url-source') as typeof import('./mjpeg-url-source')).MjpegUrlFrameSource;
const snapshotSource = () =>
  (require('./snapshot-url-source') as typeof import('./snapshot-url-source')).SnapshotUrlFrameSource;

const KINDS = ['command', 'mjpeg-url', 'snapshot-url', 'folder'] as const;

/**
 * Builds a stopped frame source; call start() on it. Throws a TypeError/RangeError naming the
 * bad field and its valid values, so a Node-RED node can show it before anything runs.
 */
export function createFrameSource(config: FrameSourceConfig): FrameSource {
  validateCommon(config);
  switch (config.kind) {
    case 'command':
      if (typeof config.command !== 'string' || config.command.trim() === '')
        throw new TypeError('command source: command must be a non-empty executable name or path');
      if (!Array.isArray(config.args) || !config.args.every((a) => typeof a === 'string'))
        throw new TypeError('command source: args must be an array of strings (the command runs without a shell)');
      optionalNumber(config.killGraceMs, 'killGraceMs', 0);
      return new (commandSource())(config);
    case 'mjpeg-url':
      optionalNumber(config.stallTimeoutMs, 'stallTimeoutMs', 1);
      return new (mjpegSource())(config);
    case 'snapshot-url':
      requiredNumber(config.intervalMs, 'intervalMs', 1);
      optionalNumber(config.timeoutMs, 'timeoutMs', 1);
      return new (snapshotSource())(config);
    case 'folder':
      if (typeof config.dir !== 'string' || config.dir === '')
        throw new TypeError('folder source: dir must be a non-empty path');
      if (config.mode !== 'loop' && config.mode !== 'watch')
        throw new RangeError(`folder source: mode must be "loop" or "watch", got ${JSON.stringify(config.mode)}`);
      requiredNumber(config.intervalMs, 'intervalMs', 1);
      optionalNumber(config.rescanMs, 'rescanMs', 100);
      validateRetention(config);
      return new (folderSource())(config);
    default:
      throw new RangeError(
        `frame source kind must be one of ${KINDS.map((k) => `"${k}"`).join(', ')}, got ` +
          `${JSON.stringify((config as { kind?: unknown }).kind)}`,
      );
  }
}

function validateCommon(config: FrameSourceConfig): void {
  if (typeof config !== 'object' || config === null) throw new TypeError('frame source config must be an object');
  if (typeof config.source !== 'string' || config.source.trim() === '')
    throw new TypeError('frame source: source must be a non-empty name (it labels every frame)');
  optionalNumber(config.maxFps, 'maxFps', 0);
  optionalNumber(config.maxFrameBytes, 'maxFrameBytes', 4);
  // Backoff validates initialMs/maxMs with its own messages.
  if (config.restart !== undefined) new Backoff(config.restart);
}

const RETENTION_POLICIES = ['keep', 'newest', 'delete', 'move'] as const;

function validateRetention(config: FolderSourceConfig): void {
  const retention = config.retention as unknown;
  if (retention === undefined) return;
  const policy =
    typeof retention === 'object' && retention !== null ? (retention as { policy?: unknown }).policy : undefined;
  if (!RETENTION_POLICIES.includes(policy as never)) {
    throw new RangeError(
      `folder source: retention.policy must be one of ${RETENTION_POLICIES.map((p) => `"${p}"`).join(', ')}, got ` +
        `${JSON.stringify(policy ?? retention)}`,
    );
  }
  if (policy !== 'keep' && config.mode !== 'watch')
    throw new RangeError(
      `folder source: retention "${String(policy)}" applies to watch mode only (loop mode replays the folder and ` +
        `never removes anything)`,
    );
  if (config.retention?.policy === 'newest') {
    const count = config.retention.count;
    if (!Number.isInteger(count) || count < 1)
      throw new RangeError(
        `folder source: retention "newest" needs count, a whole number >= 1 (how many images to keep), got ` +
          `${JSON.stringify(count)}`,
      );
  }
  if (
    config.retention?.policy === 'move' &&
    (typeof config.retention.dir !== 'string' || config.retention.dir.trim() === '')
  ) {
    throw new TypeError(
      'folder source: retention "move" needs dir, the folder to move sent images to (relative to the watched folder, ' +
        'or absolute)',
    );
  }
  if (
    config.retention?.policy === 'move' &&
    path.resolve(config.dir, config.retention.dir) === path.resolve(config.dir)
  ) {
    throw new RangeError(
      `folder source: retention "move" needs a folder other than the watched one, got ` +
        `${JSON.stringify(config.retention.dir)}`,
    );
  }
}

function requiredNumber(value: unknown, name: string, min: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min)
    throw new RangeError(`${name} must be a number >= ${min}, got ${JSON.stringify(value)}`);
}

function optionalNumber(value: unknown, name: string, min: number): void {
  if (value !== undefined) requiredNumber(value, name, min);
}
