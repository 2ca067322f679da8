/**
 * The gate in front of the label endpoints of `npm start` (POST /teach, GET /labels, DELETE
 * /labels/<label>, GET /labels/review). Teaching changes what the classifier answers, and the
 * thumbnails are crops of the user's camera: no page of another site may reach them, a
 * DNS-rebinding page neither (the editor gate's Host check), and a caller from another machine
 * needs the TEACH_TOKEN. Callers on this machine need none, as for the editor.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type * as http from 'node:http';
import type express from 'express';
import { refusalOf, type AdminGuardOptions } from './admin-guard';

/** Shortest TEACH_TOKEN accepted: a guessable token is no gate. */
export const MIN_TEACH_TOKEN_LENGTH = 16;

export interface TeachGuardOptions extends AdminGuardOptions {
  /** TEACH_TOKEN; without it only callers on this machine may teach or read the labels. */
  token?: string;
}

const LOOPBACK_ADDRESS = /^(127\.|::1$|::ffff:127\.)/;

/**
 * Reads TEACH_TOKEN and removes it from the environment, so no camera command or exec node
 * inherits it.
 */
export function readTeachToken(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const token = env.TEACH_TOKEN;
  delete env.TEACH_TOKEN;
  if (token === undefined || token === '') return undefined;
  if (token.length < MIN_TEACH_TOKEN_LENGTH || /\s/.test(token)) {
    throw new Error(
      `TEACH_TOKEN must be at least ${MIN_TEACH_TOKEN_LENGTH} characters without spaces ` +
        '(for instance: openssl rand -base64 24)',
    );
  }
  return token;
}

/** Compares in constant time whatever the lengths (both sides hashed first). */
function sameToken(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** A caller on this machine, not relayed by a proxy on it (which would make everybody local). */
function fromThisMachine(req: http.IncomingMessage): boolean {
  if (!LOOPBACK_ADDRESS.test(req.socket.remoteAddress ?? '')) return false;
  return req.headers.forwarded === undefined && req.headers['x-forwarded-for'] === undefined;
}

function bearer(req: http.IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

type Refusal = { status: number; reason: string; message: string; headers?: Record<string, string> };

/** Why a request may not reach the label endpoints, or undefined when it may. */
export function teachRefusalOf(req: http.IncomingMessage, options: TeachGuardOptions): Refusal | undefined {
  // Host, Origin and Sec-Fetch-Site as for the editor; the caller's address is judged below.
  const page = refusalOf(req, { ...options, remote: true });
  if (page) {
    return {
      status: page.status,
      reason: page.reason,
      message:
        `Refused a request ${page.reason}: the label endpoints answer their own pages, opened by this machine's ` +
        'names (localhost, 127.0.0.1, its host name and addresses, EDITOR_HOSTS), and programs that send no Origin.',
    };
  }
  if (fromThisMachine(req)) return undefined;
  if (!options.token) {
    return {
      status: 403,
      reason: `from another machine (${req.socket.remoteAddress ?? 'unknown address'}) and no TEACH_TOKEN is set`,
      message:
        'Teaching and the label list answer on this machine only. Set TEACH_TOKEN on the service and send ' +
        '"Authorization: Bearer <TEACH_TOKEN>" to use them from another machine.',
    };
  }
  const given = bearer(req);
  if (given === undefined || !sameToken(given, options.token)) {
    return {
      status: 401,
      reason:
        `from ${req.socket.remoteAddress ?? 'unknown address'} ${given === undefined ? 'without' : 'with a wrong'} ` +
        'token',
      message: 'Teaching and the label list need "Authorization: Bearer <TEACH_TOKEN>" from another machine.',
      headers: { 'www-authenticate': 'Bearer realm="mobilenet labels"' },
    };
  }
  return undefined;
}

/** Express middleware: refuses with a plain-text reason (logged at most once per interval), else passes on. */
export function teachGuard(options: TeachGuardOptions): express.RequestHandler {
  return (req, res, next) => {
    const refusal = teachRefusalOf(req, options);
    if (!refusal) {
      next();
      return;
    }
    options.log.note(`[mobilenet] labels: refused a request ${refusal.reason}: ${req.method} ${req.path.slice(0, 80)}`);
    res.status(refusal.status).set('cache-control', 'no-store');
    if (refusal.headers) res.set(refusal.headers);
    // The body may still be arriving: say so and close rather than read an image nobody will use.
    res.set('connection', 'close').json({ error: refusal.message });
  };
}
