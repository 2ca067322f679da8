import type { RedNode } from '../shared/red-api';
import type { ModelState, SharedModel } from './shared-models';

/** Something that uses the model and wants to hear how loading goes (a classify node). */
export interface ModelUser {
  onModelState(state: ModelState): void;
}

/** A mobilenet-model config node as classify nodes see it. */
export interface ModelNode extends RedNode {
  /** Starts using the model (loading it if nobody has yet) and reports its state to the user. */
  register(user: ModelUser): SharedModel;
  /** Stops using it; the model is unloaded shortly after its last user leaves. */
  deregister(user: ModelUser): void;
}

export function isModelNode(node: RedNode | null): node is ModelNode {
  return node !== null && typeof (node as Partial<ModelNode>).register === 'function';
}
