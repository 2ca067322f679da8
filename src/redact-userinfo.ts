/**
 * From a `//` to the last `@` on the same line: the login of a URL, and more when in doubt.
 * A URL parser ends the login at the LAST `@` of the URL, and a password may hold `@`, `:`, `/`,
 * `#`, `%`, spaces, quotes, even `x://`: any character but a line break.
 */
const LOGIN = /\/\/[^\r\n]*@/g;

/**
 * Hides every `//user:password@` in a text as `//***@`: the one redactor for camera URLs, camera
 * command lines, program error lines and broker URLs, before they reach an error, a status or a log.
 * A camera program's own error line names its input URL, login included (ffmpeg:
 * "rtsp://admin:secret@cam/stream1: Connection refused").
 *
 * When in doubt more is hidden, never less: everything from the first `//` of a line to its last
 * `@` goes, so a second URL or an e-mail address later on the same line is hidden with the login
 * (a password holding ` "x://` cannot end its own URL early). A line break always ends a URL.
 */
export function redactUserinfo(text: string): string {
  return text.replace(LOGIN, '//***@');
}
