/**
 * Whatever was thrown or rejected, as an Error: JavaScript lets code throw strings, numbers and
 * plain objects, but `done(err)`, `cause` and `.message` all want an Error. An Error passes
 * through untouched (its class, code and stack kept); anything else becomes `new Error(String(x))`.
 */
export function toError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}
