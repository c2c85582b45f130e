// Previews for the compare view. Formats every Chromium shows (PNG, JPEG, WebP, GIF, AVIF) are sent as
// they are, so what the user sees is the file's own pixels; TIFF is converted to PNG first.
import { readFile, stat } from 'node:fs/promises';
import sharp from 'sharp';
import type { Preview } from '../shared/api.js';
import { encodeImage, probeImage } from '../engine/image/io.js';
import { codecModelForHeader } from '../engine/codec/codec-registry.js';
import { readAezFile } from '../engine/codec/decompress-file.js';
import { decodeImageAez } from '../engine/codec/image-codec.js';
import { sharedCodecTransforms } from '../engine/codec/codec-transforms.js';

const BROWSER_FORMATS: Record<string, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif', avif: 'image/avif' };

export async function readPreview(path: string, label: string, backend?: string): Promise<Preview> {
  if (path.toLowerCase().endsWith('.aez')) return aezPreview(path, label, backend);
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
async function aezPreview(path: string, label: string, backend?: string): Promise<Preview> {
  try {
    const { file, bytes } = await readAezFile(path);
    const img = await decodeImageAez(await codecModelForHeader(file.header), file, { transforms: await sharedCodecTransforms(backend) });
    const png = await encodeImage(img, 'png');
    return { mime: 'image/png', bytes: new Uint8Array(png), width: img.width, height: img.height, fileSize: bytes, format: 'aez' };
  } catch (e) {
    throw new Error(`Cannot show ${label}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
