import type { LocalModelSpec } from '../load-executable';

/** Why LiteRT.js cannot run a model of this kind at all, or undefined when it can try. */
export function liteRtUnsupportedReason(spec: LocalModelSpec): string | undefined {
  if (spec.format === 'graph') return 'no .tflite writer for this format yet (TF.js graph models)';
  if (spec.unfused) return 'unfused execution is a TF.js mode';
  if (spec.float) return 'float mode (no re-quantisation) is a TF.js mode; LiteRT.js runs the file as it is';
  return undefined;
}
