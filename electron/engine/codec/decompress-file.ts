// One restore job from .aez file to image file. The file is size-checked before it is read, parsed and
// CRC-checked before anything is decoded, and its model is looked up by id and weights hash.
import { readFile, stat } from 'node:fs/promises';
import { writeImage } from '../image/io.js';
import { AezError } from '../util/errors.js';
import { codecModelForHeader } from './codec-registry.js';
import { parseAez } from './format/aez-file.js';
import { decodeImageAez } from './image-codec.js';
import type { CodecTransforms } from './transform-engines.js';

/** Larger .aez files are refused before reading (a 268-MP image at 8 bpp is ~270 MB). */
export const MAX_AEZ_FILE_BYTES = 512 * 1024 * 1024;

export async function readAezFile(input: string) {
  let size: number;
  try {
    const st = await stat(input);
    if (!st.isFile()) throw new AezError('INPUT_UNREADABLE', `${input} is not a file`);
    size = st.size;
  } catch (e) {
    if (e instanceof AezError) throw e;
    throw new AezError('INPUT_NOT_FOUND', `${input}: no such file`);
  }
  if (size > MAX_AEZ_FILE_BYTES) throw new AezError('INPUT_TOO_LARGE', `${input} is ${size} bytes, more than any .aez file AEZ writes (${MAX_AEZ_FILE_BYTES})`);
  const bytes = await readFile(input);
  return { file: parseAez(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)), bytes: bytes.length };
}

export interface DecompressFileOptions {
  transforms?: CodecTransforms;
  overwrite?: boolean;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

export async function decompressFile(input: string, output: string, opts: DecompressFileOptions = {}) {
  const { file, bytes } = await readAezFile(input);
  const model = await codecModelForHeader(file.header);
  opts.onProgress?.(0.05);
  const img = await decodeImageAez(model, file, { signal: opts.signal, transforms: opts.transforms, onProgress: (f) => opts.onProgress?.(0.05 + 0.9 * f) });
  await writeImage(output, img, { bitDepth: img.bitDepth, overwrite: opts.overwrite ?? false });
  opts.onProgress?.(1);
  return { width: img.width, height: img.height, channels: img.channels, model: model.id, bytes, bpp: Math.round(((8 * bytes) / (img.width * img.height)) * 10000) / 10000 };
}
