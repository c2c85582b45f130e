// The scan degradation pipeline: fades and smudges the ink, textures and tints the paper, adds stains,
// creases, uneven light, blur, dust, sensor noise, scanner levels and JPEG. Never moves the text.
import type { Rng } from '../../util/rng.js';
import { blur, directionalBlur } from './blur.js';
import { jpegArtefacts } from './jpeg.js';
import { illumination } from './lighting.js';
import { fastNormal, fbm, nearPoint, smoothstep, valueNoise } from './noise-fields.js';
import { addCrease, addFibres, addStain } from './paper-marks.js';

export interface DegradeContext {
  /** Ink of the page's back side, already mirrored and aligned with the crop (0..1 coverage), or null. */
  back: Float32Array | null;
  /** Size of the whole page in px; sizes stains, folds and light falloff. */
  scale: number;
}

export function degrade(rng: Rng, clean: Float32Array, w: number, h: number, ctx: DegradeContext): Float32Array {
  const n = w * h;
  const scale = ctx.scale;
  // 1. Ink: coverage of the printed text, faded and smudged.
  const ink = new Float32Array(n);
  for (let i = 0; i < n; i++) ink[i] = 1 - clean[i];
  const inkRatio = rng.bool(0.7) ? rng.uniform(0.02, 0.2) : rng.uniform(0.2, 0.38); // ink tone / paper tone
  let fade = 0;
  if (rng.bool(0.3)) {
    // Contrast loss, uneven across the page; keep the text readable.
    fade = rng.uniform(0.15, 0.6);
    const maxFade = 1 - 0.42 / (1 - inkRatio);
    fade = Math.min(fade, Math.max(0, maxFade));
    const f = valueNoise(rng, w, h, scale * rng.uniform(0.05, 0.3));
    for (let i = 0; i < n; i++) ink[i] *= 1 - fade * (0.6 + 0.4 * f[i]);
  }
  if (rng.bool(0.1)) {
    // Ink smudges: smeared text plus a grey wash inside a soft blob.
    const smear = ink.slice();
    directionalBlur(smear, w, h, rng.uniform(0, Math.PI), rng.uniform(3, 12));
    const [cx, cy] = nearPoint(rng, w, h, 0);
    const rx = rng.uniform(0.02, 0.08) * scale;
    const ry = rx * rng.uniform(0.3, 1);
    const a = rng.uniform(0, Math.PI);
    const ca = Math.cos(a);
    const sa = Math.sin(a);
    const wash = rng.uniform(0.04, 0.25);
    const amt = rng.uniform(0.5, 1);
    const shape = valueNoise(rng, w, h, Math.max(4, rx * 0.5));
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const dx = x - cx;
        const dy = y - cy;
        const u = (dx * ca + dy * sa) / rx;
        const v = (-dx * sa + dy * ca) / ry;
        const i = y * w + x;
        const m = smoothstep(1 - Math.sqrt(u * u + v * v) + 0.3 * shape[i]);
        if (m <= 0) continue;
        ink[i] = Math.min(1, Math.max(ink[i] * (1 - 0.5 * m * amt), m * amt * 1.3 * smear[i]) + m * wash);
      }
    }
  }

  // 2. Paper: tone, low-frequency mottling, mid texture, grain, fibres, bleed-through.
  const paper = new Float32Array(n);
  const r = rng.next();
  const tone = r < 0.15 ? rng.uniform(0.95, 1) : r < 0.85 ? rng.uniform(0.82, 0.96) : rng.uniform(0.7, 0.85);
  paper.fill(tone);
  if (rng.bool(0.75)) {
    const aLow = rng.uniform(0.01, 0.08);
    const low = fbm(rng, w, h, scale * rng.uniform(0.05, 0.25), 3);
    const aMid = rng.bool(0.7) ? rng.uniform(0.005, 0.05) : 0;
    const mid = aMid > 0 ? fbm(rng, w, h, rng.uniform(4, 20), 2) : null;
    for (let i = 0; i < n; i++) paper[i] *= 1 + aLow * low[i] + (mid ? aMid * mid[i] : 0);
  }
  if (rng.bool(0.6)) {
    const grain = new Float32Array(n);
    for (let i = 0; i < n; i++) grain[i] = fastNormal(rng);
    blur(grain, w, h, rng.uniform(0.5, 1.2));
    const a = rng.uniform(0.01, 0.05);
    for (let i = 0; i < n; i++) paper[i] *= 1 + a * grain[i];
  }
  if (rng.bool(0.35)) addFibres(rng, paper, w, h);
  if (ctx.back && rng.bool(0.3)) {
    const b = ctx.back.slice();
    blur(b, w, h, rng.uniform(0.6, 2.2));
    const s = rng.uniform(0.04, 0.22);
    for (let i = 0; i < n; i++) paper[i] *= 1 - s * b[i];
  }

  // 3. Stains and creases: multiplicative fields over paper and ink alike.
  const mul = new Float32Array(n).fill(1);
  if (rng.bool(0.45)) {
    const tex = fbm(rng, w, h, rng.uniform(6, 30), 3);
    const k = 1 + Math.floor(rng.next() * rng.next() * 3);
    for (let s = 0; s < k; s++) addStain(rng, mul, w, h, scale, tex);
  }
  if (rng.bool(0.4)) {
    const crumpled = rng.bool(0.4);
    const k = crumpled ? rng.int(3, 9) : rng.int(1, 3);
    for (let s = 0; s < k; s++) addCrease(rng, mul, w, h, scale, crumpled);
  }

  // 4. Compose, then light, optics, dust, sensor, levels, JPEG.
  const img = new Float32Array(n);
  for (let i = 0; i < n; i++) img[i] = paper[i] * mul[i] * (1 - ink[i] * (1 - inkRatio));
  if (rng.bool(0.6)) {
    const light = illumination(rng, w, h, scale);
    for (let i = 0; i < n; i++) img[i] *= light[i];
  }
  if (rng.bool(0.4)) blur(img, w, h, rng.uniform(0.3, 1.0));
  if (rng.bool(0.3)) {
    // Dust and specks: small dark blobs, plus some salt-and-pepper.
    const dots = Math.round(n * rng.uniform(0.0001, 0.0015));
    for (let k = 0; k < dots; k++) {
      const cx = rng.uniform(0, w);
      const cy = rng.uniform(0, h);
      const rad = 0.5 + rng.next() * rng.next() * 2;
      const dark = rng.uniform(0.3, 0.9);
      const x0 = Math.max(0, Math.floor(cx - rad - 1));
      const x1 = Math.min(w - 1, Math.ceil(cx + rad + 1));
      const y0 = Math.max(0, Math.floor(cy - rad - 1));
      const y1 = Math.min(h - 1, Math.ceil(cy + rad + 1));
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const d = Math.sqrt((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2);
          const cov = Math.min(1, Math.max(0, rad + 0.5 - d));
          img[y * w + x] *= 1 - dark * cov;
        }
      }
    }
    const sp = Math.round(n * rng.uniform(0, 0.003));
    for (let k = 0; k < sp; k++) {
      const i = rng.int(0, n);
      img[i] = rng.bool(0.75) ? rng.uniform(0, 0.35) : Math.max(img[i], rng.uniform(0.85, 1));
    }
  }
  if (rng.bool(0.65)) {
    const sigma = rng.uniform(0.003, 0.035);
    for (let i = 0; i < n; i++) img[i] += sigma * fastNormal(rng) * (0.5 + 0.5 * Math.sqrt(Math.max(0, img[i])));
  }
  if (rng.bool(0.25)) {
    // Scanner levels: black point, white point, gamma.
    const lo = rng.uniform(0, 0.08);
    const hi = rng.uniform(0.92, 1.05);
    const g = Math.exp(rng.uniform(-0.3, 0.3));
    for (let i = 0; i < n; i++) img[i] = Math.pow(Math.min(1, Math.max(0, (img[i] - lo) / (hi - lo))), g);
  }
  if (rng.bool(0.4)) {
    jpegArtefacts(img, w, h, rng.int(20, 76));
  } else {
    for (let i = 0; i < n; i++) img[i] = Math.round(Math.min(1, Math.max(0, img[i])) * 255) / 255;
  }
  return img;
}

/**
 * Degrades a clean page or crop with a random subset of scan degradations. `back` is the ink (0..1
 * coverage) of the sheet's back side, already mirrored and aligned with the crop, for bleed-through (null:
 * none); `pageScale` is the size in px of the page the crop comes from (default: the crop's larger side).
 * Random draws do not depend on the page content, so the same generator state gives the same fields.
 */
export function degradeCrop(
  rng: Rng,
  clean: Float32Array,
  width: number,
  height: number,
  opts: { back?: Float32Array | null; pageScale?: number } = {},
): Float32Array {
  if (clean.length !== width * height) throw new Error(`clean has ${clean.length} values, expected ${width}×${height}`);
  return degrade(rng, clean, width, height, { back: opts.back ?? null, scale: opts.pageScale ?? Math.max(width, height) });
}

/**
 * Degrades a whole clean page (its back side is a mirrored, shifted copy of itself). Synchronous; the
 * return type also allows a Promise so callers can await it either way.
 */
export function degradePage(rng: Rng, clean: Float32Array, width: number, height: number): Promise<Float32Array> | Float32Array {
  const back = new Float32Array(width * height);
  const dy = rng.int(0, height);
  for (let y = 0; y < height; y++) {
    const sy = (y + dy) % height;
    for (let x = 0; x < width; x++) back[y * width + x] = 1 - clean[sy * width + (width - 1 - x)];
  }
  return degrade(rng, clean, width, height, { back, scale: Math.max(width, height) });
}
