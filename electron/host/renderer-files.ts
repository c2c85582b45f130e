// The built renderer (dist/renderer) as both hosts serve it: Electron through its app:// protocol, the
// twin over HTTP. One resolver keeps every request inside that folder, one CSP applies to both.
import { existsSync } from 'node:fs';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/electron/host/renderer-files.js → dist/renderer */
export function rendererDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'renderer');
}

/** No remote content, no inline script, no eval; blob: for the compare view's previews. */
export function contentSecurityPolicy(connect: string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'", // Svelte sets style attributes (zoom transforms, progress widths)
    "img-src 'self' blob: data:",
    "font-src 'self'",
    `connect-src 'self'${connect.length ? ' ' + connect.join(' ') : ''}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** A URL path → a file inside the renderer folder, or undefined (traversal, unknown type, missing). */
export function resolveRendererFile(urlPath: string, root = rendererDir()): { file: string; mime: string } | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const rel = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const file = normalize(join(root, rel));
  if (!file.startsWith(normalize(root) + sep)) return undefined;
  const mime = MIME[extname(file).toLowerCase()];
  if (!mime || !existsSync(file)) return undefined;
  return { file, mime };
}
