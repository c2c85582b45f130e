// The synthesis transform g_s in integer-exact form, so a file decodes to the same pixels on every engine
// (TensorFlow.js cpu, wasm, node; onnxruntime) whatever order each sums its convolutions in.
//
// Why it is exact. Every convolution takes integer-valued activations and integer weights (per output
// channel a power-of-two scale is kept aside), and the derivation below proves that no partial sum can
// reach 2^24, the range where float32 holds every integer: so every engine's sum, in any order, with or
// without fused multiply-adds, is the same exact integer. Everything else is one IEEE operation per
// element whose result is correctly rounded everywhere (a product, +0.5, floor, clamp, a power-of-two
// scale, which is exact). Graph optimisers that fold a per-channel power-of-two into the weights keep
// exactness (the terms of one sum share the scale).
//
// The network (config.ts; float version hyperprior.ts `synthesis`), with the seven points Q0…Q6 where
// activations are rounded to the grid 2^−k (k from the model's `gs.act_log2`) and clamped to ±A:
//   Q0 = ŷ·igain (done in JavaScript, float64)
//   stage s = 0, 1, 2:  c = conv_s(a) → Q(2s+1): g = shuffle(c)  → n = β + γ·|g|  → Q(2s+2): a = g·n
//   last:               x = shuffle(conv_3(a)) + 0.5
// A is the largest value (≤ 2047, so activations and weights also pass TF32 tensor cores unrounded) for
// which the convolution fed by that point provably stays below 2^24. The clamps and scales are derived
// from the weights and the seven shifts with exact double arithmetic only, so every install derives the
// same network.
import * as tf from '@tensorflow/tfjs';
import { pow2 } from '../entropy/det-math.js';
import { pixelShuffle2 } from '../../nn/shuffle.js';
import { EXACT_SHIFTS_PARAM, EXACT_POINTS, type HyperpriorConfig } from './config.js';

/** float32 represents every integer of magnitude ≤ 2^24; sums are kept strictly below it. */
export const EXACT_SUM_LIMIT = 2 ** 24;
/**
 * Largest integer weight. 9 bits: with the clamps this leaves (≈ 350–2047) it measured the smallest loss
 * against the float synthesis on models/codec (−0.01 to −0.02 dB on 4 val crops at qualities 1, 4, 6;
 * 8-bit weights lost 0.03–0.05 dB, 10-bit 0.02–0.05 dB: too coarse activations).
 */
export const WEIGHT_LIMIT = 255;
/** Largest integer activation (11 significant bits: exact in TF32 too). */
export const ACTIVATION_LIMIT = 2047;
/** Largest integer bias: leaves most of the exact range to the products. */
const BIAS_LIMIT = 2 ** 22;
/** A clamp below this leaves too coarse a grid: the model cannot be made exact. */
export const MIN_ACTIVATION_LIMIT = 63;

/** One integer convolution: out(real) = (Σ W·a + B) · scale[o], exact. */
export interface IntConv {
  k: number;
  cin: number;
  cout: number;
  /** [k, k, cin, cout] integer weights. */
  w: Float32Array;
  /** [cout] integer biases, in accumulator units. */
  b: Float32Array;
  /** [cout] exponent: the accumulator (inputs as grid integers) times 2^−exp is the real output. */
  exp: Int32Array;
}

export interface ExactSynthesis {
  /** Grid exponents k of Q0…Q6. */
  shifts: number[];
  /** Clamp A of Q0…Q6. */
  limits: number[];
  /** 2^k0: what ŷ·igain is multiplied by at Q0 (quantiseLatent runs once per latent). */
  inputScale: number;
  /** gs0…gs3. */
  convs: IntConv[];
  /** IGDN of stages 0…2, as 1×1 integer convolutions over |g| (γ ≥ 0, β folded into the bias). */
  gdns: IntConv[];
}

/**
 * Quantises `w` ([k,k,cin,cout], one scale per output channel) to integers |W| ≤ WEIGHT_LIMIT with a
 * power-of-two scale, W = round(w·2^e), and `bias` to the accumulator's grid for inputs on the grid
 * 2^−inShift. With `outShift` (the grid its output is rounded to, 0 for the image) the bias also carries
 * the rounding's +½ (on that grid), so the graphs round with clamp and floor alone. Returns the
 * convolution and the largest input clamp that keeps every sum, bias included, below 2^24.
 */
function intConv(k: number, cin: number, cout: number, w: Float32Array, bias: Float64Array, inShift: number, outShift?: number): { conv: IntConv; limit: number } {
  // (A non-finite value would also send the exponent searches below into an endless loop.)
  if (!w.every(Number.isFinite) || !bias.every(Number.isFinite)) throw new Error('codec model: the synthesis weights hold a non-finite value');
  const exp = new Int32Array(cout);
  const wi = new Float32Array(w.length);
  const bi = new Float32Array(cout);
  let limit = ACTIVATION_LIMIT;
  for (let o = 0; o < cout; o++) {
    let max = 0;
    for (let i = o; i < w.length; i += cout) max = Math.max(max, Math.abs(w[i]));
    let e = 0;
    if (max > 0) {
      while (max * pow2(e) > WEIGHT_LIMIT) e--;
      while (max * pow2(e + 1) <= WEIGHT_LIMIT && e < 60) e++;
    }
    // A near-dead channel would get a grid so fine that its bias leaves the exact range: coarsen it.
    while (Math.abs(bias[o]) * pow2(inShift + e) > BIAS_LIMIT) e--;
    const s = pow2(e);
    let sumAbs = 0;
    for (let i = o; i < w.length; i += cout) {
      wi[i] = Math.round(w[i] * s);
      sumAbs += Math.abs(wi[i]);
    }
    // The accumulator's unit is 2^−(inShift+e): the bias on that grid.
    exp[o] = inShift + e;
    bi[o] = Math.round(bias[o] * pow2(inShift + e));
    if (outShift !== undefined) {
      // ½ on the output grid is 2^(exp − outShift − 1) accumulator units: an integer unless the grid is too fine.
      const half = exp[o] - outShift - 1;
      if (half < 0) limit = 0;
      else bi[o] += pow2(half);
    }
    // Largest clamp A with sumAbs·A + |B| < 2^24: no partial sum, in any order, can leave the exact range.
    const room = EXACT_SUM_LIMIT - 1 - Math.abs(bi[o]);
    if (room < 0 || limit === 0) limit = 0;
    else if (sumAbs > 0) limit = Math.min(limit, Math.floor(room / sumAbs));
  }
  return { conv: { k, cin, cout, w: wi, b: bi, exp }, limit };
}

function weight(weights: Map<string, Float32Array>, name: string, size: number): Float32Array {
  const v = weights.get(name);
  if (!v || v.length !== size) throw new Error(`codec model: ${name} is missing or has the wrong size`);
  return v;
}

/** The weights of conv `name` and of the IGDN behind it (if any), widened and with |γ|, |β| + 1e-4 as in the float model. */
function layerWeights(cfg: HyperpriorConfig, weights: Map<string, Float32Array>, stage: number) {
  const { n, m } = cfg;
  const cin = stage === 0 ? m : n;
  const cout = stage === 3 ? 4 * cfg.channels : 4 * n;
  const w = weight(weights, `gs${stage}.w`, 9 * cin * cout);
  const b = Float64Array.from(weight(weights, `gs${stage}.b`, cout));
  if (stage === 3) return { cin, cout, w, b };
  const gamma = Float32Array.from(weight(weights, `gs${stage}.igdn.gamma`, n * n), Math.abs);
  const beta = Float64Array.from(weight(weights, `gs${stage}.igdn.beta`, n), (v) => Math.abs(v) + 1e-4);
  return { cin, cout, w, b, gamma, beta };
}

/**
 * The integer convolution fed by point `p` at shift `shift`: for even p conv gs(p/2), whose output is
 * rounded to the grid `outShift` of point p+1 (0: the last conv gives the image); for odd p the IGDN of
 * stage (p−1)/2 (its product is rounded after it, so `outShift` is not used).
 */
export function pointConv(cfg: HyperpriorConfig, weights: Map<string, Float32Array>, p: number, shift: number, outShift: number): { conv: IntConv; limit: number } {
  const l = layerWeights(cfg, weights, p >> 1);
  if (p % 2 === 0) return intConv(3, l.cin, l.cout, l.w, l.b, shift, outShift);
  return intConv(1, cfg.n, cfg.n, l.gamma!, l.beta!, shift);
}

/** The grid exponent the output of the convolution fed by point p is rounded to (see pointConv). */
export function outShiftOf(shifts: readonly number[], p: number): number {
  return p + 1 < EXACT_POINTS ? shifts[p + 1] : 0;
}

/** Derives the exact network from the float weights and the seven shifts; throws if it cannot be exact. */
export function exactSynthesisFrom(cfg: HyperpriorConfig, weights: Map<string, Float32Array>, shifts: ArrayLike<number>): ExactSynthesis {
  const k = Array.from(shifts);
  if (k.length !== EXACT_POINTS || !k.every((v) => Number.isInteger(v) && Math.abs(v) <= 40)) {
    throw new Error(`codec model: ${EXACT_SHIFTS_PARAM} must hold ${EXACT_POINTS} integers, got [${k.join(', ')}]`);
  }
  const layers = k.map((shift, p) => pointConv(cfg, weights, p, shift, outShiftOf(k, p)));
  const limits = layers.map((l) => l.limit);
  const bad = limits.findIndex((a) => a < MIN_ACTIVATION_LIMIT);
  if (bad >= 0) throw new Error(`codec model: synthesis point Q${bad} cannot be made exact (clamp ${limits[bad]} at shift ${k[bad]})`);
  return {
    shifts: k,
    limits,
    inputScale: pow2(k[0]),
    convs: layers.filter((_, p) => p % 2 === 0).map((l) => l.conv),
    gdns: layers.filter((_, p) => p % 2 === 1).map((l) => l.conv),
  };
}

/** Q0 in JavaScript: ŷ·igain (float64) → integer grid value, what the exact graphs take as input. */
export function quantiseLatent(es: ExactSynthesis, v: number): number {
  const a = Math.floor(v * es.inputScale + 0.5);
  return a > es.limits[0] ? es.limits[0] : a < -es.limits[0] ? -es.limits[0] : a;
}

/** A convolution as the graphs run it: weights [k,k,cin,cout] and bias, both scaled per output channel. */
export interface GraphConv {
  k: number;
  cin: number;
  cout: number;
  w: Float32Array;
  b: Float32Array;
}

/**
 * The convolutions as the TensorFlow.js and ONNX graphs run them, shared so both do the same arithmetic.
 * Each output channel's power-of-two scale is folded into its integer weights and bias: every term of a
 * sum then shares that scale, so the sums stay exact, and the graphs need no separate multiply. After
 * conv s the outputs land on the grid of point 2s+1; the IGDN's acc is scaled so that g·acc lands on the
 * grid of point 2s+2 (scaling by a power of two commutes with the product's rounding); the last conv
 * gives x̂ in image units. The gs convolutions' biases carry the +½ of the rounding that follows them.
 */
export function exactGraphConvs(es: ExactSynthesis): { convs: GraphConv[]; gdns: GraphConv[] } {
  const k = es.shifts;
  const scaled = (c: IntConv, scale: (o: number) => number): GraphConv => {
    const s = Float64Array.from({ length: c.cout }, (_, o) => scale(o));
    return { k: c.k, cin: c.cin, cout: c.cout, w: Float32Array.from(c.w, (v, i) => v * s[i % c.cout]), b: Float32Array.from(c.b, (v, o) => v * s[o]) };
  };
  return {
    convs: es.convs.map((c, s) => scaled(c, (o) => pow2((s < 3 ? k[2 * s + 1] : 0) - c.exp[o]))),
    // g·2^−k_g · acc·2^−exp on the grid 2^−k_next: g·acc·2^(k_next − k_g − exp).
    gdns: es.gdns.map((g, s) => scaled(g, (o) => pow2(k[2 * s + 2] - k[2 * s + 1] - g.exp[o]))),
  };
}

/** The graph convolutions as TensorFlow.js tensors (kept: made once per model, see codec-model.ts). */
export interface ExactTensors {
  convs: { w: tf.Tensor4D; b: tf.Tensor1D; k: number }[];
  gdns: { w: tf.Tensor4D; b: tf.Tensor1D; k: number }[];
}

export function exactTensors(es: ExactSynthesis): ExactTensors {
  const { convs, gdns } = exactGraphConvs(es);
  // Persistent tensors: the wasm backend caches its packed convolution per filter tensor.
  const t = (c: GraphConv) => ({ w: tf.keep(tf.tensor4d(c.w, [c.k, c.k, c.cin, c.cout])), b: tf.keep(tf.tensor1d(c.b)), k: c.k });
  return { convs: convs.map(t), gdns: gdns.map(t) };
}

/**
 * The exact synthesis in TensorFlow.js: `a0` [N,h,w,M] holds Q0 integers (quantiseLatent), the result
 * [N,16h,16w,3] is x̂ (0..1 scale, not clipped), identical on every backend. Rounding is ⌊clamp(x + ½)⌋
 * (the same as clamping ⌊x + ½⌋ for an integer clamp), not tf.round, whose ties the backends need not
 * break alike; the +½ after a convolution is in its bias.
 */
export function exactSynthesisTf(es: ExactSynthesis, tensors: ExactTensors, a0: tf.Tensor4D): tf.Tensor4D {
  const floorClamp = (x: tf.Tensor, limit: number) => tf.floor(tf.clipByValue(x, -limit, limit)) as tf.Tensor4D;
  // Bias fused into the convolution: one pass fewer over the largest tensors (the sums stay exact).
  const conv = (c: ExactTensors['convs'][number], x: tf.Tensor4D) => tf.fused.conv2d({ x, filter: c.w, strides: 1, pad: c.k === 1 ? 'valid' : 'same', bias: c.b });
  // One tidy per half-stage, so a chunk's peak memory holds a few full-size tensors, not every intermediate.
  let a = a0;
  for (let s = 0; s < 3; s++) {
    const g = tf.tidy(() => pixelShuffle2(floorClamp(conv(tensors.convs[s], a), es.limits[2 * s + 1])));
    if (a !== a0) a.dispose();
    a = tf.tidy(() => floorClamp(tf.add(tf.mul(g, conv(tensors.gdns[s], tf.abs(g) as tf.Tensor4D)), 0.5), es.limits[2 * s + 2]));
    g.dispose();
  }
  const x = tf.tidy(() => pixelShuffle2(conv(tensors.convs[3], a)));
  a.dispose();
  return x;
}
