// What every answer of the server shares: security headers, one-line JSON errors, and the Host check that stops
// DNS rebinding. No CORS header is ever sent: another origin's page cannot read anything from here.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { hostname } from 'node:os';

/** Only the page's own scripts and workers run (plus WebAssembly compilation for the kernel); it connects only
 * to this server; no inline script, no eval, no frames, no plugins. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

/** An answer that is an error: an HTTP status and one line of text (never a stack trace). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...securityHeaders(),
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(text);
}

/** `{"error": "..."}` on one line: newlines in the message are folded so that it stays one line. */
export function sendError(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, { error: message.replace(/\s*\n\s*/g, ' ') });
}

/**
 * Which Host headers this server answers. A page on evil.example whose name is made to resolve to 127.0.0.1 sends
 * `Host: evil.example`; it is refused. Allowed: localhost, loopback addresses, the bound address, and, when bound
 * to every interface, any IP literal (a rebinding attack needs a name) and this machine's host name. The port
 * must be the server's.
 */
export function hostAllowed(header: string | undefined, boundHost: string, port: number): boolean {
  if (header === undefined) return false;
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d+))?$/.exec(header.trim());
  if (!match) return false;
  if (match[2] !== undefined && Number(match[2]) !== port) return false;
  if (match[2] === undefined && port !== 80) return false;
  const host = match[1]
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)) return true;
  const bound = boundHost.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === bound) return true;
  if (bound === '0.0.0.0' || bound === '::') return isIP(host) !== 0 || host === hostname().toLowerCase();
  return false;
}

/** The request's path and query, or an HttpError(400) for a target that is not a path. */
export function requestUrl(req: IncomingMessage): URL {
  const target = req.url ?? '/';
  if (!target.startsWith('/')) throw new HttpError(400, 'the request target must be a path');
  try {
    return new URL(target, 'http://localhost');
  } catch {
    throw new HttpError(400, 'malformed request target');
  }
}

/** The message with the database's location (a path, or a URL without its password) replaced: remote clients are
 * not told where the server's files are. */
export function withoutLocation(message: string, location: string): string {
  return location === '' ? message : message.split(location).join('the database');
}

/** Node's own answer to a request it could not parse (bad syntax, headers too large): one line of JSON like every
 * other error, then the connection is closed. */
export function clientErrorAnswer(code: string | undefined): string {
  const [status, reason, message] =
    code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'the request headers are too large']
      : [400, 'Bad Request', 'the request could not be parsed as HTTP'];
  const body = JSON.stringify({ error: message });
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}
