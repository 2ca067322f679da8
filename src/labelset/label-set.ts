import { randomBytes } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import * as path from 'node:path';
import { removeStaleTempFiles, syncFolder } from './atomic-file';
import {
  EXAMPLES_FOLDER,
  LABELSET_FILE,
  LABELSET_FORMAT_VERSION,
  type LabelSetDocument,
  type LabelSetModel,
  parseDocument,
  type StoredExample,
  thumbnailPathFor,
} from './document';
import { LabelSetError } from './errors';
import {
  applyJournal,
  appendRecord,
  COMPACT_AFTER_RECORDS,
  JOURNAL_FILE,
  journalHeader,
  newJournalId,
  readJournal,
} from './journal';
import { checkNewLabel, LABELSET_LIMITS } from './limits';
import { type MatchClass, type MatchOptions, type MatchResult, matchClasses, resolveMatchOptions } from './matcher';
import {
  checkFolderName,
  checkModelOptions,
  checkSameModel,
  describeModel,
  type LabelSetModelOptions,
  sameModel,
} from './model-check';
import { type LabelSetExport, readExport } from './set-export';
import { folderExists, mkdirOrFail, readBounded, readThumbnailFile, writeNewOrFail, writeOrFail } from './set-files';
import { checkThumbnail } from './thumbnail-check';
import { decodeEmbedding, encodeEmbedding, normalizedMean, toUnitVector } from './vectors';

export type { LabelSetExport } from './set-export';
export type { LabelSetModelOptions } from './model-check';

/** How `LabelSet.open` opens a folder: the model it must match, and whether to create a new set. */
export interface OpenLabelSetOptions extends LabelSetModelOptions {
  /** Start a new, empty set when the folder (or its `labelset.json`) does not exist yet. */
  create?: boolean;
  /** Name of a new set; default the folder's name. */
  name?: string;
}

/** How an exported set is imported: the model it must match, and whether to replace one in the folder. */
export interface ImportLabelSetOptions extends LabelSetModelOptions {
  /** Replace a set already in the folder (default: refuse with `exists`). */
  replace?: boolean;
}

/** One example as `classes()` lists it. */
export interface ExampleSummary {
  id: string;
  /** Absolute path of the example's JPEG crop. */
  thumbnail: string;
  addedAt: string;
}

/** One class as `classes()` lists it. */
export interface ClassSummary {
  label: string;
  count: number;
  examples: ExampleSummary[];
}

/** Computes an embedding from an example's stored JPEG crop, e.g. `(jpeg) => classifier.embed(jpeg)`. */
export type EmbedFunction = (jpeg: Buffer) => Promise<Float32Array>;

interface Example {
  id: string;
  vector: Float32Array;
  /** The stored base64 text, kept so a rewrite does not re-encode every embedding. */
  encoded: string;
  addedAt: string;
}

type Classes = Map<string, Example[]>;

/**
 * A named set of classes taught by example, kept in a folder as `labelset.json` + `examples.jsonl` (the adds
 * since the last compaction, one JSON line each: see journal.ts) + `examples/<id>.jpg`. Every change is
 * durable before the promise resolves, so a crash or kill never loses an example whose `add` had resolved, and
 * a change takes effect on the very next `match`. An add appends one line, so its cost does not grow with the
 * set. Changes are applied one at a time in call order. One process should own a folder at a time.
 */
export class LabelSet {
  /** The set's folder (absolute). */
  readonly folder: string;
  /** The set's `labelset.json` (absolute). */
  readonly file: string;

  private classMap: Classes;
  private storedModel: LabelSetModel;
  private readonly targetModel: LabelSetModel;
  private setName: string;
  private prototypes = new Map<string, Float32Array>();
  private pending: Promise<unknown> = Promise.resolve();
  private readonly journalFile: string;
  /** The id of the journal adds are appended to; undefined until one is started (on the first add). */
  private journalId: string | undefined;
  /** Adds in that journal. */
  private journalRecords = 0;
  /** The journal id `labelset.json` names as already contained (that file's lines are never replayed). */
  private absorbedJournal: string | undefined;
  /** Set when an append failed part-way: the journal may end in a torn line, so the next change compacts. */
  private journalBroken = false;

  private constructor(
    folder: string,
    document: LabelSetDocument,
    target: LabelSetModel,
    journal: { id: string | undefined; records: number },
  ) {
    this.folder = folder;
    this.file = path.join(folder, LABELSET_FILE);
    this.journalFile = path.join(folder, JOURNAL_FILE);
    this.journalId = journal.id;
    this.journalRecords = journal.records;
    this.absorbedJournal = document.journal;
    this.setName = document.name;
    this.storedModel = document.model;
    this.targetModel = target;
    this.classMap = fromDocument(document);
  }

  /**
   * Opens the set in `dir` for the model described by `options`. Refuses (with a `LabelSetError`) a folder
   * or file that does not exist unless `create`, a `labelset.json` that cannot be read as a set (`corrupt`,
   * naming the file; it is not touched), and a set taught with another model (`model-mismatch`).
   */
  static async open(dir: string, options: OpenLabelSetOptions): Promise<LabelSet> {
    const target = checkModelOptions(options);
    const folder = checkFolderName(dir);
    const file = path.join(folder, LABELSET_FILE);
    const exists = await folderExists(folder);
    if (!exists && options.create !== true) {
      throw new LabelSetError(
        'missing',
        `Label set folder ${folder} does not exist (create: true starts a new set there)`,
        {
          file: folder,
        },
      );
    }
    let text = exists ? await readBounded(file) : undefined;
    if (text === undefined) {
      if (options.create !== true) {
        throw new LabelSetError(
          'missing',
          `Label set folder ${folder} holds no ${LABELSET_FILE} (create: true starts a new set)`,
          {
            file,
          },
        );
      }
      const document: LabelSetDocument = {
        version: LABELSET_FORMAT_VERSION,
        name: options.name ?? path.basename(folder),
        model: target,
        classes: {},
      };
      await mkdirOrFail(path.join(folder, EXAMPLES_FOLDER));
      await writeOrFail(file, serialise(document));
      text = serialise(document);
    }
    const stored = parseDocument(text, file);
    checkSameModel(stored.model, target, file, options.allowModelChange === true);
    const journalFile = path.join(folder, JOURNAL_FILE);
    const journal = await readJournal(journalFile, stored.model.embeddingSize);
    // A journal labelset.json already holds (or one cut short before its header) adds nothing.
    const live = journal?.id !== undefined && journal.id !== stored.journal ? journal : undefined;
    const document = live === undefined ? stored : await applyJournal(stored, live, folder, journalFile);
    await removeStaleTempFiles(folder);
    await removeStaleTempFiles(path.join(folder, EXAMPLES_FOLDER));
    const set = new LabelSet(folder, document, target, { id: live?.id, records: live?.records.length ?? 0 });
    // A torn last line must not be appended to: fold the journal into labelset.json and start a new one.
    if (live?.torn === true) await set.writeCompacted(set.classMap, set.storedModel);
    return set;
  }

  /**
   * Writes an exported set (`export()`'s object, or its JSON text) into `dir` and opens it. Refuses a folder
   * that already holds a set unless `replace`, and a set from another model unless `allowModelChange`.
   */
  static async import(
    dir: string,
    exported: LabelSetExport | string | Buffer,
    options: ImportLabelSetOptions,
  ): Promise<LabelSet> {
    const target = checkModelOptions(options);
    const folder = checkFolderName(dir);
    const what = 'The imported label set';
    const { document, thumbnails } = readExport(exported, what);
    checkSameModel(document.model, target, what, options.allowModelChange === true);
    const file = path.join(folder, LABELSET_FILE);
    const previous = (await folderExists(folder)) ? await readBounded(file) : undefined;
    if (previous !== undefined && options.replace !== true) {
      throw new LabelSetError(
        'exists',
        `Label set folder ${folder} already holds a set (replace: true overwrites it)`,
        { file },
      );
    }
    const examplesFolder = path.join(folder, EXAMPLES_FOLDER);
    await mkdirOrFail(examplesFolder);
    for (const [id, jpeg] of thumbnails) await writeOrFail(path.join(examplesFolder, `${id}.jpg`), jpeg);
    // The replaced set's journal must not be replayed onto the imported one: name it as already contained.
    const oldJournal = await readJournalIdLeniently(path.join(folder, JOURNAL_FILE));
    const { journal: _ignored, ...imported } = document;
    await writeOrFail(file, serialise(oldJournal === undefined ? imported : { ...imported, journal: oldJournal }));
    if (previous !== undefined) {
      // Crops of the replaced set that the new one does not use; only after the new file is in place.
      const old = safeParse(previous, file);
      if (old !== undefined) {
        for (const example of Object.values(old.classes).flat()) {
          if (!thumbnails.has(example.id))
            await unlink(path.join(examplesFolder, `${example.id}.jpg`)).catch(() => undefined);
        }
      }
    }
    return LabelSet.open(folder, options);
  }

  /** The set's name. */
  get name(): string {
    return this.setName;
  }

  /** The model the stored embeddings were computed with. */
  get model(): Readonly<LabelSetModel> {
    return { ...this.storedModel };
  }

  /** True when the set was opened with `allowModelChange` for another model and awaits `reembed()`. */
  get needsReembed(): boolean {
    return !sameModel(this.storedModel, this.targetModel);
  }

  /** Examples in the whole set. */
  get exampleCount(): number {
    let count = 0;
    for (const examples of this.classMap.values()) count += examples.length;
    return count;
  }

  /** Labels in the order they were first taught. */
  labels(): string[] {
    return [...this.classMap.keys()];
  }

  /** Every class with its count and examples (id, thumbnail path, time taught). */
  classes(): ClassSummary[] {
    return [...this.classMap].map(([label, examples]) => ({
      label,
      count: examples.length,
      examples: examples.map((e) => ({ id: e.id, thumbnail: this.thumbnailFile(e.id), addedAt: e.addedAt })),
    }));
  }

  /** The stored JPEG crop of an example. */
  async thumbnail(id: string): Promise<Buffer> {
    this.findExample(id);
    return readThumbnailFile(this.thumbnailFile(id));
  }

  /**
   * Teaches one example: `embedding` from `classifier.embed` (or `classify(…, {embedding: true})`) with this
   * set's model, `thumbnailJpeg` the crop it was computed from (see `makeThumbnail`). Resolves to the new
   * example's id once it is on disk.
   */
  add(label: string, embedding: Float32Array, thumbnailJpeg: Buffer | Uint8Array): Promise<string> {
    return this.exclusive(async () => {
      checkNewLabel(label);
      this.refuseUntilReembedded('add examples to');
      const vector = toUnitVector(embedding, this.storedModel.embeddingSize);
      const jpeg = checkThumbnail(thumbnailJpeg, 'thumbnail');
      const existing = this.classMap.get(label);
      if (existing === undefined && this.classMap.size >= LABELSET_LIMITS.maxClasses) {
        throw limit(
          `the label set ${this.folder} already has ${LABELSET_LIMITS.maxClasses} classes, the most one set can hold`,
        );
      }
      if (existing !== undefined && existing.length >= LABELSET_LIMITS.maxExamplesPerClass) {
        throw limit(
          `class "${label}" already has ${LABELSET_LIMITS.maxExamplesPerClass} examples, the most one class can hold ` +
            '(a few dozen varied examples are plenty: remove old ones with removeExample)',
        );
      }
      if (this.exampleCount >= LABELSET_LIMITS.maxExamples) {
        throw limit(
          `the label set ${this.folder} already has ${LABELSET_LIMITS.maxExamples} examples, the most one set can hold`,
        );
      }
      const id = randomBytes(8).toString('hex');
      const example: Example = { id, vector, encoded: encodeEmbedding(vector), addedAt: new Date().toISOString() };
      await mkdirOrFail(path.join(this.folder, EXAMPLES_FOLDER));
      if (this.journalBroken) await this.writeCompacted(this.classMap, this.storedModel);
      if (this.journalId === undefined) await this.startJournal();
      const next = copyClasses(this.classMap);
      next.set(label, [...(existing ?? []), example]);
      // The crop and the journal line are written at once; a line whose crop is missing or shorter than the line
      // says is ignored on open. Each is fsynced once: teaching waits for the slower of the two, not for both.
      const record = { label, id, embedding: example.encoded, addedAt: example.addedAt, bytes: jpeg.length };
      const [crop, line] = await Promise.allSettled([
        writeNewOrFail(this.thumbnailFile(id), jpeg),
        appendRecord(this.journalFile, record).catch((error) => {
          this.journalBroken = true;
          throw new LabelSetError(
            'io',
            `Cannot append to ${this.journalFile}; the label set is unchanged: ${(error as Error).message}`,
            { file: this.journalFile, cause: error },
          );
        }),
      ]);
      if (crop.status === 'rejected' || line.status === 'rejected') {
        await unlink(this.thumbnailFile(id)).catch(() => undefined);
        throw crop.status === 'rejected' ? crop.reason : (line as PromiseRejectedResult).reason;
      }
      this.classMap = next;
      this.prototypes.delete(label);
      this.journalRecords++;
      if (this.journalRecords >= COMPACT_AFTER_RECORDS) {
        // The example is durable already; a failed compaction only leaves a longer journal.
        await this.writeCompacted(this.classMap, this.storedModel).catch(() => undefined);
      }
      return id;
    });
  }

  /** Forgets a class and all its examples; resolves to how many examples were removed. */
  forget(label: string): Promise<number> {
    return this.exclusive(async () => {
      const examples = this.requireClass(label);
      const next = copyClasses(this.classMap);
      next.delete(label);
      await this.commit(next);
      await this.removeThumbnails(examples);
      return examples.length;
    });
  }

  /** Removes one example; resolves to the label it was taught as. The class goes when its last example does. */
  removeExample(id: string): Promise<string> {
    return this.exclusive(async () => {
      const { label, example } = this.findExample(id);
      const next = copyClasses(this.classMap);
      const rest = (next.get(label) ?? []).filter((e) => e !== example);
      if (rest.length === 0) next.delete(label);
      else next.set(label, rest);
      await this.commit(next);
      await this.removeThumbnails([example]);
      return label;
    });
  }

  /**
   * Moves one example to class `to` (an example taught under the wrong label), creating the class when it is new
   * (within the limits); the class it leaves goes when it was its last example. Resolves to the label it had.
   */
  moveExample(id: string, to: string): Promise<string> {
    return this.exclusive(async () => {
      const { label, example } = this.findExample(id);
      checkNewLabel(to, 'new label');
      if (label === to) return label;
      const target = this.classMap.get(to);
      const emptied = this.classMap.get(label)?.length === 1;
      if (target === undefined && !emptied && this.classMap.size >= LABELSET_LIMITS.maxClasses) {
        throw limit(
          `the label set ${this.folder} already has ${LABELSET_LIMITS.maxClasses} classes, the most one set can hold`,
        );
      }
      if (target !== undefined && target.length >= LABELSET_LIMITS.maxExamplesPerClass) {
        throw limit(
          `class "${to}" already has ${LABELSET_LIMITS.maxExamplesPerClass} examples, the most one class can hold`,
        );
      }
      const next = copyClasses(this.classMap);
      const rest = (next.get(label) ?? []).filter((e) => e !== example);
      if (rest.length === 0) next.delete(label);
      else next.set(label, rest);
      next.set(to, [...(target ?? []), example]);
      await this.commit(next);
      return label;
    });
  }

  /**
   * Renames class `from` to `to`; when `to` exists already the examples join it (within the per-class limit).
   * Resolves to how many examples moved.
   */
  relabel(from: string, to: string): Promise<number> {
    return this.exclusive(async () => {
      const moving = this.requireClass(from);
      checkNewLabel(to, 'new label');
      if (from === to) return 0;
      const joined = [...(this.classMap.get(to) ?? []), ...moving];
      if (joined.length > LABELSET_LIMITS.maxExamplesPerClass) {
        throw limit(
          `relabelling "${from}" as "${to}" would give "${to}" ${joined.length} examples, ` +
            `more than ${LABELSET_LIMITS.maxExamplesPerClass}`,
        );
      }
      const next: Classes = new Map();
      // The renamed class keeps its place in the order of classes.
      for (const [label, examples] of this.classMap) {
        if (label === from) next.set(to, joined);
        else if (label !== to) next.set(label, examples);
      }
      await this.commit(next);
      return moving.length;
    });
  }

  /**
   * Re-computes every example's embedding from its stored crop with `embed` (the new model), then stores the
   * set as taught with the model this set was opened for. All or nothing: if one crop fails, nothing changes.
   * Resolves to the number of examples re-embedded.
   */
  reembed(embed: EmbedFunction): Promise<number> {
    return this.exclusive(async () => {
      if (typeof embed !== 'function')
        throw new LabelSetError('bad-option', 'reembed needs a function (jpeg) => Promise<Float32Array>');
      const next: Classes = new Map();
      let count = 0;
      for (const [label, examples] of this.classMap) {
        const redone: Example[] = [];
        for (const example of examples) {
          const jpeg = await readThumbnailFile(this.thumbnailFile(example.id));
          const vector = toUnitVector(
            await embed(jpeg),
            this.targetModel.embeddingSize,
            `the new embedding of example ${example.id}`,
          );
          redone.push({ ...example, vector, encoded: encodeEmbedding(vector) });
          count++;
        }
        next.set(label, redone);
      }
      await this.commit(next, this.targetModel);
      return count;
    });
  }

  /**
   * Folds the adds journaled in `examples.jsonl` into `labelset.json` now (it happens on its own every
   * `COMPACT_AFTER_RECORDS` adds and on every other change), e.g. before the folder is copied by hand.
   */
  compact(): Promise<void> {
    return this.exclusive(() => this.writeCompacted(this.classMap, this.storedModel));
  }

  /**
   * Classifies an embedding against the taught classes. Options default to `DEFAULT_MATCH_OPTIONS`, chosen
   * from measurements; `unknown` (with `known: false`) when the best score is low or close to the second.
   */
  match(embedding: Float32Array, options: MatchOptions = {}): MatchResult {
    const resolved = resolveMatchOptions(options);
    this.refuseUntilReembedded('match with');
    const query = toUnitVector(embedding, this.storedModel.embeddingSize);
    const classes: MatchClass[] = [...this.classMap].map(([label, examples]) => ({
      label,
      examples: examples.map((e) => e.vector),
      prototype: () => this.prototypeOf(label, examples),
    }));
    return matchClasses(query, classes, resolved);
  }

  /** The whole set as one JSON-able object (thumbnails as base64), for `LabelSet.import`. */
  async export(): Promise<LabelSetExport> {
    const thumbnails: Record<string, string> = {};
    for (const examples of this.classMap.values()) {
      for (const example of examples) thumbnails[example.id] = (await this.thumbnail(example.id)).toString('base64');
    }
    return { ...this.document(this.classMap, this.storedModel), thumbnails };
  }

  private prototypeOf(label: string, examples: readonly Example[]): Float32Array {
    let prototype = this.prototypes.get(label);
    if (prototype === undefined) {
      prototype = normalizedMean(examples.map((e) => e.vector));
      this.prototypes.set(label, prototype);
    }
    return prototype;
  }

  /** Writes the next state, then makes it the current one (so a failed write changes nothing in memory). */
  private async commit(next: Classes, model: LabelSetModel = this.storedModel): Promise<void> {
    await this.writeCompacted(next, model);
    this.classMap = next;
    this.storedModel = model;
    this.prototypes = new Map();
  }

  /**
   * Writes the whole set to `labelset.json`, naming the current journal as contained in it, then starts a new,
   * empty journal. A crash in between leaves a file that holds every add and a journal it says to skip.
   */
  private async writeCompacted(classes: Classes, model: LabelSetModel): Promise<void> {
    const contained = this.journalId ?? this.absorbedJournal;
    const document = this.document(classes, model);
    await writeOrFail(this.file, serialise(contained === undefined ? document : { ...document, journal: contained }));
    this.absorbedJournal = contained;
    this.journalId = undefined;
    this.journalRecords = 0;
    this.journalBroken = false;
    // labelset.json holds everything now; if the new journal cannot be started, the next add tries again.
    await this.startJournal().catch(() => undefined);
  }

  private async startJournal(): Promise<void> {
    const id = newJournalId();
    await writeOrFail(this.journalFile, journalHeader(id));
    this.journalId = id;
    this.journalRecords = 0;
  }

  private document(classes: Classes, model: LabelSetModel): LabelSetDocument {
    const stored: Record<string, StoredExample[]> = {};
    for (const [label, examples] of classes) {
      stored[label] = examples.map((e) => ({
        id: e.id,
        embedding: e.encoded,
        thumbnail: thumbnailPathFor(e.id),
        addedAt: e.addedAt,
      }));
    }
    return { version: LABELSET_FORMAT_VERSION, name: this.setName, model, classes: stored };
  }

  private async removeThumbnails(examples: readonly Example[]): Promise<void> {
    // After the set file no longer names them: a crash here leaves unused crops, never a set naming lost ones.
    for (const example of examples) await unlink(this.thumbnailFile(example.id)).catch(() => undefined);
    await syncFolder(path.join(this.folder, EXAMPLES_FOLDER));
  }

  private thumbnailFile(id: string): string {
    return path.join(this.folder, EXAMPLES_FOLDER, `${id}.jpg`);
  }

  private requireClass(label: string): Example[] {
    const examples = typeof label === 'string' ? this.classMap.get(label) : undefined;
    if (examples === undefined) {
      const known = this.labels();
      throw new LabelSetError(
        'not-found',
        `The label set ${this.folder} has no class ${JSON.stringify(label)} ` +
          `(it has: ${known.length > 0 ? known.join(', ') : 'none'})`,
      );
    }
    return examples;
  }

  private findExample(id: string): { label: string; example: Example } {
    for (const [label, examples] of this.classMap) {
      const example = examples.find((e) => e.id === id);
      if (example !== undefined) return { label, example };
    }
    throw new LabelSetError('not-found', `The label set ${this.folder} has no example ${JSON.stringify(id)}`);
  }

  private refuseUntilReembedded(action: string): void {
    if (this.needsReembed) {
      throw new LabelSetError(
        'model-mismatch',
        `Cannot ${action} the label set ${this.file} before reembed(): ` +
          `it was taught with ${describeModel(this.storedModel)}, ` +
          `not ${describeModel(this.targetModel)}`,
        { file: this.file },
      );
    }
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.pending.then(task, task);
    this.pending = run.catch(() => undefined);
    return run;
  }
}

function fromDocument(document: LabelSetDocument): Classes {
  const classes: Classes = new Map();
  for (const [label, examples] of Object.entries(document.classes)) {
    classes.set(
      label,
      examples.map((e) => ({
        id: e.id,
        // checkDocument has decoded each embedding once already; this cannot be undefined.
        vector: decodeEmbedding(e.embedding, document.model.embeddingSize) as Float32Array,
        encoded: e.embedding,
        addedAt: e.addedAt,
      })),
    );
  }
  return classes;
}

/** The id in a journal's header, or undefined when there is no readable one. */
async function readJournalIdLeniently(file: string): Promise<string | undefined> {
  const text = await readBounded(file).catch(() => undefined);
  const match = text === undefined ? null : /^\{"journal":"([0-9a-f]{16})"\}\n/.exec(text);
  return match === null ? undefined : match[1];
}

function copyClasses(classes: Classes): Classes {
  return new Map(classes);
}

function serialise(document: LabelSetDocument): string {
  return `${JSON.stringify(document, null, 1)}\n`;
}

function safeParse(text: string, file: string): LabelSetDocument | undefined {
  try {
    return parseDocument(text, file);
  } catch {
    return undefined;
  }
}

function limit(message: string): LabelSetError {
  return new LabelSetError('limit', `Label set limit: ${message}`);
}
