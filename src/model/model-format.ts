/** How a model's files are laid out: a TF.js layers or graph model (model.json + shards), or one .tflite file. */
export type ModelFormat = 'layers' | 'graph' | 'tflite';
