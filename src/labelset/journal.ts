import { randomBytes } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { toError } from '../to-error';
import { checkDocument, isExampleId, type LabelSetDocument, thumbnailPathFor } from './document';
import { LabelSetError } from './errors';
import { checkLabel } from './limits';
import { readBounded } from './set-files';
import { decodeEmbedding } from './vectors';

/**
 * The set's append-only journal beside `labelset.json`, so that teaching one example writes one line, not the
 * whole set. Plain JSON lines:
 *
 *     {"journal":"<16 hex digits>"}                                        ← header: this journal's id
 *     {"label":"door open","id":"<16 hex>","embedding":"<base64>","addedAt":"<ISO time>","bytes":<crop length>}
 *
 * An add appends its line and fsyncs it (the file exists already, so no folder fsync is needed); its crop
 * `examples/<id>.jpg` is created and fsynced at the same time (not atomically: `bytes` tells a whole crop from
 * one cut short). Opening the set replays the lines on top of `labelset.json`: an unterminated last line (a
 * write cut short by a crash) is ignored, and so is a line whose crop is not on disk or not `bytes` long (its
 * add had not resolved). Lines written before `bytes` existed only need their crop on disk. Compaction writes
 * the whole set to `labelset.json` with `"journal": <id>` — the id of the journal it now contains — and then
 * starts a new journal, so a crash between the two never applies a line twice. Removing, relabelling, moving and
 * re-embedding compact; so does every `COMPACT_AFTER_RECORDS`-th add, which keeps the journal (and the time to
 * open the set) small.
 */
export const JOURNAL_FILE = 'examples.jsonl';

/** Adds between two compactions. */
export const COMPACT_AFTER_RECORDS = 128;

/** One add as the journal stores it (the crop's path is derived from the id). */
export interface JournalRecord {
  label: string;
  id: string;
  embedding: string;
  addedAt: string;
  /** The crop's length in bytes; absent in lines written before crops were created in place. */
  bytes?: number;
}

/** What a journal file holds. */
export interface JournalContents {
  /** The header's id; undefined when even the header was cut short. */
  id: string | undefined;
  records: JournalRecord[];
  /** True when the file ended in the middle of a line, which must not be appended to. */
  torn: boolean;
}

export function newJournalId(): string {
  return randomBytes(8).toString('hex');
}

export function journalHeader(id: string): string {
  return `${JSON.stringify({ journal: id })}\n`;
}

/** The journal in `file`, or undefined when there is none; refuses (naming it) a line that is not a record. */
export async function readJournal(file: string, embeddingSize: number): Promise<JournalContents | undefined> {
  const text = await readBounded(file);
  if (text === undefined) return undefined;
  const lines = text.split('\n');
  const torn = lines.pop() !== '';
  if (lines.length === 0) return { id: undefined, records: [], torn };
  const header = parseLine(lines[0], file, 1);
  if (!isExampleId(header.journal)) throw corrupt(file, 'line 1 is not a journal header {"journal": <16 hex>}');
  const records = lines.slice(1).map((line, index) => checkRecord(parseLine(line, file, index + 2), file, index + 2));
  for (const record of records) {
    if (decodeEmbedding(record.embedding, embeddingSize) === undefined) {
      throw corrupt(
        file,
        `holds example ${record.id} whose embedding is not base64 of ${embeddingSize} float32 values`,
      );
    }
  }
  return { id: header.journal, records, torn };
}

/**
 * `document` with the journal's adds applied, checked against the limits as a whole (refusals name the
 * journal). Adds whose crop is missing in `folder` are skipped: their add never resolved.
 */
export async function applyJournal(
  document: LabelSetDocument,
  journal: JournalContents,
  folder: string,
  file: string,
): Promise<LabelSetDocument> {
  const classes: LabelSetDocument['classes'] = {};
  for (const [label, examples] of Object.entries(document.classes)) classes[label] = [...examples];
  for (const record of journal.records) {
    const thumbnail = thumbnailPathFor(record.id);
    const size = await fileSize(path.join(folder, thumbnail));
    if (size === undefined || (record.bytes !== undefined && size !== record.bytes)) continue;
    classes[record.label] = [...(classes[record.label] ?? []), { ...withoutLabel(record), thumbnail }];
  }
  return checkDocument({ ...document, classes }, file);
}

/** Appends one record and makes it durable before resolving. */
export async function appendRecord(file: string, record: JournalRecord): Promise<void> {
  const handle = await open(file, 'a');
  try {
    await handle.write(`${JSON.stringify(record)}\n`);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

function parseLine(line: string, file: string, number: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw corrupt(file, `line ${number} is not valid JSON (${toError(error).message})`, error);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw corrupt(file, `line ${number} does not hold a JSON object`);
  }
  return value as Record<string, unknown>;
}

function checkRecord(value: Record<string, unknown>, file: string, number: number): JournalRecord {
  const where = `line ${number}`;
  if (typeof value.label !== 'string') throw corrupt(file, `${where} has no label`);
  try {
    checkLabel(value.label);
  } catch (error) {
    throw corrupt(file, `${where} has a label that is refused: ${toError(error).message}`);
  }
  if (!isExampleId(value.id)) throw corrupt(file, `${where} has an id that is not 16 hex digits`);
  if (typeof value.embedding !== 'string') throw corrupt(file, `${where} has no embedding`);
  if (typeof value.addedAt !== 'string' || Number.isNaN(Date.parse(value.addedAt))) {
    throw corrupt(file, `${where} has no valid addedAt time`);
  }
  const { bytes } = value;
  if (bytes !== undefined && (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 1)) {
    throw corrupt(file, `${where} has a crop length that is not a whole number of bytes`);
  }
  const record = { label: value.label, id: value.id, embedding: value.embedding, addedAt: value.addedAt };
  return bytes === undefined ? record : { ...record, bytes };
}

function withoutLabel(record: JournalRecord): Pick<JournalRecord, 'id' | 'embedding' | 'addedAt'> {
  return { id: record.id, embedding: record.embedding, addedAt: record.addedAt };
}

/** The size of a regular file, or undefined when there is none. */
async function fileSize(file: string): Promise<number | undefined> {
  try {
    const info = await stat(file);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}

function corrupt(file: string, why: string, cause?: unknown): LabelSetError {
  return new LabelSetError('corrupt', `Label set file ${file} ${why}; it was left as it is`, { file, cause });
}
