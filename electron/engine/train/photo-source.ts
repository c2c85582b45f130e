// Photo denoising batches: random crops of clean photos plus Gaussian noise of a random σ, rounded and
// clipped to 8 bits exactly as a user's noisy file would be (the evaluation protocol). Some samples are
// made grey (identical planes and identical noise) so the colour model also serves grey photos.
import type { Rng } from '../util/rng.js';
import { randomCrop } from './augment.js';
import type { Batch, BatchSource } from './training-batch.js';
import type { ImageStore } from './image-store.js';

export interface PhotoSourceOptions {
  sigmaMax: number;
  greyProbability: number;
}

export class PhotoNoiseSource implements BatchSource {
  readonly channels = 3 as const;
  private readonly pixels: Uint8Array;

  constructor(
    private readonly store: ImageStore,
    private readonly opts: PhotoSourceOptions = { sigmaMax: 55, greyProbability: 0.15 },
  ) {
    this.pixels = new Uint8Array(store.buffer);
  }

  sample(rng: Rng, n: number, patch: number): Batch {
    const size = patch * patch * 3;
    const input = new Float32Array(n * size);
    const target = new Float32Array(n * size);
    const sigma = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const img = this.store.images[rng.int(0, this.store.images.length)];
      const base = i * size;
      randomCrop(rng, this.pixels, img.offset, img.width, img.height, 3, patch, target, base, 1);
      const grey = rng.bool(this.opts.greyProbability);
      if (grey) {
        for (let p = base; p < base + size; p += 3) {
          const l = Math.round(0.299 * target[p] + 0.587 * target[p + 1] + 0.114 * target[p + 2]);
          target[p] = target[p + 1] = target[p + 2] = l;
        }
      }
      // σ drawn uniformly in 0..sigmaMax (0..255 units); noise added in 8-bit units, then rounded and clipped.
      const s = rng.uniform(0, this.opts.sigmaMax);
      sigma[i] = s / 255;
      for (let p = base; p < base + size; p += grey ? 3 : 1) {
        const noisy = Math.min(255, Math.max(0, Math.round(target[p] + s * rng.normal())));
        if (grey) {
          input[p] = input[p + 1] = input[p + 2] = noisy / 255;
        } else {
          input[p] = noisy / 255;
        }
      }
      for (let p = base; p < base + size; p++) target[p] /= 255;
    }
    return { n, patch, channels: 3, input, target, sigma };
  }
}
