import { DownloadError } from './download-error';

/** A URL as it may appear in messages and logs: any user name or password removed. */
export function displayUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : new URL(url.href);
  } catch {
    // Not parseable: still never echo what looks like credentials before an '@'.
    return String(url).replace(/\/\/[^/@]*@/, '//');
  }
  parsed.username = '';
  parsed.password = '';
  return parsed.href;
}

/**
 * A URL the user asked for: http: or https: only (http only because the user typed it: the catalog is
 * all https), and no credentials, which would be sent in the clear on an http hop and copied into logs.
 */
export function checkRequestedUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DownloadError(
      `Cannot download "${displayUrl(url)}": not a valid URL (expected an http:// or https:// URL)`,
      displayUrl(url),
    );
  }
  const shown = displayUrl(parsed);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new DownloadError(
      `Cannot download "${shown}": protocol ${parsed.protocol} is not supported (valid: http:, https:)`,
      shown,
    );
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new DownloadError(
      `Cannot download "${shown}": URLs with a user name or password are not supported (the credentials would travel ` +
        `with every file and redirect)`,
      shown,
    );
  }
  return parsed;
}

/**
 * Where a redirect from `from` may lead: http(s) only, never from https down to http (that would hand
 * the model to anyone on the path), never with credentials. An http URL the user gave may move to https.
 */
export function checkRedirect(from: URL, location: string | undefined, requested: URL): URL {
  const where = displayUrl(from);
  if (location === undefined || location.trim() === '') {
    throw new DownloadError(
      `Download of ${displayUrl(requested)} failed: ${where} answered a redirect without a Location`,
      displayUrl(requested),
    );
  }
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new DownloadError(
      `Download of ${displayUrl(requested)} failed: ${where} redirected to an invalid URL`,
      displayUrl(requested),
    );
  }
  const target = displayUrl(next);
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw new DownloadError(
      `Download of ${displayUrl(requested)} refused: ${where} redirected to ${target}, protocol ${next.protocol} ` +
        `(valid: http:, https:)`,
      displayUrl(requested),
    );
  }
  if (from.protocol === 'https:' && next.protocol === 'http:') {
    throw new DownloadError(
      `Download of ${displayUrl(requested)} refused: ${where} redirected to ${target}; a redirect from https to ` +
        `plain http is never followed`,
      displayUrl(requested),
    );
  }
  if (next.username !== '' || next.password !== '') {
    throw new DownloadError(
      `Download of ${displayUrl(requested)} refused: ${where} redirected to a URL with a user name or password ` +
        `(${target})`,
      displayUrl(requested),
    );
  }
  return next;
}
