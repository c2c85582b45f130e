// Codec batches: random crops of clean photos (eight flips/rotations), each at a random quality level,
// so one run trains every level of the variable-rate model.
import type { Rng } from '../util/rng.js';
import { randomCrop } from './augment.js';
import type { Batch, BatchSource } from './training-batch.js';
import type { ImageStore } from './image-store.js';

export class CodecSource implements BatchSource {
  readonly channels = 3 as const;
  private readonly pixels: Uint8Array;

  constructor(
    private readonly store: ImageStore,
    private readonly levels: number,
  ) {
    this.pixels = new Uint8Array(store.buffer);
  }

  sample(rng: Rng, n: number, patch: number): Batch {
    const size = patch * patch * 3;
    const target = new Float32Array(n * size);
    const levels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const img = this.store.images[rng.int(0, this.store.images.length)];
      randomCrop(rng, this.pixels, img.offset, img.width, img.height, 3, patch, target, i * size, 1 / 255);
      levels[i] = rng.int(0, this.levels);
    }
    return { n, patch, channels: 3, input: target, target, levels };
  }
}
