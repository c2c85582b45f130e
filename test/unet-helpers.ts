// Shared by the tests that grow a U-Net (widen-unet, deepen-unet): random weights and a forward pass.
import * as tf from '@tensorflow/tfjs';
import { forward, paramSpecs, type UNetConfig } from '../electron/engine/nn/unet.js';
import { Rng } from '../electron/engine/util/rng.js';

/** Every weight and bias random (biases too, so a misplaced channel shows). */
export function randomWeights(cfg: UNetConfig, seed: number): Map<string, Float32Array> {
  const rng = new Rng(seed);
  const m = new Map<string, Float32Array>();
  for (const s of paramSpecs(cfg)) m.set(s.name, Float32Array.from({ length: s.shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * 0.2));
  return m;
}

/** The network's output for `x` with these weights. */
export function runUNet(cfg: UNetConfig, weights: Map<string, Float32Array>, x: tf.Tensor4D, sigma?: number): Float32Array {
  const params = new Map<string, tf.Tensor>(paramSpecs(cfg).map((s) => [s.name, tf.tensor(weights.get(s.name)!, s.shape)]));
  const out = forward(cfg, params, x, sigma).dataSync() as Float32Array;
  for (const t of params.values()) t.dispose();
  return out;
}

export function maxDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}
