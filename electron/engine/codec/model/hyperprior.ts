// The codec's transforms in TensorFlow.js, as plain functions over a parameter map (like nn/unet.ts), so
// the same definition serves training, encoding and decoding. See config.ts for the architecture.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../util/rng.js';
import { pixelShuffle2, pixelUnshuffle2 } from '../../nn/shuffle.js';
import type { ParamSpec, Params } from '../../nn/unet.js';
import { EXACT_POINTS, EXACT_SHIFTS_PARAM, type HyperpriorConfig } from './config.js';

/** Lower bound of the Gaussian scale, equal to the smallest entropy-coding table's (entropy/gaussian.ts). */
export const SCALE_BOUND = 0.11;
/** Lower bound of a likelihood in the rate term (caps one symbol's cost at ~30 bits, avoids log 0). */
const LIKELIHOOD_BOUND = 1e-9;

/** He-style init; `gain` 1 before a ReLU, √½ before GDN or nothing (no half of the signal is cut). */
function conv(name: string, k: number, cin: number, cout: number, gain = Math.SQRT1_2): ParamSpec[] {
  return [
    { name: `${name}.w`, shape: [k, k, cin, cout], std: gain * Math.sqrt(2 / (k * k * cin)) },
    { name: `${name}.b`, shape: [cout], std: 0 },
  ];
}

/** Simplified GDN (Johnston et al. 2019): x / (β + γ·|x|), β and γ kept positive by |·|. */
function gdn(name: string, c: number): ParamSpec[] {
  return [
    { name: `${name}.beta`, shape: [c], std: 0 },
    { name: `${name}.gamma`, shape: [1, 1, c, c], std: 0 },
  ];
}

/** Every parameter, in a fixed order (the order of the weights file). */
export function hyperpriorParamSpecs(cfg: HyperpriorConfig): ParamSpec[] {
  const { n, m, nz } = cfg;
  const levels = cfg.lambdas.length;
  return [
    // analysis g_a: 3 → y (M channels at 1/16)
    ...conv('ga0', 3, 4 * cfg.channels, n),
    ...gdn('ga0.gdn', n),
    ...conv('ga1', 3, 4 * n, n),
    ...gdn('ga1.gdn', n),
    ...conv('ga2', 3, 4 * n, n),
    ...gdn('ga2.gdn', n),
    ...conv('ga3', 3, 4 * n, m),
    // synthesis g_s: y → 3
    ...conv('gs0', 3, m, 4 * n),
    ...gdn('gs0.igdn', n),
    ...conv('gs1', 3, n, 4 * n),
    ...gdn('gs1.igdn', n),
    ...conv('gs2', 3, n, 4 * n),
    ...gdn('gs2.igdn', n),
    ...conv('gs3', 3, n, 4 * cfg.channels, 0.1),
    // hyper-analysis h_a: y → z (NZ channels at 1/64)
    ...conv('ha0', 3, m, n, 1),
    ...conv('ha1', 3, 4 * n, n, 1),
    ...conv('ha2', 3, 4 * n, nz),
    // hyper-synthesis h_s: z → (μ, log2 σ) of y
    ...conv('hs0', 3, nz, 4 * n, 1),
    ...conv('hs1', 3, n, 4 * n, 1),
    ...conv('hs2', 1, n, 2 * m, 0.5),
    // factorized prior of z: one logistic per channel
    { name: 'z.loc', shape: [nz], std: 0 },
    { name: 'z.logscale', shape: [nz], std: 0 },
    // per-quality gains on y (log domain): y·gain before quantisation, ŷ·igain before synthesis
    { name: 'gain.log', shape: [levels, m], std: 0 },
    { name: 'igain.log', shape: [levels, m], std: 0 },
    // calibrated after training (exact-synthesis-calibration.ts), not learned
    ...(cfg.exactSynthesis ? [{ name: EXACT_SHIFTS_PARAM, shape: [EXACT_POINTS], std: 0 }] : []),
  ];
}

export function hyperpriorInitParams(cfg: HyperpriorConfig, seed: number): Params {
  const rng = new Rng(seed);
  const params: Params = new Map();
  const mid = cfg.lambdas[Math.floor(cfg.lambdas.length / 2)];
  for (const spec of hyperpriorParamSpecs(cfg)) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (spec.std > 0) for (let i = 0; i < size; i++) data[i] = rng.normal() * spec.std;
    if (spec.name.endsWith('.beta')) data.fill(1);
    if (spec.name.endsWith('.gamma')) {
      // 0.1 on the diagonal as Ballé's GDN starts; a small positive floor elsewhere so |γ| has gradients.
      const c = spec.shape[3];
      data.fill(1e-3);
      for (let i = 0; i < c; i++) data[i * c + i] = 0.1;
    }
    if (spec.name === 'gain.log' || spec.name === 'igain.log') {
      // A finer quantiser for a larger λ: step ∝ λ^(−1/2) for an MSE-optimal uniform quantiser.
      const m = spec.shape[1];
      for (let l = 0; l < cfg.lambdas.length; l++) {
        const g = 0.5 * Math.log(cfg.lambdas[l] / mid);
        data.fill(spec.name === 'gain.log' ? g : -g, l * m, (l + 1) * m);
      }
    }
    params.set(spec.name, tf.tensor(data, spec.shape, 'float32'));
  }
  return params;
}

function get(params: Params, name: string): tf.Tensor {
  const t = params.get(name);
  if (!t) throw new Error(`codec model is missing parameter ${name}`);
  return t;
}

function convApply(params: Params, name: string, x: tf.Tensor4D): tf.Tensor4D {
  return tf.add(tf.conv2d(x, get(params, `${name}.w`) as tf.Tensor4D, 1, 'same'), get(params, `${name}.b`));
}

/** γ·|x| + β over channels, the GDN denominator (or IGDN multiplier). */
function gdnNorm(params: Params, name: string, x: tf.Tensor4D): tf.Tensor4D {
  const gamma = tf.abs(get(params, `${name}.gamma`)) as tf.Tensor4D;
  const beta = tf.add(tf.abs(get(params, `${name}.beta`)), 1e-4);
  return tf.add(tf.conv2d(tf.abs(x), gamma, 1, 'valid'), beta);
}

/** y = g_a(x): x [N,H,W,3] in 0..1 (H, W multiples of 64) → [N,H/16,W/16,M]. */
export function analysis(params: Params, x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    let f = convApply(params, 'ga0', pixelUnshuffle2(tf.sub(x, 0.5)));
    f = tf.div(f, gdnNorm(params, 'ga0.gdn', f));
    f = convApply(params, 'ga1', pixelUnshuffle2(f));
    f = tf.div(f, gdnNorm(params, 'ga1.gdn', f));
    f = convApply(params, 'ga2', pixelUnshuffle2(f));
    f = tf.div(f, gdnNorm(params, 'ga2.gdn', f));
    return convApply(params, 'ga3', pixelUnshuffle2(f));
  });
}

/**
 * x̂ = g_s(ŷ): [N,h,w,M] → [N,16h,16w,3] (not clipped). `probe` sees the activations at the seven points
 * Q0…Q6 where the exact synthesis rounds them (exact-synthesis.ts), for its calibration.
 */
export function synthesis(params: Params, y: tf.Tensor4D, probe?: (point: number, t: tf.Tensor4D) => void): tf.Tensor4D {
  return tf.tidy(() => {
    let f = y;
    probe?.(0, f);
    for (let s = 0; s < 3; s++) {
      f = pixelShuffle2(convApply(params, `gs${s}`, f));
      probe?.(2 * s + 1, f);
      f = tf.mul(f, gdnNorm(params, `gs${s}.igdn`, f));
      probe?.(2 * s + 2, f);
    }
    return tf.add(pixelShuffle2(convApply(params, 'gs3', f)), 0.5);
  });
}

/** z = h_a(y·gain): [N,h,w,M] → [N,h/4,w/4,NZ]. */
export function hyperAnalysis(params: Params, y: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    let f = tf.relu(convApply(params, 'ha0', y));
    f = tf.relu(convApply(params, 'ha1', pixelUnshuffle2(f)));
    return convApply(params, 'ha2', pixelUnshuffle2(f));
  });
}

/**
 * (μ, log2 σ) = h_s(ẑ): [N,h,w,NZ] → [N,4h,4w,2M], means first. Training only: the codec runs the
 * float64 re-implementation (hyper-synthesis-f64.ts) so that encoder and decoder agree to the bit.
 */
export function hyperSynthesis(params: Params, z: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    let f = tf.relu(pixelShuffle2(convApply(params, 'hs0', z)));
    f = tf.relu(pixelShuffle2(convApply(params, 'hs1', f)));
    return convApply(params, 'hs2', f);
  });
}

/**
 * exp(gain.log[level]) or exp(igain.log[level]) per sample, shaped [N,1,1,M]. Selected by a one-hot
 * product rather than tf.gather, whose gradient (UnsortedSegmentSum) the wasm backend lacks.
 */
export function levelGains(params: Params, which: 'gain' | 'igain', levels: Int32Array): tf.Tensor4D {
  return tf.tidy(() => {
    const table = get(params, `${which}.log`) as tf.Tensor2D;
    const count = table.shape[0];
    const onehot = new Float32Array(levels.length * count);
    for (let i = 0; i < levels.length; i++) {
      if (!(levels[i] >= 0 && levels[i] < count)) throw new Error(`quality level ${levels[i]} out of range`);
      onehot[i * count + levels[i]] = 1;
    }
    const g = tf.exp(tf.matMul(tf.tensor2d(onehot, [levels.length, count]), table));
    return tf.reshape(g, [levels.length, 1, 1, table.shape[1]]);
  });
}

/** Rounding whose gradient is the identity (straight-through estimator). */
const steRound = tf.customGrad((x, save) => {
  void save;
  return { value: tf.round(x as tf.Tensor), gradFunc: (dy: tf.Tensor) => dy };
}) as (x: tf.Tensor) => tf.Tensor;

/** P(integer bin around v) under a logistic(loc, s): symmetric form, accurate in both tails. */
function logisticMass(v: tf.Tensor, loc: tf.Tensor, scale: tf.Tensor): tf.Tensor {
  const d = tf.abs(tf.sub(v, loc));
  const hi = tf.sigmoid(tf.div(tf.sub(0.5, d), scale));
  const lo = tf.sigmoid(tf.div(tf.sub(-0.5, d), scale));
  return tf.maximum(tf.sub(hi, lo), LIKELIHOOD_BOUND);
}

/** P(integer bin around d) under N(0, σ²), symmetric form. */
function gaussianMass(d: tf.Tensor, sigma: tf.Tensor): tf.Tensor {
  const a = tf.abs(d);
  const k = Math.SQRT1_2;
  const hi = tf.erf(tf.mul(tf.div(tf.sub(0.5, a), sigma), k));
  const lo = tf.erf(tf.mul(tf.div(tf.sub(-0.5, a), sigma), k));
  return tf.maximum(tf.mul(tf.sub(hi, lo), 0.5), LIKELIHOOD_BOUND);
}

export function zScale(params: Params): tf.Tensor {
  return tf.add(tf.exp(get(params, 'z.logscale')), 0.05);
}

export interface RdTerms {
  /** Per-sample bits per pixel (y and z). */
  bpp: tf.Tensor1D;
  /** Per-sample mean squared error on 0..1 values. */
  mse: tf.Tensor1D;
  /** The reconstruction, not clipped. */
  xHat: tf.Tensor4D;
}

/**
 * The rate and the reconstruction of gained latents `y` ([N,h,w,M], quantisation relative to the predicted mean
 * as the encoder does it): per-sample bits of y and z, and x̂. `noiseSeed` set: uniform noise stands in for
 * rounding in the rate, rounding with a straight-through gradient feeds the synthesis (training, and the
 * encoder's latent refinement); unset: rounding everywhere.
 */
export function rdFromLatents(params: Params, y: tf.Tensor4D, igain: tf.Tensor, noiseSeed?: number): { bits: tf.Tensor1D; xHat: tf.Tensor4D } {
  return tf.tidy(() => {
    const z = hyperAnalysis(params, y);
    const noise = (t: tf.Tensor, s: number) => tf.add(t, tf.randomUniform(t.shape, -0.5, 0.5, 'float32', s));
    const zForRate = noiseSeed === undefined ? tf.round(z) : noise(z, noiseSeed);
    const zHat = noiseSeed === undefined ? tf.round(z) : steRound(z);
    const zBits = tf.sum(tf.neg(tf.log(logisticMass(zForRate, get(params, 'z.loc'), zScale(params)))), [1, 2, 3]);
    const hs = hyperSynthesis(params, zHat as tf.Tensor4D) as tf.Tensor4D;
    const [mu, logSigma] = tf.split(hs, 2, 3);
    const sigma = tf.maximum(tf.pow(2, logSigma), SCALE_BOUND);
    const centred = tf.sub(y, mu);
    const yForRate = noiseSeed === undefined ? tf.round(centred) : noise(centred, noiseSeed + 1);
    const yBits = tf.sum(tf.neg(tf.log(gaussianMass(yForRate, sigma))), [1, 2, 3]);
    const yHat = tf.add(mu, steRound(centred)) as tf.Tensor4D;
    const xHat = synthesis(params, tf.mul(yHat, igain) as tf.Tensor4D);
    return { bits: tf.div(tf.add(yBits, zBits), Math.LN2) as tf.Tensor1D, xHat };
  });
}

/**
 * The forward pass used for training (`noiseSeed` set: additive uniform noise stands in for rounding in
 * the rate, rounding with a straight-through gradient feeds the synthesis) and for validation (no seed:
 * rounding everywhere, so the rate is what the entropy coder would spend up to its tables).
 */
export function rdForward(cfg: HyperpriorConfig, params: Params, x: tf.Tensor4D, levels: Int32Array, noiseSeed?: number): RdTerms {
  return tf.tidy(() => {
    const [, h, w] = x.shape;
    const y = tf.mul(analysis(params, x), levelGains(params, 'gain', levels)) as tf.Tensor4D;
    const { bits, xHat } = rdFromLatents(params, y, levelGains(params, 'igain', levels), noiseSeed);
    const bpp = tf.div(bits, h * w) as tf.Tensor1D;
    const mse = tf.mean(tf.square(tf.sub(xHat, x)), [1, 2, 3]) as tf.Tensor1D;
    void cfg;
    return { bpp, mse, xHat };
  });
}

/** Training loss: mean over the batch of bpp + λ·255²·MSE, each sample at its own quality level. */
export function rdLoss(cfg: HyperpriorConfig, params: Params, x: tf.Tensor4D, levels: Int32Array, noiseSeed: number): tf.Scalar {
  return tf.tidy(() => {
    const { bpp, mse } = rdForward(cfg, params, x, levels, noiseSeed);
    const lambdas = tf.tensor1d(Array.from(levels, (l) => cfg.lambdas[l] * 255 * 255));
    return tf.mean(tf.add(bpp, tf.mul(lambdas, mse))) as tf.Scalar;
  });
}
