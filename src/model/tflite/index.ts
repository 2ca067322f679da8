export { importTflite, type ImportedTflite, type ImportTfliteOptions } from './import-tflite';
export { TfliteFormatError, TfliteUnsupportedError } from './errors';
export { SUPPORTED_OPERATORS } from './translate-operator';
