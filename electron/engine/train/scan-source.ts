// Scan-cleaning batches: crops of the real Kaggle pairs (training split only) mixed with synthetic
// degraded pages, since the real set has only eight page backgrounds.
import { Rng } from '../util/rng.js';
import { loadDocPairs, splitDocPairs } from '../data/doc-pairs.js';
import { SyntheticPageSource } from '../data/synth-page/page-source.js';
import { randomCrop } from './augment.js';
import type { Batch, BatchSource } from './training-batch.js';

interface Pair {
  width: number;
  height: number;
  noisy: Float32Array;
  clean: Float32Array;
}

export class ScanPageSource implements BatchSource {
  readonly channels = 1 as const;

  private constructor(
    private readonly pairs: Pair[],
    private readonly synth: SyntheticPageSource,
    private readonly synthFraction: number,
  ) {}

  static async create(spec: { pairsRoot: string | null; synthSeed: number; synthFraction: number; synthPages: number }): Promise<ScanPageSource> {
    const pairs = spec.pairsRoot ? splitDocPairs(await loadDocPairs(spec.pairsRoot)).train : [];
    const synth = new SyntheticPageSource(spec.synthSeed, { pages: spec.synthPages });
    await synth.init();
    return new ScanPageSource(pairs, synth, pairs.length ? spec.synthFraction : 1);
  }

  sample(rng: Rng, n: number, patch: number): Batch {
    const size = patch * patch;
    const input = new Float32Array(n * size);
    const target = new Float32Array(n * size);
    for (let i = 0; i < n; i++) {
      if (rng.bool(this.synthFraction)) {
        const s = this.synth.sample(rng, patch, patch);
        input.set(s.noisy, i * size);
        target.set(s.clean, i * size);
      } else {
        const p = this.pairs[rng.int(0, this.pairs.length)];
        // Same crop and transform for both: draw with a cloned generator state.
        const state = rng.int(0, 2 ** 31);
        randomCrop(new Rng(state), p.noisy, 0, p.width, p.height, 1, patch, input, i * size, 1);
        randomCrop(new Rng(state), p.clean, 0, p.width, p.height, 1, patch, target, i * size, 1);
      }
    }
    return { n, patch, channels: 1, input, target };
  }
}
