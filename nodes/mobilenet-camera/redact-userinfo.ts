/**
 * Hides every `//user:password@` in a text as `//***@`. A camera program's own error line names
 * its input URL, login included (ffmpeg: "rtsp://admin:secret@cam/stream1: Connection refused"),
 * and that line becomes the node's error, its status and a log entry.
 */
export function redactUserinfo(text: string): string {
  return text.replace(/\/\/[^@/\s]*@/g, '//***@');
}
