/** The bytes are not a readable TFLite model: wrong identifier, truncated, or inconsistent. */
export class TfliteFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TfliteFormatError';
  }
}

/** A well-formed TFLite model uses something the importer does not translate (an op, a type, an activation). */
export class TfliteUnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TfliteUnsupportedError';
  }
}
