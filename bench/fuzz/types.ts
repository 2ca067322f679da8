/**
 * What a fuzz case is, in a form that crosses a process boundary (IPC with structured clone):
 * bytes as Uint8Array, messages as JSON text (so `__proto__` stays an own key), nothing live.
 */

/** Where a case is sent. `cli` is the `mobilenet classify` command, for file paths. */
export type Surface = 'library' | 'node' | 'http' | 'cli';
export const SURFACES: readonly Surface[] = ['library', 'node', 'http', 'cli'];

/** What a correct program does with the case. */
export type Expectation = 'error' | 'ok' | 'either';

/** Placeholders a message's JSON may hold, replaced by real Buffers in the process that runs it. */
export const GOOD_PHOTO = '$GOOD_PHOTO';
export const CASE_BYTES = '$CASE_BYTES';

export type CaseInput =
  /** Encoded bytes: msg.payload, the library's classify(bytes), a raw HTTP body. */
  | { type: 'image'; bytes: Uint8Array; contentType: string }
  /** Raw pixels with geometry that may lie. */
  | { type: 'raw'; bytes: Uint8Array; width: unknown; height: unknown; channels: unknown }
  /**
   * A whole node message as JSON text ($GOOD_PHOTO / $CASE_BYTES become Buffers). The library gets
   * its payload as the image and its topK / threshold / roi (and options, when given) as options.
   */
  | { type: 'message'; json: string; bytes?: Uint8Array; libraryOptionsJson?: string }
  /** A file path given as msg.payload (node, read from its allowed folder) or to `mobilenet classify`. */
  | { type: 'file'; dir: string; name: string }
  /** A broken model: loading it must fail cleanly, and the good model must keep classifying. */
  | { type: 'model'; path: string }
  /** Broker settings for a label publisher; connecting must fail with a status, never a crash. */
  | {
      type: 'mqtt';
      url: string;
      username?: string;
      password?: string;
      keepalive?: unknown;
      protocol?: unknown;
      secret?: string;
    }
  /** An HTTP request to POST /classify as a client could send it. */
  | { type: 'http'; contentType?: string; body: Uint8Array | { repeat: number; size: number }; multipart?: boolean };

export interface FuzzCase {
  /** `<kind>#<n>` */
  id: string;
  kind: string;
  family: string;
  /** One line saying what the case is (printed with failures). */
  what: string;
  expect: Expectation;
  /** For cases that should classify: the label the photo inside must get (omitted when the edit may change it). */
  label?: string;
  surfaces: Surface[];
  input: CaseInput;
  /** HTTP only: the status a correct server answers (e.g. 413 for an over-size body). */
  httpStatus?: number;
}

/** What happened to one case on one surface. */
export type Result = 'ok' | 'error' | 'hang' | 'crash';

export interface CaseOutcome {
  result: Result;
  /** The error message a user would read, or the HTTP answer. */
  message?: string;
  /** HTTP status, when the surface is http. */
  status?: number;
  /** HTTP: the answer was a JSON object with an `error` string. */
  jsonError?: boolean;
  /** The top label, when the case classified. */
  label?: string;
  /** The good frame after the case: its top label, or why it did not classify. */
  goodLabel?: string;
  goodError?: string;
  /** The process ran out of its memory bound (counted as a crash too). */
  memoryKill?: boolean;
  uncaught?: string[];
  /** The case added properties to Object.prototype. */
  polluted?: boolean;
  /** Log lines the service printed for this case (HTTP). */
  logLines?: number;
  ms: number;
}

/** A generator family: turns the run's seed into cases of its kinds. */
export interface GeneratorContext {
  seed: number;
  casesPerKind: number;
  /** A temp dir the run owns (files, broken models); removed at the end. */
  tmpDir: string;
  /** The photos the generators start from (bytes of ../shared/images files). */
  photos: Record<string, Buffer>;
  /** Brokers the MQTT cases point at, started by the run. */
  brokers: { plainUrl: string; authUrl: string; closedPort: number };
}

export interface Family {
  name: string;
  kinds: string[];
  generate(ctx: GeneratorContext): Promise<FuzzCase[]>;
}
