import type { RedNode } from '../shared/red-api';
import type { LabelSetService } from './label-set-service';

/** A mobilenet-label-set config node as teach and classify nodes see it. */
export interface LabelSetNode extends RedNode {
  /** Undefined when the node is misconfigured (then `configError` says why). */
  service?: LabelSetService;
  configError?: Error;
  /** The mobilenet-model config node the set is tied to. */
  modelId: string;
}

export function isLabelSetNode(node: RedNode | null): node is LabelSetNode {
  return (
    node !== null && node.type === 'mobilenet-label-set' && typeof (node as Partial<LabelSetNode>).modelId === 'string'
  );
}

/** The service, or the error that explains why there is none. */
export function serviceOf(node: RedNode | null, missing: string): LabelSetService {
  if (!isLabelSetNode(node)) throw new Error(missing);
  if (!node.service) throw node.configError ?? new Error(missing);
  return node.service;
}
