/**
 * The name of the float32 subgraph output, [1, features], that the package's writer adds to every
 * file it writes: the global average pooling's output, so an engine running the file gets the
 * embedding from the same run as the scores. The reader reports its position (embeddingOutput).
 */
export const EMBEDDING_TENSOR_NAME = 'embedding';
