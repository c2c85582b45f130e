// Encoder-side refinement (`--effort`): the latents of one image are optimised for the rate–distortion cost the
// model was trained on, with the decoder fixed (Campos et al. 2019; the straight-through rounding and noisy rate
// of the training loss, hyperprior.ts rdFromLatents). Only the encoder's y changes: the file is an ordinary
// `.aez` file of the same model, so any install restores it, bit-exactly as always.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../tfjs/backend.js';
import { throwIfCancelled } from '../util/errors.js';
import { rdFromLatents } from './model/hyperprior.js';
import { gainsFor, levelMix, type CodecModel } from './codec-model.js';

/** Steps of refinement per effort level (0: none). More steps at this step size did worse in a first try
 * (120 steps: about the same bits, 0.1–0.3 dB lower), so one level for now (scripts/bench-effort.ts). */
export const EFFORT_STEPS = [0, 40] as const;
export const MAX_EFFORT = EFFORT_STEPS.length - 1;

/** λ of a quality byte: the levels' λ interpolated in the log domain, as the gains are. */
function lambdaFor(model: CodecModel, q: number): number {
  const { lambdas } = model.cfg;
  const { i, f } = levelMix(model.cfg, q);
  return lambdas.length === 1 ? lambdas[0] : Math.exp(Math.log(lambdas[i]) * (1 - f) + Math.log(lambdas[i + 1]) * f);
}

/**
 * Refines the (pre-gain) latents `y` [lh·lw·M] of one padded tile `pixels` [ph·pw·3] (values beyond the tile's
 * valid `width`×`height` do not count) for quality byte `q`; returns new latents of the same layout.
 */
export async function refineLatents(
  model: CodecModel,
  pixels: Float32Array,
  pw: number,
  ph: number,
  width: number,
  height: number,
  y: Float32Array,
  q: number,
  steps: number,
  signal?: AbortSignal,
  onStep?: (done: number) => void,
): Promise<Float32Array> {
  if (steps <= 0) return y;
  await initBackend();
  const { m } = model.cfg;
  const lh = ph / 16;
  const lw = pw / 16;
  const lambda = lambdaFor(model, q) * 255 * 255;
  const gain = tf.tensor4d(gainsFor(model, q, 'gain'), [1, 1, 1, m]);
  const igain = tf.tensor4d(gainsFor(model, q, 'igain'), [1, 1, 1, m]);
  const x = tf.tensor4d(pixels, [1, ph, pw, 3]);
  const valid = new Float32Array(ph * pw);
  for (let r = 0; r < height; r++) valid.fill(1, r * pw, r * pw + width);
  const mask = tf.tensor4d(valid, [1, ph, pw, 1]);
  const yVar = tf.variable(tf.tensor4d(y, [1, lh, lw, m]), true);
  // Steps shrink over the run (cosine), so the last ones settle what the first ones explored.
  const peak = 0.02;
  const opt = tf.train.adam(peak);
  try {
    for (let s = 0; s < steps; s++) {
      throwIfCancelled(signal);
      (opt as unknown as { learningRate: number }).learningRate = peak * 0.5 * (1 + Math.cos((Math.PI * s) / steps));
      const cost = opt.minimize(() => {
        const { bits, xHat } = rdFromLatents(model.params, tf.mul(yVar, gain) as tf.Tensor4D, igain, 1000 + s);
        const se = tf.sum(tf.mul(tf.square(tf.sub(xHat, x)), mask));
        return tf.div(tf.add(tf.sum(bits), tf.mul(lambda / 3, se)), width * height) as tf.Scalar;
      }, true, [yVar]);
      cost?.dispose();
      onStep?.(s + 1);
      if (s % 8 === 7) await new Promise((r) => setImmediate(r)); // let a cancel in
    }
    return (await yVar.data()) as Float32Array;
  } finally {
    tf.dispose([gain, igain, x, mask, yVar]);
    opt.dispose();
  }
}
