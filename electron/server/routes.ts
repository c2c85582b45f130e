// The twin's HTTP routes: AezApi methods as POST /api/<method>, uploads as raw bodies, previews as bytes,
// events as a stream, and the built renderer as static files.
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AezHost } from '../host/host.js';
import { contentSecurityPolicy, resolveRendererFile } from '../host/renderer-files.js';
import { HostError } from '../host/schemas.js';
import { hostMethods, type HostMethods } from '../host/host-methods.js';
import { isCallMethod, type Envelope } from '../shared/methods.js';
import { errorMessage } from '../engine/util/errors.js';
import { readBody, readJson } from './body.js';
import type { EventHub } from './events.js';
import { cookieName, cookieToken, headerToken, hostAllowed, queryToken, type Guard } from './guard.js';

export interface RouteContext {
  host: AezHost;
  hub: EventHub;
  guard: Guard;
  maxUploadBytes: number;
}

/** The host's answers to the API table's calls, made once per host. */
const tables = new WeakMap<AezHost, HostMethods>();

const SECURITY_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' };

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...SECURITY_HEADERS });
  res.end(JSON.stringify(body));
}

function fail(res: ServerResponse, status: number, code: string, message: string): void {
  send(res, status, { ok: false, error: { code, message } } satisfies Envelope<never>);
}

export async function route(req: IncomingMessage, res: ServerResponse, ctx: RouteContext): Promise<void> {
  const { guard } = ctx;
  if (!hostAllowed(req, guard)) return fail(res, 403, 'FORBIDDEN', 'wrong host or origin');
  const url = new URL(req.url ?? '/', `http://127.0.0.1:${guard.port}`);
  const path = url.pathname;

  if (path.startsWith('/api/')) {
    if (path === '/api/events' && req.method === 'GET') {
      if (!queryToken(url, guard)) return fail(res, 401, 'UNAUTHORISED', 'missing or wrong token');
      return ctx.hub.attach(res);
    }
    if (!headerToken(req, guard)) return fail(res, 401, 'UNAUTHORISED', 'missing or wrong token');
    if (req.method !== 'POST') return fail(res, 405, 'METHOD', 'use POST');
    try {
      const name = path.slice('/api/'.length);
      if (name === 'upload') {
        const fileName = url.searchParams.get('name') ?? '';
        const bytes = await readBody(req, ctx.maxUploadBytes);
        return send(res, 200, { ok: true, value: await ctx.host.importBytes(fileName, bytes) });
      }
      if (name === 'preview') {
        const p = await ctx.host.readPreview(await readJson(req));
        const meta = { mime: p.mime, width: p.width, height: p.height, fileSize: p.fileSize, format: p.format };
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'X-Aez-Preview': JSON.stringify(meta), ...SECURITY_HEADERS });
        return void res.end(p.bytes);
      }
      if (!isCallMethod(name)) return fail(res, 404, 'NOT_FOUND', `no API method ${name}`);
      let methods = tables.get(ctx.host);
      if (!methods) tables.set(ctx.host, (methods = hostMethods(ctx.host)));
      const arg = await readJson(req);
      return send(res, 200, { ok: true, value: (await methods[name](arg)) ?? null });
    } catch (e) {
      const code = e instanceof HostError || typeof (e as { code?: unknown })?.code === 'string' ? String((e as { code: string }).code) : 'INTERNAL';
      return fail(res, code === 'TOO_LARGE' ? 413 : 400, code, errorMessage(e));
    }
  }

  if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, 'METHOD', 'use GET');
  const isPage = path === '/' || path === '/index.html';
  // The first load brings the token in the URL and leaves it as a cookie for the page's own assets.
  const viaQuery = isPage && queryToken(url, guard);
  if (!viaQuery && !cookieToken(req, guard)) {
    res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
    return void res.end('AEZ: open the address that `aez serve` printed (it carries the access token).\n');
  }
  const hit = resolveRendererFile(path);
  if (!hit) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
    return void res.end(isPage ? 'AEZ: the renderer is not built. Run "npm run build" first.\n' : 'not found\n');
  }
  const headers: Record<string, string> = { 'Content-Type': hit.mime, 'Content-Security-Policy': contentSecurityPolicy(), ...SECURITY_HEADERS };
  if (viaQuery) headers['Set-Cookie'] = `${cookieName(guard.port)}=${guard.token}; HttpOnly; SameSite=Strict; Path=/`;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : await readFile(hit.file));
}
