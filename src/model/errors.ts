/** A model could not be found, read or understood. The message names the file and the problem. */
export class ModelLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelLoadError';
  }
}

/** A layers topology holds something the fused-graph reader does not translate. */
export class GraphConversionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GraphConversionError';
  }
}
