import { ByteBuffer } from 'flatbuffers';

/** Field ids in the TFLite schema (schema.fbs): Model.subgraphs and SubGraph.outputs. */
const MODEL_SUBGRAPHS = 2;
const SUBGRAPH_OUTPUTS = 2;

/** Absolute position of table field `id`, or 0 when the table leaves it out. */
function fieldAt(bb: ByteBuffer, table: number, id: number): number {
  const relative = bb.__offset(table, 4 + 2 * id);
  return relative ? table + relative : 0;
}

/** The subgraph outputs as stored, and where the uoffset to them sits. */
function outputsOf(bytes: Uint8Array): { field: number; outputs: number[] } {
  const bb = new ByteBuffer(bytes);
  const model = bb.readUint32(0);
  const subgraphs = fieldAt(bb, model, MODEL_SUBGRAPHS);
  if (!subgraphs) throw new Error('The .tflite file has no subgraph');
  const subgraphVector = subgraphs + bb.readUint32(subgraphs);
  const subgraph = subgraphVector + 4 + bb.readUint32(subgraphVector + 4);
  const field = fieldAt(bb, subgraph, SUBGRAPH_OUTPUTS);
  if (!field) throw new Error('The .tflite file names no subgraph output');
  const vector = field + bb.readUint32(field);
  const length = bb.readUint32(vector);
  const outputs = Array.from({ length }, (_, i) => bb.readInt32(vector + 4 + 4 * i));
  return { field, outputs };
}

/**
 * The same model with tensor `index` of its first subgraph added to the subgraph outputs, so the
 * interpreter keeps it and hands it back (an intermediate tensor, like a MobileNet's pooled
 * features, is otherwise overwritten by later layers). The flatbuffer is not rebuilt: a new outputs
 * vector is appended after the last byte and the subgraph's offset to it is pointed there
 * (flatbuffer offsets run forward, so any later position is valid). Returns the bytes and the
 * output's position among the outputs; the bytes unchanged when the tensor already is an output.
 */
export function withExtraOutput(bytes: Uint8Array, index: number): { bytes: Uint8Array; position: number } {
  const { field, outputs } = outputsOf(bytes);
  const known = outputs.indexOf(index);
  if (known >= 0) return { bytes, position: known };
  const start = (bytes.length + 3) & ~3;
  const patched = new Uint8Array(start + 4 + 4 * (outputs.length + 1));
  patched.set(bytes);
  const view = new DataView(patched.buffer);
  view.setUint32(start, outputs.length + 1, true);
  for (const [i, tensor] of [...outputs, index].entries()) view.setInt32(start + 4 + 4 * i, tensor, true);
  view.setUint32(field, start - field, true);
  return { bytes: patched, position: outputs.length };
}
