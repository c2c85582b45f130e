// Uneven scanner light: exposure, a gradient across the page, vignetting and the shadow near the spine.
import type { Rng } from '../../util/rng.js';
import { nearPoint } from './noise-fields.js';

/** Uneven light: exposure, a gradient across the page, vignetting and a shadow near the spine. */
export function illumination(rng: Rng, w: number, h: number, scale: number): Float32Array {
  const out = new Float32Array(w * h).fill(rng.uniform(0.9, 1.04));
  if (rng.bool(0.7)) {
    const a = rng.uniform(0, 2 * Math.PI);
    const g = rng.uniform(0.05, 0.35) / scale; // change per px
    const off = rng.uniform(-0.5, 0.5) * scale;
    const cx = Math.cos(a);
    const cy = Math.sin(a);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] *= 1 - Math.max(-0.15, Math.min(0.3, g * (x * cx + y * cy + off)));
  }
  if (rng.bool(0.4)) {
    // Vignetting from a page centre somewhere around the crop.
    const [cx, cy] = nearPoint(rng, w, h, scale * 0.5);
    const v = rng.uniform(0.1, 0.4);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const r2 = ((x - cx) ** 2 + (y - cy) ** 2) / (scale * scale * 0.5);
        out[y * w + x] *= 1 - v * Math.min(1, r2);
      }
    }
  }
  if (rng.bool(0.35)) {
    // Spine shadow: darkest at a (near vertical or horizontal) gutter line, fading into the page.
    const vertical = rng.bool(0.75);
    const L = rng.uniform(0.01, 0.07) * scale;
    const extent = vertical ? w : h;
    const pos = rng.uniform(-2.5 * L, extent + 2.5 * L);
    const side = rng.bool() ? 1 : -1; // the page lies on this side of the gutter line
    const s = rng.uniform(0.15, 0.55);
    const tilt = rng.normal() * 0.02;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = vertical ? x + tilt * y : y + tilt * x;
        const dist = Math.max(0, side * (p - pos));
        out[y * w + x] *= 1 - s * Math.exp(-dist / L);
      }
    }
  }
  return out;
}
