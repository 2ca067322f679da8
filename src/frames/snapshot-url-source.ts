import type { ClientRequest } from 'node:http';
import { BaseFrameSource } from './base-source';
import type { SnapshotUrlSourceConfig } from './frame';
import { describeUrl, destroyRequest, get, parseHttpUrl } from './http-get';
import { looksLikeCompleteJpeg } from './jpeg-check';

const DEFAULT_TIMEOUT_MS = 10000;

/**
 * Frames from a still-image URL polled every `intervalMs` (the interval counts from the start of
 * one request to the start of the next). A failed request is an error and the next poll waits
 * for the backoff delay instead.
 */
export class SnapshotUrlFrameSource extends BaseFrameSource {
  private readonly url: URL;
  private req: ClientRequest | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(override readonly config: SnapshotUrlSourceConfig) {
    super(config);
    this.url = parseHttpUrl(config.url, 'snapshot-url url');
  }

  protected open(run: number): void {
    this.poll(run);
  }

  protected async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const req = this.req;
    this.req = undefined;
    if (req) await destroyRequest(req);
  }

  private poll(run: number): void {
    this.timer = undefined;
    if (!this.isCurrent(run)) return;
    const began = Date.now();
    void this.fetchOnce()
      .then((jpeg) => {
        if (!this.isCurrent(run)) return;
        this.accept(run, jpeg);
        const wait = Math.max(0, this.config.intervalMs - (Date.now() - began));
        this.timer = setTimeout(() => this.poll(run), wait);
      })
      .catch((err: Error) => this.fail(run, err));
  }

  private fetchOnce(): Promise<Buffer> {
    const where = describeUrl(this.url);
    const timeoutMs = this.config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise<Buffer>((resolve, reject) => {
      const req = get(this.url, 'image/jpeg', (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(
            new Error(`snapshot ${where} answered HTTP ${String(res.statusCode)} ${res.statusMessage ?? ''}`.trim()),
          );
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxFrameBytes) {
            this.countInvalid();
            req.destroy(new Error(`snapshot ${where} is larger than maxFrameBytes (${this.maxFrameBytes})`));
            return;
          }
          chunks.push(chunk);
        });
        res.once('end', () => {
          const body = Buffer.concat(chunks, size);
          if (!looksLikeCompleteJpeg(body)) {
            this.countInvalid();
            reject(
              new Error(
                `snapshot ${where} is not a complete JPEG (content-type ${res.headers['content-type'] ?? 'unknown'}, ` +
                  `${size} bytes)`,
              ),
            );
            return;
          }
          resolve(body);
        });
        res.once('error', reject);
        // Closed before 'end' (connection reset mid-body); a no-op once the promise settled.
        res.once('close', () => reject(new Error(`snapshot ${where} connection closed before the image was complete`)));
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`snapshot ${where} timed out after ${timeoutMs} ms`)));
      req.once('error', reject);
      req.once('close', () => {
        if (this.req === req) this.req = undefined;
      });
      this.req = req;
    });
  }
}
