// Previews for the compare view. Formats every Chromium shows (PNG, JPEG, WebP, GIF, AVIF) are sent as
// they are, so what the user sees is the file's own pixels; TIFF is converted to PNG first.
import { readFile, stat } from 'node:fs/promises';
import sharp from 'sharp';
import type { Preview } from '../shared/api.js';
import { probeImage } from '../engine/image/io.js';
import type { CodecWorkerClient } from '../engine/codec/codec-client.js';

const BROWSER_FORMATS: Record<string, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif', avif: 'image/avif' };

export async function readPreview(path: string, label: string, codec: CodecWorkerClient): Promise<Preview> {
  if (path.toLowerCase().endsWith('.aez')) return aezPreview(path, label, codec);
  const probe = await probeImage(path);
  const fileSize = (await stat(path)).size;
  const mime = BROWSER_FORMATS[probe.format];
  if (mime) {
    const bytes = new Uint8Array(await readFile(path));
    return { mime, bytes, width: probe.width, height: probe.height, fileSize, format: probe.format };
  }
  try {
    const png = await sharp(path, { autoOrient: true, page: 0 }).png({ compressionLevel: 1 }).toBuffer();
    return { mime: 'image/png', bytes: new Uint8Array(png), width: probe.width, height: probe.height, fileSize, format: probe.format };
  } catch (e) {
    throw new Error(`Cannot show ${label}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** An .aez file is shown decoded (as PNG): what Restore would write. */
async function aezPreview(path: string, label: string, codec: CodecWorkerClient): Promise<Preview> {
  try {
    const r = await codec.run<{ png: Uint8Array; width: number; height: number; fileSize: number }>({ op: 'preview', input: path });
    return { mime: 'image/png', bytes: r.png, width: r.width, height: r.height, fileSize: r.fileSize, format: 'aez' };
  } catch (e) {
    throw new Error(`Cannot show ${label}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
