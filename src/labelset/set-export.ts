import { toError } from '../to-error';
import { checkDocument, type LabelSetDocument } from './document';
import { LabelSetError } from './errors';
import { LABELSET_LIMITS } from './limits';
import { checkThumbnail } from './thumbnail-check';

/** A whole set in one JSON-able object: `labelset.json`'s content plus every thumbnail as base64. */
export interface LabelSetExport extends LabelSetDocument {
  thumbnails: Record<string, string>;
}

/** Reads an export (object, JSON text or bytes) and checks it whole before any of it is written. */
export function readExport(
  exported: unknown,
  what: string,
): { document: LabelSetDocument; thumbnails: Map<string, Buffer> } {
  let value = exported;
  if (typeof value === 'string' || Buffer.isBuffer(value)) {
    if (value.length > LABELSET_LIMITS.maxFileBytes * 2) {
      throw new LabelSetError(
        'limit',
        `${what} is ${value.length} bytes, more than ${LABELSET_LIMITS.maxFileBytes * 2}`,
      );
    }
    try {
      value = JSON.parse(value.toString());
    } catch (error) {
      throw new LabelSetError('corrupt', `${what} is not valid JSON (${toError(error).message})`, { cause: error });
    }
  }
  const document = checkDocument(value, what);
  const raw = (value as { thumbnails?: unknown }).thumbnails;
  if (typeof raw !== 'object' || raw === null) throw new LabelSetError('corrupt', `${what} has no "thumbnails" object`);
  const thumbnails = new Map<string, Buffer>();
  for (const example of Object.values(document.classes).flat()) {
    const text = (raw as Record<string, unknown>)[example.id];
    if (typeof text !== 'string')
      throw new LabelSetError('corrupt', `${what} has no thumbnail for example ${example.id}`);
    try {
      thumbnails.set(example.id, checkThumbnail(Buffer.from(text, 'base64'), `the thumbnail of example ${example.id}`));
    } catch (error) {
      throw new LabelSetError('corrupt', `${what}: ${toError(error).message}`, { cause: error });
    }
  }
  return { document, thumbnails };
}
