import { DownloadMeter, formatDownloadBar, formatDownloadLine, ProgressLineSchedule } from '../store/download-meter';
import type { DownloadProgress } from '../store/download';

/** How often a terminal's progress bar is redrawn: often enough to look live, rarely enough to cost nothing. */
const REDRAW_MS = 100;

export interface ProgressPrinter {
  onProgress(progress: DownloadProgress): void;
  /** Ends the display: the bar's last state on its own line (a terminal), or the final line (a log). */
  finish(): void;
}

/**
 * A model download's progress on `stream` (stderr, so stdout stays machine-readable): on a
 * terminal one bar redrawn in place with bytes, rate and time left; elsewhere (a pipe, a log)
 * plain lines, every 10% or 10 s.
 */
export function downloadProgressPrinter(stream: NodeJS.WriteStream, what: string): ProgressPrinter {
  const meter = new DownloadMeter();
  const schedule = new ProgressLineSchedule();
  let last: ReturnType<DownloadMeter['update']> | undefined;
  let drawnAt = 0;
  let drew = false;
  let printedLast = false;
  let finished = false;
  const draw = (): void => {
    if (!last) return;
    stream.write(`\r\x1b[K${what} ${formatDownloadBar(last)}`);
    drew = true;
    drawnAt = Date.now();
  };
  const finish = (): void => {
    if (!last || finished) return;
    finished = true;
    if (stream.isTTY) {
      draw();
      if (drew) stream.write('\n');
    } else if (!printedLast) {
      stream.write(`${what}: ${formatDownloadLine(last)}\n`);
    }
  };
  return {
    finish,
    onProgress(progress) {
      if (finished) return;
      last = meter.update(progress);
      if (stream.isTTY) {
        if (Date.now() - drawnAt >= REDRAW_MS || last.percent === 100) draw();
      } else if (schedule.due(last)) {
        stream.write(`${what}: ${formatDownloadLine(last)}\n`);
        printedLast = true;
      } else {
        printedLast = false;
      }
    },
  };
}
