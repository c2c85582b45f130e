// The alpha plane codec of the ALPH chunk: horizontal delta filter then zlib deflate (encodeAlpha), and its
// inverse for a parsed file (decodeAlpha).
import { deflateSync, inflateSync } from 'node:zlib';
import { CodecError } from '../errors.js';
import { TYPE_ALPH, type AezFile } from './aez-types.js';

/** The ALPH chunk's method byte for this codec (the reader checks it; not re-exported by aez-file.ts). */
export const ALPHA_METHOD_DEFLATE_SUB = 0;

/** Horizontal delta (each sample minus its left neighbour, modulo 2^bits) then zlib deflate. */
export function encodeAlpha(plane: Uint8Array | Uint16Array, width: number, height: number): Uint8Array {
  const bits = plane instanceof Uint16Array ? 16 : 8;
  const n = width * height;
  if (plane.length !== n) throw new CodecError('AEZ_ARGUMENT', `alpha plane has ${plane.length} samples for ${width}×${height}`);
  const raw = new Uint8Array(n * (bits / 8));
  const mask = bits === 16 ? 0xffff : 0xff;
  for (let y = 0; y < height; y++) {
    let prev = 0;
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const d = (plane[i] - prev) & mask;
      prev = plane[i];
      if (bits === 8) raw[i] = d;
      else (raw[2 * i] = d & 0xff), (raw[2 * i + 1] = d >>> 8);
    }
  }
  const z = deflateSync(raw, { level: 9 });
  const out = new Uint8Array(1 + z.length);
  out[0] = ALPHA_METHOD_DEFLATE_SUB;
  out.set(z, 1);
  return out;
}

/**
 * Decodes the alpha plane of a parsed file (Uint8Array for 8-bit, Uint16Array for 16-bit), or undefined
 * if it has none. Inflation is capped at exactly width×height samples.
 */
export function decodeAlpha(file: AezFile): Uint8Array | Uint16Array | undefined {
  if (!file.alpha) return undefined;
  const { width, height, bitDepth } = file.header;
  const n = width * height;
  const bytesPer = bitDepth === 16 ? 2 : 1;
  let raw: Buffer;
  try {
    raw = inflateSync(file.alpha, { maxOutputLength: Math.max(1, n * bytesPer) });
  } catch (e) {
    throw new CodecError('AEZ_STRUCTURE', `chunk 'ALPH' is damaged (${e instanceof Error ? e.message : String(e)})`, { chunk: TYPE_ALPH });
  }
  if (raw.length !== n * bytesPer) {
    throw new CodecError('AEZ_STRUCTURE', `chunk 'ALPH' is damaged (${raw.length} bytes of alpha for ${width}×${height}×${bytesPer})`, { chunk: TYPE_ALPH });
  }
  if (bytesPer === 1) {
    const out = new Uint8Array(n);
    for (let y = 0; y < height; y++) {
      let prev = 0;
      for (let x = 0, i = y * width; x < width; x++, i++) out[i] = prev = (prev + raw[i]) & 0xff;
    }
    return out;
  }
  const out = new Uint16Array(n);
  for (let y = 0; y < height; y++) {
    let prev = 0;
    for (let x = 0, i = y * width; x < width; x++, i++) out[i] = prev = (prev + (raw[2 * i] | (raw[2 * i + 1] << 8))) & 0xffff;
  }
  return out;
}
