import type { DownloadProgress } from '../store/download';

/** The model used when none is named: $MOBILENET_MODEL, else the smallest catalog MobileNet. */
export function defaultModel(): string {
  return process.env.MOBILENET_MODEL || 'mobilenet_v1_0.25_224';
}

/** Download progress on stderr, so stdout stays machine-readable. */
export function progressReporter(): (progress: DownloadProgress) => void {
  let lastFile = '';
  return (progress) => {
    if (progress.file !== lastFile && progress.filesDone < progress.filesTotal) {
      lastFile = progress.file;
      process.stderr.write(`downloading ${progress.file} (${progress.filesDone + 1}/${progress.filesTotal})\n`);
    }
  };
}
