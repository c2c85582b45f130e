// Synthetic degraded/clean document page pairs for the `scan` model: one pair, or a pool of pre-rendered
// pages to crop and degrade afresh. (The other files of this folder are the steps.)
//
// The real paired data (Kaggle "Denoising Dirty Documents") has only a handful of page backgrounds, so the
// scan cleaner also trains on pages rendered here: text laid out with sharp/Pango (paragraphs, headings,
// lists, tables, rules) on a white page, then degraded the way scans degrade — paper texture and tint,
// fibres, coffee rings and blotches, creases, fading, uneven light and spine shadow, bleed-through,
// smudges, defocus, dust, sensor noise and JPEG. Degradations never move the text (no rotation or warp),
// so the clean page stays a pixel-aligned target.
//
// Rendering text is the slow part, so SyntheticPageSource renders a pool of pages once (init) and every
// sample() is a synchronous random crop plus a fresh degradation of that crop (JPEG included: it is an
// 8×8 DCT quantisation with the IJG tables, done here in TypeScript so sample() needs no sharp call).
import { Rng } from '../../util/rng.js';
import { degrade, degradePage } from './degrade.js';
import { renderCleanPage, renderInk } from './layout.js';

/** A grey page pair, row-major H×W, values 0..1 (1 = white paper). */
export interface PagePair {
  width: number;
  height: number;
  clean: Float32Array;
  noisy: Float32Array;
}

/** One clean page and one degradation of it. */
export async function synthPagePair(rng: Rng, width: number, height: number): Promise<PagePair> {
  const clean = await renderCleanPage(rng, width, height);
  const noisy = await degradePage(rng, clean, width, height);
  return { width, height, clean, noisy };
}

/** A pool that pre-renders K clean pages (text rendering is the slow part) and makes fresh degradations from random crops of them. */
export class SyntheticPageSource {
  readonly pageCount: number;
  readonly pageWidth: number;
  readonly pageHeight: number;
  /** Ink coverage 0..255 of each page (clean = 1 - ink/255). */
  private pages: Uint8Array[] = [];

  constructor(readonly seed: number, opts: { pages?: number; pageWidth?: number; pageHeight?: number } = {}) {
    this.pageCount = opts.pages ?? 24;
    this.pageWidth = opts.pageWidth ?? 640;
    this.pageHeight = opts.pageHeight ?? 832;
    if (this.pageCount < 1) throw new Error('SyntheticPageSource needs at least one page');
  }

  get ready(): boolean {
    return this.pages.length === this.pageCount;
  }

  async init(): Promise<void> {
    if (this.ready) return;
    const rng = new Rng(this.seed);
    const rngs = Array.from({ length: this.pageCount }, (_, i) => rng.fork(i));
    const pages: Uint8Array[] = new Array(this.pageCount);
    // Two pages at a time: sharp renders on its own threads, the layout code is cheap.
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < this.pageCount) {
        const k = next++;
        const ink = await renderInk(rngs[k], this.pageWidth, this.pageHeight);
        const u8 = new Uint8Array(ink.length);
        for (let i = 0; i < ink.length; i++) u8[i] = Math.round(ink[i] * 255);
        pages[k] = u8;
      }
    };
    await Promise.all([worker(), worker()]);
    this.pages = pages;
  }

  /** The clean page `k` (for previews and tests). */
  cleanPage(k: number): Float32Array {
    const p = this.page(k);
    const out = new Float32Array(p.length);
    for (let i = 0; i < p.length; i++) out[i] = 1 - p[i] / 255;
    return out;
  }

  private page(k: number): Uint8Array {
    if (!this.ready) throw new Error('SyntheticPageSource.init() has not finished');
    return this.pages[k];
  }

  /** A random crop of a random page and a fresh random degradation of it. Synchronous. */
  sample(rng: Rng, cropW: number, cropH: number): { clean: Float32Array; noisy: Float32Array } {
    const PW = this.pageWidth;
    const PH = this.pageHeight;
    if (cropW > PW || cropH > PH) throw new Error(`crop ${cropW}×${cropH} is larger than the ${PW}×${PH} pages`);
    const n = cropW * cropH;
    let k = 0;
    let x0 = 0;
    let y0 = 0;
    // Prefer crops with some text; blank paper is still drawn now and then.
    for (let attempt = 0; attempt < 4; attempt++) {
      k = rng.int(0, this.pageCount);
      x0 = rng.int(0, PW - cropW + 1);
      y0 = rng.int(0, PH - cropH + 1);
      const p = this.page(k);
      let s = 0;
      for (let y = 0; y < cropH; y += 2) for (let x = 0; x < cropW; x += 2) s += p[(y + y0) * PW + x + x0];
      if (s / 255 > n * 0.004 || rng.bool(0.1)) break;
    }
    const p = this.page(k);
    const clean = new Float32Array(n);
    for (let y = 0; y < cropH; y++) {
      const row = (y + y0) * PW + x0;
      for (let x = 0; x < cropW; x++) clean[y * cropW + x] = 1 - p[row + x] / 255;
    }
    // Back side: a crop of another page, mirrored left to right.
    const kb = this.pageCount > 1 ? (k + 1 + rng.int(0, this.pageCount - 1)) % this.pageCount : k;
    const pb = this.page(kb);
    const bx = rng.int(0, PW - cropW + 1);
    const by = rng.int(0, PH - cropH + 1);
    const back = new Float32Array(n);
    for (let y = 0; y < cropH; y++) {
      const row = (y + by) * PW + bx;
      for (let x = 0; x < cropW; x++) back[y * cropW + x] = pb[row + cropW - 1 - x] / 255;
    }
    const noisy = degrade(rng, clean, cropW, cropH, { back, scale: Math.max(PW, PH) });
    return { clean, noisy };
  }
}
