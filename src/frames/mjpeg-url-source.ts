import type { ClientRequest } from 'node:http';
import { BaseFrameSource } from './base-source';
import type { MjpegUrlSourceConfig } from './frame';
import { describeUrl, destroyRequest, get, parseHttpUrl } from './http-get';
import { JpegSplitter, type FrameSplitter } from './jpeg-splitter';
import { boundaryFromContentType, MultipartJpegSplitter } from './multipart-splitter';

const DEFAULT_STALL_TIMEOUT_MS = 10000;

/**
 * Frames from an HTTP(S) MJPEG stream (`multipart/x-mixed-replace`, as ESP32-CAM and IP cameras
 * serve it). A stream that ends, errors or goes silent for `stallTimeoutMs` is reopened with
 * backoff.
 */
export class MjpegUrlFrameSource extends BaseFrameSource {
  private readonly url: URL;
  private req: ClientRequest | undefined;

  constructor(override readonly config: MjpegUrlSourceConfig) {
    super(config);
    this.url = parseHttpUrl(config.url, 'mjpeg-url url');
  }

  protected open(run: number): void {
    const where = describeUrl(this.url);
    const stallMs = this.config.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    const req = get(this.url, 'multipart/x-mixed-replace, image/jpeg', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        this.fail(
          run,
          new Error(`MJPEG stream ${where} answered HTTP ${String(res.statusCode)} ${res.statusMessage ?? ''}`.trim()),
        );
        return;
      }
      const boundary = boundaryFromContentType(res.headers['content-type']);
      // Without a declared boundary the body is taken as bare concatenated JPEGs.
      const splitter: FrameSplitter = boundary
        ? new MultipartJpegSplitter(boundary, this.maxFrameBytes)
        : new JpegSplitter(this.maxFrameBytes);
      res.on('data', (chunk: Buffer) => this.feed(run, splitter, chunk));
      res.once('end', () => this.fail(run, new Error(`MJPEG stream ${where} ended`)));
      res.once('error', (err) => this.fail(run, new Error(`MJPEG stream ${where} broke: ${err.message}`)));
      // A reset connection may close the response without 'end' or 'error'.
      res.once('close', () => this.fail(run, new Error(`MJPEG stream ${where} closed`)));
    });
    req.setTimeout(stallMs, () => req.destroy(new Error(`no data for ${stallMs} ms`)));
    req.once('error', (err) => this.fail(run, new Error(`cannot read MJPEG stream ${where}: ${err.message}`)));
    this.req = req;
  }

  protected async close(): Promise<void> {
    const req = this.req;
    this.req = undefined;
    if (req) await destroyRequest(req);
  }
}
