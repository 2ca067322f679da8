/** A model file could not be fetched or failed its checks. Names the URL and, for HTTP errors, the status. */
export class DownloadError extends Error {
  override readonly name = 'DownloadError';
  constructor(
    message: string,
    readonly url: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** "fetch failed: connect ECONNREFUSED 127.0.0.1:9" rather than undici's bare "fetch failed". */
export function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const parts = [error.message];
  let cause: unknown = error.cause;
  for (let depth = 0; cause instanceof Error && depth < 3; depth++) {
    const code = (cause as { code?: unknown }).code;
    parts.push(
      typeof code === 'string' && !cause.message.includes(code) ? `${cause.message} (${code})` : cause.message,
    );
    cause = cause.cause;
  }
  return parts.join(': ');
}
