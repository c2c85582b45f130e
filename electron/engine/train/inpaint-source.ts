// Inpainting batches: random crops of clean photos with a generated free-form mask (5–50 % holes by
// default). The input is the image with its holes pre-filled (Telea's method, or zeros) plus the mask as a
// fourth plane; the target is the clean crop. Masks are drawn at the scale of the whole source photo, so
// stroke widths and blob sizes are those a user's mask on a whole image would have. Some samples are made
// grey (identical planes) so the colour model also serves grey photos and scanned pages.
import type { Rng } from '../util/rng.js';
import { generateMask } from '../inpaint/masks.js';
import { teleaInpaint } from '../inpaint/telea.js';
import { randomCrop } from './augment.js';
import type { Batch, BatchSource } from './training-batch.js';
import type { ImageStore } from './image-store.js';

export interface InpaintSourceOptions {
  minHole: number;
  maxHole: number;
  greyProbability: number;
  prefill: 'zero' | 'telea';
}

export const DEFAULT_INPAINT_SOURCE: InpaintSourceOptions = { minHole: 0.05, maxHole: 0.5, greyProbability: 0.1, prefill: 'telea' };

export class InpaintSource implements BatchSource {
  readonly channels = 3 as const;
  readonly inputChannels = 4;
  private readonly pixels: Uint8Array;

  constructor(
    private readonly store: ImageStore,
    private readonly opts: InpaintSourceOptions = DEFAULT_INPAINT_SOURCE,
  ) {
    this.pixels = new Uint8Array(store.buffer);
  }

  sample(rng: Rng, n: number, patch: number): Batch {
    const px = patch * patch;
    const input = new Float32Array(n * px * 4);
    const target = new Float32Array(n * px * 3);
    const crop = new Float32Array(px * 3);
    for (let i = 0; i < n; i++) {
      const img = this.store.images[rng.int(0, this.store.images.length)];
      randomCrop(rng, this.pixels, img.offset, img.width, img.height, 3, patch, crop, 0, 1 / 255);
      if (rng.bool(this.opts.greyProbability)) {
        for (let p = 0; p < px * 3; p += 3) crop[p] = crop[p + 1] = crop[p + 2] = 0.299 * crop[p] + 0.587 * crop[p + 1] + 0.114 * crop[p + 2];
        // rounded to 8 bits like a grey file
        for (let p = 0; p < px * 3; p++) crop[p] = Math.round(crop[p] * 255) / 255;
      }
      const scale = Math.min(img.width, img.height) * rng.uniform(0.5, 1);
      const mask = generateMask(rng, patch, patch, { minFraction: this.opts.minHole, maxFraction: this.opts.maxHole, scale });
      const filled = this.opts.prefill === 'telea' ? teleaInpaint(crop, patch, patch, 3, mask.data) : crop;
      target.set(crop, i * px * 3);
      const base = i * px * 4;
      for (let p = 0; p < px; p++) {
        const hole = mask.data[p];
        for (let c = 0; c < 3; c++) input[base + p * 4 + c] = hole && this.opts.prefill === 'zero' ? 0 : filled[p * 3 + c];
        input[base + p * 4 + 3] = hole;
      }
    }
    return { n, patch, channels: 3, input, target, inputChannels: 4 };
  }
}
