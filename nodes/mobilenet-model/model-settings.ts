import { createHash } from 'node:crypto';
import {
  BACKEND_NAMES,
  ENGINE_CHOICES,
  type EngineChoice,
  FIT_MODES,
  type BackendName,
  type FitMode,
  QUEUE_POLICIES,
  defaultWorkers,
  workersProblem,
  type QueuePolicy,
  type ClassifierOptions,
} from '../../src';
import { numberOrDefault } from '../shared/number-setting';
import type { Translate } from '../shared/translate';

/** What the editor stores for a model config node. */
export interface ModelNodeConfig {
  name?: string;
  /** 'catalog': `catalogModel` names a catalog entry; 'path': `path` is a directory, .tflite file or URL. */
  source?: 'catalog' | 'path';
  catalogModel?: string;
  path?: string;
  labels?: string;
  backend?: string;
  /** auto, litert or tfjs; blank means the library's default. */
  engine?: string;
  queueSize?: number | string;
  queuePolicy?: string;
  fit?: string;
  float?: boolean;
  /** Inference worker threads; blank means the runtime's default (one per core but one). */
  workers?: number | string;
}

export const DEFAULT_CATALOG_MODEL = 'mobilenet_v1_0.25_224';

/** `field` names the setting in the messages (`errors.field.<field>`). */
function oneOf<T extends string>(
  t: Translate,
  field: string,
  value: string | undefined,
  valid: readonly T[],
  fallback: T,
): T {
  if (value === undefined || value === '') return fallback;
  if (!valid.includes(value as T)) {
    throw new Error(t('errors.unknown', { what: t(`errors.field.${field}`), value, valid: valid.join(', ') }));
  }
  return value as T;
}

/**
 * Editor values (strings) to the core's Classifier options, refusing anything invalid by name in the
 * node's messages (`t` reads `mobilenet-model.<key>`).
 */
export function classifierOptions(config: ModelNodeConfig, t: Translate): ClassifierOptions {
  const source = oneOf(t, 'source', config.source, ['catalog', 'path'] as const, 'catalog');
  const model = (source === 'catalog' ? config.catalogModel || DEFAULT_CATALOG_MODEL : (config.path ?? '')).trim();
  if (!model) throw new Error(t('errors.no-model'));
  const queueSize = numberOrDefault(config.queueSize, 4);
  if (!Number.isInteger(queueSize) || queueSize < 1)
    throw new Error(t('errors.queue-size', { got: String(config.queueSize) }));
  const workers = numberOrDefault(config.workers, defaultWorkers());
  if (workersProblem('workers', workers)) throw new Error(t('errors.workers', { got: String(config.workers) }));
  const labels = config.labels?.trim();
  return {
    model,
    labels: labels ? labels : undefined,
    backend: oneOf<BackendName>(t, 'backend', config.backend, BACKEND_NAMES, 'auto'),
    // Blank: the library's default engine.
    engine: config.engine ? oneOf<EngineChoice>(t, 'engine', config.engine, ENGINE_CHOICES, 'auto') : undefined,
    queueSize,
    queuePolicy: oneOf<QueuePolicy>(t, 'queuePolicy', config.queuePolicy, QUEUE_POLICIES, 'drop-oldest'),
    fit: oneOf<FitMode>(t, 'fit', config.fit, FIT_MODES, 'cover'),
    float: config.float === true,
    workers,
  };
}

/** Same options, same hash: a redeploy that leaves the config node alone reuses its loaded model. */
export function settingsHash(options: ClassifierOptions): string {
  const { model, labels, backend, engine, queueSize, queuePolicy, fit, float, workers } = options;
  return createHash('sha256')
    .update(JSON.stringify({ model, labels, backend, engine, queueSize, queuePolicy, fit, float, workers }))
    .digest('hex')
    .slice(0, 16);
}
