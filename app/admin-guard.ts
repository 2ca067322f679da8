/**
 * The gate in front of Node-RED's editor and admin API, which can deploy any code (an exec node).
 * Node-RED 4 answers every origin there (`Access-Control-Allow-Origin: *`, preflights allowed, in
 * code that `httpAdminCors` cannot switch off) and never looks at Host, so without this gate any web
 * page a local browser opens could deploy a flow, and a DNS-rebinding page could read it too.
 */
import type * as http from 'node:http';
import type * as net from 'node:net';
import * as os from 'node:os';
import type express from 'express';
import type { RateLimitedLog } from './rate-limited-log';

export interface AdminGuardOptions {
  port: number;
  /** EDITOR_REMOTE=1: other machines may reach the editor (then with a login). */
  remote: boolean;
  /** More names the editor is reached by (EDITOR_HOSTS): a DNS name, a reverse proxy's name. */
  extraHosts: readonly string[];
  log: RateLimitedLog;
}

const LOOPBACK_ADDRESS = /^(127\.|::1$|::ffff:127\.)/;
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
/** Sec-Fetch-Site values of a request the editor's own page (or the address bar) makes. */
const OWN_FETCH_SITES = new Set(['same-origin', 'none']);

/** EDITOR_HOSTS: comma-separated names or addresses, e.g. `pi.example.net,192.168.1.20`. */
export function readEditorHosts(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.EDITOR_HOSTS ?? '')
    .split(',')
    .map((name) => normalizeName(name))
    .filter((name) => name !== '');
}

function normalizeName(name: string): string {
  const trimmed = name.trim().toLowerCase().replace(/\.$/, '');
  // A bare IPv6 address is written in brackets in a Host header.
  return trimmed.includes(':') && !trimmed.startsWith('[') ? `[${trimmed}]` : trimmed;
}

/** The name part of a Host header: `[::1]:1880` → `[::1]`, `Pi.local.:1880` → `pi.local`. */
export function hostName(host: string): string {
  const lower = host.trim().toLowerCase();
  const name = lower.startsWith('[') ? lower.slice(0, lower.indexOf(']') + 1) : lower.replace(/:\d*$/, '');
  return name.replace(/\.$/, '');
}

/** The names this machine answers to: the ones a browser on the network puts in Host. */
function machineNames(): string[] {
  const names = [os.hostname().toLowerCase(), `${os.hostname().toLowerCase()}.local`];
  for (const address of Object.values(os.networkInterfaces()).flat()) {
    if (!address) continue;
    names.push(address.family === 'IPv6' ? `[${address.address.replace(/%.*$/, '').toLowerCase()}]` : address.address);
  }
  return names;
}

/**
 * Accepted Host names. The port is not compared: an SSH tunnel may map any local port to the
 * editor, and what DNS rebinding changes is the name (the attacker's), never ours.
 */
export function acceptedHostNames(options: Pick<AdminGuardOptions, 'remote' | 'extraHosts'>): Set<string> {
  return new Set([...LOOPBACK_NAMES, ...(options.remote ? machineNames() : []), ...options.extraHosts]);
}

type Refusal = { status: number; reason: string; message: string };

/** Why a request may not reach the admin API, or undefined when it may. */
export function refusalOf(req: http.IncomingMessage, options: AdminGuardOptions): Refusal | undefined {
  if (!options.remote && !LOOPBACK_ADDRESS.test(req.socket.remoteAddress ?? '')) {
    return {
      status: 403,
      reason: `from another machine (${req.socket.remoteAddress ?? 'unknown address'})`,
      message:
        `The Node-RED editor of npm start answers on this machine only (http://127.0.0.1:${options.port}/). ` +
        `From another machine use an SSH tunnel: ssh -L ${options.port}:127.0.0.1:${options.port} <this host>, ` +
        'or start with EDITOR_REMOTE=1 (the editor then asks for a login). POST /classify answers from anywhere.',
    };
  }
  const host = req.headers.host ?? '';
  const accepted = acceptedHostNames(options);
  if (!accepted.has(hostName(host))) {
    return {
      status: 403,
      reason: `for Host "${host.slice(0, 100)}"`,
      message:
        `The editor does not answer to the name "${host.slice(0, 100)}" (a page on another site may have pointed ` +
        `that name at this machine). ` +
        `Open it as http://127.0.0.1:${options.port}/ or http://localhost:${options.port}/` +
        (options.remote
          ? ", by this machine's name or address, or add the name to EDITOR_HOSTS."
          : '; from other machines use an SSH tunnel or EDITOR_REMOTE=1.'),
    };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host.toLowerCase()}` && origin !== `https://${host.toLowerCase()}`) {
    return {
      status: 403,
      reason: `from the page origin ${origin.slice(0, 100)}`,
      message:
        `The editor's API answers its own pages only (http://${host}); this request came from a page at ` +
        `${origin.slice(0, 100)}.`,
    };
  }
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && !OWN_FETCH_SITES.has(site.toLowerCase())) {
    return {
      status: 403,
      reason: `made by a page of another site (Sec-Fetch-Site: ${site.slice(0, 20)})`,
      message:
        `The editor answers its own pages only; this request came from another site. Open http://${host}/ by ` +
        `typing the address.`,
    };
  }
  return undefined;
}

/**
 * Refuses admin requests from other machines (unless EDITOR_REMOTE), for other names (DNS
 * rebinding) and from other origins (preflights included), and strips every CORS header Node-RED
 * would add, so no browser ever lets another origin read or send to the admin API.
 */
export function adminGuard(options: AdminGuardOptions): express.RequestHandler {
  return (req, res, next) => {
    const refusal = refusalOf(req, options);
    if (refusal) {
      options.log.note(
        `[mobilenet] editor: refused a request ${refusal.reason}: ${req.method} ${req.path.slice(0, 80)}`,
      );
      res.status(refusal.status).type('text/plain').set('cache-control', 'no-store').send(`${refusal.message}\n`);
      return;
    }
    const setHeader = res.setHeader.bind(res);
    res.setHeader = ((name: string, value: number | string | readonly string[]) =>
      /^access-control-/i.test(name) ? res : setHeader(name, value)) as typeof res.setHeader;
    // Another site must not frame the editor either (clickjacking a Deploy).
    res.setHeader('x-frame-options', 'SAMEORIGIN');
    res.setHeader('content-security-policy', "frame-ancestors 'self'");
    next();
  };
}

/**
 * The editor's WebSocket (/comms: debug messages, status, notifications) is opened by an upgrade
 * request, which never passes express middleware, and browsers let any page open a WebSocket to
 * any address: the same gate is applied to it before any upgrade listener (Node-RED's) sees it.
 */
export function guardAdminUpgrades(server: http.Server, options: AdminGuardOptions & { commsPath: string }): void {
  const emit = server.emit.bind(server) as (event: string | symbol, ...args: unknown[]) => boolean;
  server.emit = ((event: string | symbol, ...args: unknown[]): boolean => {
    if (event === 'upgrade') {
      const [req, socket] = args as [http.IncomingMessage, net.Socket];
      const pathname = (req.url ?? '').split('?')[0];
      const refusal = pathname === options.commsPath ? refusalOf(req, options) : undefined;
      if (refusal) {
        options.log.note(`[mobilenet] editor: refused a WebSocket ${refusal.reason}: ${pathname.slice(0, 80)}`);
        socket.end(
          `HTTP/1.1 ${refusal.status} Forbidden\r\nContent-Type: text/plain\r\nConnection: ` +
            `close\r\n\r\n${refusal.message}\n`,
        );
        return true;
      }
    }
    return emit(event, ...args);
  }) as typeof server.emit;
}
