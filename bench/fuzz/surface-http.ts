import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GoodFrame } from './protocol';
import { caseBound, WARM_UP_FRAMES, type Bounds, type SurfaceRunner } from './surface';
import { spawnNode, type Watched } from './supervisor';
import type { CaseOutcome, FuzzCase } from './types';
import { sleep, within } from './within';

const START_JS = path.resolve(__dirname, '..', '..', 'app', 'start.js');

/** The good photos are a JPEG and a PNG; a client names what it sends. */
const typeOf = (bytes: Uint8Array): string => (bytes[0] === 0x89 ? 'image/png' : 'image/jpeg');

interface Answer {
  status: number;
  text: string;
  json?: { top?: { label?: string }; error?: unknown };
}

/** POST /classify of `npm start` (dist/app/start.js, as systemd runs it), with an embedded broker. */
export class HttpSurface implements SurfaceRunner {
  readonly name = 'http' as const;
  steadyMb = 0;
  restarts = 0;
  private app?: Watched;
  private peakOfEarlierLives = 0;
  private port = 0;

  constructor(
    private readonly model: string,
    private readonly workDir: string,
    private readonly ports: () => Promise<number>,
    private readonly goodFrames: GoodFrame[],
    private readonly bounds: Bounds,
  ) {}

  private async launch(): Promise<Watched> {
    this.port = await this.ports();
    const life = path.join(this.workDir, `life-${this.restarts}`);
    fs.mkdirSync(life, { recursive: true });
    const env = {
      ...process.env,
      // The embedded broker and the frames folder, whatever the caller's environment says.
      MQTT_URL: '',
      MQTT_USERNAME: '',
      MQTT_PASSWORD: '',
      CAMERA_CMD: '',
      CAMERA_URL: '',
      MOBILENET_MODEL: this.model,
      PORT: String(this.port),
      BROKER_PORT: String(await this.ports()),
      FRAMES_DIR: path.join(life, 'frames'),
      NODE_RED_USER_DIR: path.join(life, 'node-red'),
      MOBILENET_CACHE: path.join(life, 'cache'),
      MQTT_PREFIX: 'fuzz',
      HEADLESS: '1',
    };
    let up = false;
    const app = spawnNode([START_JS], this.bounds.maxOldSpaceMb, env, {
      name: 'http',
      maxRssMb: this.bounds.maxRssMb,
      onLine: (line) => (up ||= /POST http/.test(line)),
    });
    const deadline = Date.now() + this.bounds.startMs;
    while (!up) {
      if (app.exited || Date.now() > deadline) {
        await app.kill();
        throw new Error(`npm start did not come up (${app.exitDescription || 'timed out'})`);
      }
      await sleep(50);
    }
    this.app = app;
    // The model loads in the background: the first good frame waits for it.
    const deadlineReady = Date.now() + this.bounds.startMs;
    for (;;) {
      const answer = await this.post(this.goodFrames[0].bytes, typeOf(this.goodFrames[0].bytes), this.bounds.startMs);
      if ('status' in answer && answer.status === 200) break;
      if (Date.now() > deadlineReady || app.exited)
        throw new Error(`npm start never classified a good frame: ${JSON.stringify(answer)}`);
      await sleep(250);
    }
    return app;
  }

  async start(): Promise<void> {
    const app = await this.launch();
    for (let i = 0; i < WARM_UP_FRAMES; i++) {
      const good = this.goodFrames[i % this.goodFrames.length];
      const answer = await this.post(good.bytes, typeOf(good.bytes), this.bounds.startMs);
      // Without a right answer before any bad input, nothing after it would mean anything.
      if (!('status' in answer) || answer.json?.top?.label !== good.label)
        throw new Error(
          `http surface: a good frame before any case gave ${JSON.stringify(answer).slice(0, 300)}, expected ` +
            `${good.label}`,
        );
    }
    this.steadyMb = app.rssMb();
    app.resetPeak();
  }

  peakMb(): number {
    return Math.max(this.peakOfEarlierLives, this.app?.peakMb ?? 0);
  }

  private async post(
    body: Uint8Array | FormData,
    contentType: string | undefined,
    boundMs: number,
  ): Promise<Answer | { failed: string } | { timeout: true }> {
    const headers: Record<string, string> = {};
    if (contentType !== undefined && !(body instanceof FormData)) headers['content-type'] = contentType;
    const result = await within(async () => {
      const response = await fetch(`http://127.0.0.1:${this.port}/classify`, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(boundMs + 1000),
      });
      const text = await response.text();
      let json: Answer['json'];
      try {
        json = JSON.parse(text) as Answer['json'];
      } catch {
        json = undefined;
      }
      return { status: response.status, text, json };
    }, boundMs);
    if ('timeout' in result) return { timeout: true };
    if (!result.ok) {
      if (result.error.name === 'TimeoutError') return { timeout: true };
      const cause = (result.error as Error & { cause?: Error }).cause;
      return { failed: cause?.message ?? result.error.message };
    }
    return result.value;
  }

  /** The body a case sends: raw bytes, or (every other image case) a multipart upload like a browser form's. */
  private request(fuzzCase: FuzzCase): { body: Uint8Array | FormData; contentType?: string; how: string } {
    const input = fuzzCase.input;
    const asMultipart = Number(fuzzCase.id.split('#')[1]) % 2 === 1;
    if (input.type === 'image') {
      if (!asMultipart) return { body: input.bytes, contentType: input.contentType, how: 'raw body' };
      const form = new FormData();
      form.append('image', new Blob([input.bytes], { type: input.contentType }), 'frame');
      return { body: form, how: 'multipart' };
    }
    if (input.type !== 'http') throw new Error(`the http surface does not take ${input.type} cases`);
    const bytes =
      input.body instanceof Uint8Array ? input.body : Buffer.alloc(input.body.repeat * input.body.size, 0xab);
    if (input.multipart) {
      const form = new FormData();
      form.append('image', new Blob([bytes], { type: 'image/jpeg' }), 'big.jpg');
      return { body: form, how: 'multipart' };
    }
    return { body: bytes, contentType: input.contentType, how: 'raw body' };
  }

  private async restart(): Promise<void> {
    if (this.app) {
      await this.app.kill();
      this.peakOfEarlierLives = Math.max(this.peakOfEarlierLives, this.app.peakMb);
    }
    this.app = undefined;
    this.restarts++;
    const app = await this.launch();
    app.resetPeak();
  }

  async run(fuzzCase: FuzzCase, good: GoodFrame): Promise<CaseOutcome> {
    const started = performance.now();
    if (!this.app) {
      try {
        await this.restart();
      } catch (error) {
        return { result: 'crash', message: `could not restart: ${(error as Error).message}`, ms: 0 };
      }
    }
    const app = this.app as Watched;
    const linesBefore = app.lines;
    const boundMs = caseBound(fuzzCase, this.bounds);
    const { body, contentType, how } = this.request(fuzzCase);
    const answer = await this.post(body, contentType, boundMs);
    await sleep(20);
    let outcome: CaseOutcome;
    if (app.exited) {
      await sleep(100);
      outcome = { result: 'crash', message: app.exitDescription, memoryKill: app.memoryKilled, ms: 0 };
    } else if ('timeout' in answer) {
      outcome = { result: 'hang', message: `no answer within ${boundMs} ms (${how})`, ms: 0 };
    } else if ('failed' in answer) {
      outcome = {
        result: 'error',
        status: 0,
        message: `${how}: connection failed without an answer: ${answer.failed}`,
        ms: 0,
      };
    } else {
      const label = answer.json?.top?.label;
      outcome =
        answer.status === 200
          ? { result: 'ok', status: 200, label, ms: 0 }
          : {
              result: 'error',
              status: answer.status,
              jsonError: typeof answer.json?.error === 'string',
              message: `${how}: ${answer.status} ${answer.text.slice(0, 300)}`,
              ms: 0,
            };
    }
    outcome.logLines = app.lines - linesBefore;
    if (!app.exited) {
      const after = await this.post(good.bytes, typeOf(good.bytes), this.bounds.caseMs);
      if ('status' in after && after.status === 200) outcome.goodLabel = after.json?.top?.label;
      else
        outcome.goodError =
          'status' in after
            ? `${after.status} ${after.text.slice(0, 200)}`
            : 'timeout' in after
              ? 'no answer'
              : after.failed;
      // A dropped connection may be the process dying: its exit event can come a moment later.
      if ('failed' in after) await within(app.whenExited(), 1000);
    } else {
      outcome.goodError = 'the service had died';
    }
    if (app.exited && outcome.result !== 'crash') {
      // It died while answering the case or the good frame after it (a memory bomb going off late).
      await sleep(100);
      outcome = {
        ...outcome,
        result: 'crash',
        message: `${app.exitDescription} (${outcome.message ?? outcome.result})`,
        memoryKill: app.memoryKilled,
      };
    }
    outcome.uncaught = app.takeUncaught();
    outcome.ms = performance.now() - started;
    if (app.exited || outcome.result === 'hang' || outcome.goodError !== undefined) {
      await this.restart().catch((error: Error) => {
        this.app = undefined;
        outcome.message = `${outcome.message ?? ''}; restart failed: ${error.message}`;
      });
    }
    return outcome;
  }

  async stop(): Promise<void> {
    if (!this.app) return;
    this.peakOfEarlierLives = Math.max(this.peakOfEarlierLives, this.app.peakMb);
    this.app.child.kill('SIGTERM');
    await within(this.app.whenExited(), 6000);
    await this.app.kill();
  }
}
