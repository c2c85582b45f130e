// Whether an image looks like a scanned or photographed page: mostly light, nearly colourless paper with some
// dark marks (text). Used to tell a user whose page the photo model found almost no noise in that the scan
// model is the one for pages (the photo model removes sensor noise, not stains, fading or speckle).
import type { RasterImage } from '../image/io.js';

/** Pixels looked at, at most (a grid over the image): enough for fractions, cheap on any size. */
const SAMPLES = 40_000;

export function looksLikePage(img: RasterImage): boolean {
  const { width: w, height: h, channels: c, data } = img;
  const step = Math.max(1, Math.floor(Math.sqrt((w * h) / SAMPLES)));
  let n = 0;
  let light = 0;
  let dark = 0;
  let chroma = 0;
  for (let y = 0; y < h; y += step) {
    for (let x = 0; x < w; x += step) {
      const i = (y * w + x) * c;
      const r = data[i];
      const g = c === 3 ? data[i + 1] : r;
      const b = c === 3 ? data[i + 2] : r;
      const lum = 0.299 * r + 0.587 * g + 0.114 * b;
      if (lum > 0.7) light++;
      else if (lum < 0.4) dark++;
      chroma += Math.max(r, g, b) - Math.min(r, g, b);
      n++;
    }
  }
  return n > 0 && light / n > 0.5 && dark / n > 0.01 && dark / n < 0.35 && chroma / n < 0.12;
}
