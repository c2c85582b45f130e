// Training images decoded once into one SharedArrayBuffer of 8-bit RGB, so every gradient worker reads
// the same memory: no per-worker decoding and no copies (108 MP of photos → about 330 MB).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { isInputImagePath } from '../image/io.js';

export interface StoredImage {
  name: string;
  offset: number;
  width: number;
  height: number;
}

export interface ImageStore {
  buffer: SharedArrayBuffer;
  images: StoredImage[];
}

export async function listImages(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names
    .filter((n) => isInputImagePath(n))
    .sort()
    .map((n) => join(dir, n));
}

/** Loads every image of the folders as RGB (grey replicated), skipping ones smaller than `minSide`. */
export async function loadImageStore(dirs: string[], minSide: number): Promise<ImageStore> {
  return loadImageStoreFiles((await Promise.all(dirs.map(listImages))).flat(), minSide, dirs.join(', '));
}

/** Loads these image files as RGB (grey replicated), skipping ones smaller than `minSide`. */
export async function loadImageStoreFiles(files: string[], minSide: number, where: string): Promise<ImageStore> {
  const decoded: { name: string; data: Buffer; width: number; height: number }[] = [];
  for (const f of files) {
    const { data, info } = await sharp(f).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.width < minSide || info.height < minSide) continue;
    const rgb = info.channels === 3 ? data : expandToRgb(data, info.channels);
    decoded.push({ name: f, data: rgb, width: info.width, height: info.height });
  }
  if (decoded.length === 0) throw new Error(`no training images of at least ${minSide}px found in ${where}`);
  const total = decoded.reduce((s, d) => s + d.data.length, 0);
  const buffer = new SharedArrayBuffer(total);
  const view = new Uint8Array(buffer);
  const images: StoredImage[] = [];
  let offset = 0;
  for (const d of decoded) {
    view.set(d.data, offset);
    images.push({ name: d.name, offset, width: d.width, height: d.height });
    offset += d.data.length;
  }
  return { buffer, images };
}

function expandToRgb(data: Buffer, channels: number): Buffer {
  const px = data.length / channels;
  const out = Buffer.alloc(px * 3);
  for (let i = 0; i < px; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = data[i * channels];
  return out;
}
