// Random crops with the eight flips/rotations of the square, read straight from 8-bit storage.
import type { Rng } from '../util/rng.js';

/**
 * Copies a random `patch`×`patch` crop of an HWC uint8 image into `out` (floats 0..1) under a random
 * dihedral transform. `src` is indexed from `offset`.
 */
export function randomCrop(
  rng: Rng,
  src: Uint8Array | Float32Array,
  offset: number,
  width: number,
  height: number,
  channels: number,
  patch: number,
  out: Float32Array,
  outOffset: number,
  scale: number,
): { x: number; y: number; t: number } {
  const x0 = rng.int(0, width - patch + 1);
  const y0 = rng.int(0, height - patch + 1);
  const t = rng.int(0, 8);
  const transpose = (t & 4) !== 0;
  const flipX = (t & 1) !== 0;
  const flipY = (t & 2) !== 0;
  let o = outOffset;
  for (let y = 0; y < patch; y++) {
    for (let x = 0; x < patch; x++) {
      let sx = transpose ? y : x;
      let sy = transpose ? x : y;
      if (flipX) sx = patch - 1 - sx;
      if (flipY) sy = patch - 1 - sy;
      const s = offset + ((y0 + sy) * width + (x0 + sx)) * channels;
      for (let c = 0; c < channels; c++) out[o++] = src[s + c] * scale;
    }
  }
  return { x: x0, y: y0, t };
}
