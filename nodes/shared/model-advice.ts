import { DownloadError } from '../../src';

/**
 * A model's load failure for a status line, cause first: "download from storage.googleapis.com
 * failed: getaddrinfo ENOTFOUND …" instead of a URL that fills the 100 characters a status shows.
 */
export function shortLoadReason(error: Error): string {
  const download = /^Download of (\S+) failed: ([\s\S]+)$/.exec(error.message);
  if (download) {
    let host = download[1];
    try {
      host = new URL(download[1]).host;
    } catch {
      // not a URL: keep it as given
    }
    // The host is already named: "getaddrinfo ENOTFOUND <host>" says only that the name did not resolve.
    const cause = download[2].replace(/^getaddrinfo (ENOTFOUND|EAI_AGAIN) \S+$/, '$1 (no DNS: no internet?)');
    return `download from ${host} failed: ${cause}`;
  }
  const notFound = /^Model "(.+?)" not found\b/.exec(error.message);
  if (notFound) return `"${notFound[1]}" not found (not a catalog name, folder, .tflite file or URL)`;
  return error.message;
}

/** Whether the model failed because a file could not be downloaded (no internet, a server down). */
export function isDownloadFailure(error: Error): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) if (e instanceof DownloadError) return true;
  return /^Download of \S+ failed/.test(error.message);
}

/** What to do when a model could not be downloaded: said wherever the failure is (log, frame errors, label set). */
export function offlineAdvice(model: string): string {
  return (
    'Without internet, choose a model on disk in the model node (a folder with model.json, or a .tflite file), ' +
    `or fill the cache once while online: npx mobilenet fetch ${model}`
  );
}

/** The failure with its advice when there is one: "<message>. Without internet, …". */
export function withAdvice(message: string, error: Error, model: string | undefined): string {
  if (!model || !isDownloadFailure(error)) return message;
  return `${message.replace(/\.?\s*$/, '')}. ${offlineAdvice(model)}`;
}
