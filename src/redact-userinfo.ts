/**
 * Where the URL after a `//` may end at the latest: a line break, or the start of another URL
 * (a `scheme://` that begins a word, so a password holding `x://` does not end its own URL).
 */
const URL_REGION_END = /[\r\n]|(?<=[\s"'=<>(,;[{])[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * Hides every `//user:password@` in a text as `//***@`. A camera program's own error line names
 * its input URL, login included (ffmpeg: "rtsp://admin:secret@cam/stream1: Connection refused"),
 * and that line becomes the node's error, its status and a log entry.
 *
 * The login ends at the LAST `@` of the URL, as URL parsers read it: a password may hold `@`, `:`,
 * `/`, `#`, `%`, spaces or any other character except a line break, and all of it is hidden. When in
 * doubt more is hidden, never less: an `@` later on the same line (before another URL starts) is
 * taken for the end of the login, so its host and path are hidden with it.
 */
export function redactUserinfo(text: string): string {
  let result = '';
  let from = 0;
  for (;;) {
    const start = text.indexOf('//', from);
    if (start < 0) break;
    const afterSlashes = start + 2;
    const rest = text.slice(afterSlashes);
    const end = rest.search(URL_REGION_END);
    const region = end < 0 ? rest : rest.slice(0, end);
    const at = region.lastIndexOf('@');
    if (at < 0) {
      result += text.slice(from, afterSlashes);
      from = afterSlashes;
      continue;
    }
    result += `${text.slice(from, start)}//***@`;
    from = afterSlashes + at + 1;
  }
  return result + text.slice(from);
}
