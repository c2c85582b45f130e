// What a training step consumes: a batch of corrupted inputs and clean targets, NHWC floats 0..1.
import type { Rng } from '../util/rng.js';

export interface Batch {
  n: number;
  patch: number;
  channels: 1 | 3;
  input: Float32Array;
  target: Float32Array;
  /** Per-sample noise level (0..1 units) for models with a noise-map input. */
  sigma?: Float32Array;
  /** Planes per input pixel when the input carries extra planes (the inpainter's mask); default `channels`. */
  inputChannels?: number;
  /** Per-sample quality level (codec training). */
  levels?: Int32Array;
  /** Seed of the step's random noise (codec training: the stand-in for quantisation). */
  noiseSeed?: number;
}

export interface BatchSource {
  readonly channels: 1 | 3;
  /** Planes per input pixel, when more than `channels` (extra input planes). */
  readonly inputChannels?: number;
  sample(rng: Rng, n: number, patch: number): Batch;
}
