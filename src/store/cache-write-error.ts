import { DownloadError } from './download-error';

/** File-system failures that mean "this cache cannot take the model", with what each means. */
const CACHE_WRITE_FAILURES: Record<string, string> = {
  EACCES: 'the folder is not writable by this user',
  EPERM: 'the folder is not writable by this user',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'a model file is larger than this process may write (file size limit)',
};

function errnoCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code in CACHE_WRITE_FAILURES) return code;
  }
  return undefined;
}

/**
 * A download that failed because the model cache cannot be written, as one error that names the
 * cache folder, what is wrong with it and what to do; undefined for any other failure. A bare
 * "EACCES: permission denied, mkdtemp" names a temp folder the user never chose.
 */
export function cacheWriteError(error: unknown, url: string, cacheRoot: string): DownloadError | undefined {
  const code = errnoCode(error);
  if (code === undefined) return undefined;
  return new DownloadError(
    `Cannot save ${url} in the model cache ${cacheRoot}: ${CACHE_WRITE_FAILURES[code]} (${code}). Make room there, ` +
      `or set MOBILENET_CACHE to a writable folder with space for the model`,
    url,
    undefined,
    { cause: error },
  );
}
