import type { ClassifyResult, Prediction } from '../../src';

/** What the classify node writes to msg.classification. */
export interface Classification extends Pick<ClassifyResult, 'top' | 'predictions' | 'model' | 'timings'> {
  queue: { dropped: number; depth: number; heldForOrder: number };
}

/** A msg as the classify node sends it: predictions as the payload, the details beside them. */
export interface ClassifyMessage {
  _msgid: string;
  payload: Prediction[];
  classification: Classification;
  /** Whatever else the incoming msg carried (seq, the kept image, …). */
  [property: string]: unknown;
}

/** A msg as a Catch node sends it on: the msg that failed, with the error that failed it. */
export interface CaughtMessage {
  error: { message: string; source: { id: string; type?: string } };
  classification?: Classification;
  [property: string]: unknown;
}
