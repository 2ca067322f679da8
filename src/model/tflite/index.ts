export { importTflite, type ImportedTflite, type ImportTfliteOptions } from './import-tflite';
export { TfliteFormatError, TfliteUnsupportedError } from './errors';
export { SUPPORTED_OPERATORS } from './translate-operator';
export { writeTflite, WRITER_DESCRIPTION } from './write-tflite';
export { EMBEDDING_TENSOR_NAME } from './embedding-output';
