// Who may talk to the twin: requests for 127.0.0.1:<port> only (a DNS-rebinding page names another host),
// carrying the per-launch token — as a header on API calls (a cross-site page cannot set one without a
// CORS preflight, which is never granted), as a query parameter where a browser cannot send headers
// (the first page load, EventSource), or as the cookie the first page load sets (scripts, styles).
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface Guard {
  token: string;
  port: number;
}

export function cookieName(port: number): string {
  return `aez_token_${port}`;
}

function same(a: string | undefined, b: string): boolean {
  if (typeof a !== 'string' || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

export function hostAllowed(req: IncomingMessage, g: Guard): boolean {
  const host = req.headers.host;
  if (host !== `127.0.0.1:${g.port}` && host !== `localhost:${g.port}`) return false;
  const origin = req.headers.origin;
  return origin === undefined || origin === `http://127.0.0.1:${g.port}` || origin === `http://localhost:${g.port}`;
}

export function headerToken(req: IncomingMessage, g: Guard): boolean {
  const v = req.headers['x-aez-token'];
  return same(Array.isArray(v) ? v[0] : v, g.token);
}

export function queryToken(url: URL, g: Guard): boolean {
  return same(url.searchParams.get('token') ?? undefined, g.token);
}

export function cookieToken(req: IncomingMessage, g: Guard): boolean {
  const name = cookieName(g.port);
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return same(v.join('='), g.token);
  }
  return false;
}
