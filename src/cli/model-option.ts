import { Classifier, type ClassifierOptions } from '../runner/classifier';
import { downloadProgressPrinter, type ProgressPrinter } from './download-progress';

/** The model used when none is named: $MOBILENET_MODEL, else the smallest catalog MobileNet. */
export function defaultModel(): string {
  return process.env.MOBILENET_MODEL || 'mobilenet_v1_0.25_224';
}

/**
 * Loads a model, showing a download's progress on stderr (stdout stays machine-readable): a bar on
 * a terminal, plain lines in a log; the display ends when the load does, whichever way.
 */
export async function loadWithProgress(options: ClassifierOptions): Promise<Classifier> {
  const printer = downloadProgressPrinter(process.stderr, 'downloading');
  try {
    return await Classifier.load({ ...options, onProgress: printer.onProgress });
  } finally {
    printer.finish();
  }
}

/** A download's progress on stderr for callers that fetch a model themselves; call finish() when done. */
export function progressPrinter(): ProgressPrinter {
  return downloadProgressPrinter(process.stderr, 'downloading');
}
