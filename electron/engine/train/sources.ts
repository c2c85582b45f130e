// Batch sources by task, built from a plain (structured-clonable) spec so gradient workers can build
// their own copy; the photo store travels as a SharedArrayBuffer, so it is shared, not copied.
import { Rng } from '../util/rng.js';
import type { Batch, BatchSource } from './training-batch.js';
import type { ImageStore } from './image-store.js';
import { PhotoNoiseSource } from './photo-source.js';
import { InpaintSource, type InpaintSourceOptions } from './inpaint-source.js';
import { CodecSource } from './codec-source.js';

export type SourceSpec =
  | { kind: 'photo'; store: ImageStore; sigmaMax: number; greyProbability: number }
  | { kind: 'scan'; pairsRoot: string | null; synthSeed: number; synthFraction: number; synthPages: number }
  | ({ kind: 'inpaint'; store: ImageStore } & InpaintSourceOptions)
  | { kind: 'codec'; store: ImageStore; levels: number };

export async function createSource(spec: SourceSpec): Promise<BatchSource> {
  if (spec.kind === 'photo') return new PhotoNoiseSource(spec.store, spec);
  if (spec.kind === 'inpaint') return new InpaintSource(spec.store, spec);
  if (spec.kind === 'codec') return new CodecSource(spec.store, spec.levels);
  // Loaded on demand: page synthesis (fonts, text rendering) is only needed for the scan task.
  const { ScanPageSource } = await import('./scan-source.js');
  return ScanPageSource.create(spec);
}

/** Seed of sample `index` of step `step`: batches do not depend on how many workers share them. */
export function sampleSeed(seed: number, step: number, index: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(step + 1, 0xc2b2ae35) ^ Math.imul(index + 1, 0x27d4eb2f);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

/** Samples [first, first+count) of the step's global batch. */
export function sampleShard(source: BatchSource, seed: number, step: number, first: number, count: number, patch: number): Batch {
  const c = source.channels;
  const inC = source.inputChannels ?? c;
  const size = patch * patch * c;
  const inSize = patch * patch * inC;
  const input = new Float32Array(count * inSize);
  const target = new Float32Array(count * size);
  let sigma: Float32Array | undefined;
  let levels: Int32Array | undefined;
  for (let i = 0; i < count; i++) {
    const b = source.sample(new Rng(sampleSeed(seed, step, first + i)), 1, patch);
    input.set(b.input, i * inSize);
    target.set(b.target, i * size);
    if (b.sigma) {
      sigma ??= new Float32Array(count);
      sigma[i] = b.sigma[0];
    }
    if (b.levels) {
      levels ??= new Int32Array(count);
      levels[i] = b.levels[0];
    }
  }
  return { n: count, patch, channels: c, input, target, ...(sigma ? { sigma } : {}), ...(inC !== c ? { inputChannels: inC } : {}), ...(levels ? { levels, noiseSeed: sampleSeed(seed, step, first) } : {}) };
}
