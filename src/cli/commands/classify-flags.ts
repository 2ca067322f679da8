import { BACKEND_NAMES, type BackendName } from '../../engine/backend-names';
import { ENGINE_CHOICES, type EngineChoice } from '../../engine/engine';
import { FIT_MODES } from '../../image/options';
import type { FitMode } from '../../image/types';
import { MAX_WORKERS, workersProblem } from '../../runner/worker-count';

export interface ClassifyFlags {
  topK: number;
  threshold: number | undefined;
  backend: BackendName;
  /** undefined: the library's default engine. */
  engine: EngineChoice | undefined;
  fit: FitMode | undefined;
  maxFileBytes: number | undefined;
  /** Inference workers asked for; undefined: the default, but never more than there are images. */
  workers: number | undefined;
}

/**
 * The classify command's flags, checked before the model is loaded (seconds) so that a typo is
 * said at once, by its flag name and with what is accepted. Returns the message when one is bad.
 */
export function parseClassifyFlags(values: {
  top?: string;
  threshold?: string;
  backend?: string;
  engine?: string;
  fit?: string;
  'max-file-bytes'?: string;
  workers?: string;
}): ClassifyFlags | string {
  const topK = values.top === undefined ? 5 : Number(values.top);
  if (!Number.isInteger(topK) || topK < 1) return `--top must be a whole number ≥ 1, got "${values.top}"`;
  const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
  if (threshold !== undefined && (values.threshold?.trim() === '' || !(threshold >= 0 && threshold <= 1))) {
    return `--threshold must be a number from 0 to 1, got "${values.threshold}"`;
  }
  const backend = values.backend ?? 'auto';
  if (!(BACKEND_NAMES as readonly string[]).includes(backend))
    return `--backend must be one of ${BACKEND_NAMES.join(', ')}, got "${backend}"`;
  if (values.engine !== undefined && !(ENGINE_CHOICES as readonly string[]).includes(values.engine))
    return `--engine must be one of ${ENGINE_CHOICES.join(', ')}, got "${values.engine}"`;
  if (values.fit !== undefined && !(FIT_MODES as readonly string[]).includes(values.fit))
    return `--fit must be one of ${FIT_MODES.join(', ')}, got "${values.fit}"`;
  const maxFileBytes = values['max-file-bytes'] === undefined ? undefined : Number(values['max-file-bytes']);
  if (maxFileBytes !== undefined && (!Number.isInteger(maxFileBytes) || maxFileBytes < 1)) {
    return `--max-file-bytes must be a whole number of bytes ≥ 1, got "${values['max-file-bytes']}"`;
  }
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  if (workers !== undefined && (values.workers?.trim() === '' || workersProblem('--workers', workers))) {
    return `--workers must be a whole number from 1 to ${MAX_WORKERS}, got "${values.workers}"`;
  }
  return {
    topK,
    threshold,
    backend: backend as BackendName,
    engine: values.engine as EngineChoice | undefined,
    fit: values.fit as FitMode | undefined,
    maxFileBytes,
    workers,
  };
}
