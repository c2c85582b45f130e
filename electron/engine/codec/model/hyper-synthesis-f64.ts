// The hyper-synthesis h_s re-implemented in float64 JavaScript: what both the encoder and the decoder use
// to choose each latent's probability table and mean. It must give the same bits on every machine, so:
//  - only +, ×, comparisons and Math.floor on doubles (IEEE 754 makes them correctly rounded, and
//    JavaScript never fuses a multiply-add), summed in one fixed order;
//  - inputs are integers (the decoded z) and the weights are float16 values widened exactly;
//  - the scale leaves as an integer log2(σ)·2^16, which picks a table by integer comparisons
//    (entropy/gaussian.ts `scaleIndexFromLog2Q`); no exp or log is evaluated.
// TensorFlow.js runs the same network in float32 for training (hyperprior.ts `hyperSynthesis`); the two
// agree to float32 precision (test/codec-model.test.ts), which is all training needs.
import { indexesFromLog2Q, LOG2_SCALE_FRAC_BITS } from '../entropy/gaussian.js';
import type { HyperpriorConfig } from './config.js';

interface ConvWeights {
  k: number;
  cin: number;
  cout: number;
  /** [k, k, cin, cout] as float64. */
  w: Float64Array;
  b: Float64Array;
}

export interface HyperSynthesisWeights {
  hs0: ConvWeights;
  hs1: ConvWeights;
  hs2: ConvWeights;
}

function convWeights(weights: Map<string, Float32Array>, name: string, k: number, cin: number, cout: number): ConvWeights {
  const w = weights.get(`${name}.w`);
  const b = weights.get(`${name}.b`);
  if (!w || !b || w.length !== k * k * cin * cout || b.length !== cout) throw new Error(`codec model: ${name} is missing or has the wrong shape`);
  return { k, cin, cout, w: Float64Array.from(w), b: Float64Array.from(b) };
}

export function hyperSynthesisWeights(cfg: HyperpriorConfig, weights: Map<string, Float32Array>): HyperSynthesisWeights {
  return {
    hs0: convWeights(weights, 'hs0', 3, cfg.nz, 4 * cfg.n),
    hs1: convWeights(weights, 'hs1', 3, cfg.n, 4 * cfg.n),
    hs2: convWeights(weights, 'hs2', 1, cfg.n, 2 * cfg.m),
  };
}

/** 'same' convolution (zero padding), HWC, float64, fixed summation order: bias, then (ky, kx, ci). */
function conv(x: Float64Array, h: number, w: number, c: ConvWeights): Float64Array {
  const { k, cin, cout } = c;
  const r = (k - 1) >> 1;
  const out = new Float64Array(h * w * cout);
  const acc = new Float64Array(cout);
  for (let oy = 0; oy < h; oy++) {
    for (let ox = 0; ox < w; ox++) {
      acc.set(c.b);
      for (let ky = 0; ky < k; ky++) {
        const iy = oy + ky - r;
        if (iy < 0 || iy >= h) continue;
        for (let kx = 0; kx < k; kx++) {
          const ix = ox + kx - r;
          if (ix < 0 || ix >= w) continue;
          const inBase = (iy * w + ix) * cin;
          const wBase = (ky * k + kx) * cin * cout;
          for (let ci = 0; ci < cin; ci++) {
            const v = x[inBase + ci];
            if (v === 0) continue; // adds exactly nothing; ReLU outputs and z are mostly zeros
            const wb = wBase + ci * cout;
            for (let co = 0; co < cout; co++) acc[co] += v * c.w[wb + co];
          }
        }
      }
      out.set(acc, (oy * w + ox) * cout);
    }
  }
  return out;
}

/** Pixel shuffle (×2) then ReLU, in the channel order of nn/shuffle.ts: in channel = dy·2C + dx·C + c. */
function shuffleRelu(x: Float64Array, h: number, w: number, c4: number): Float64Array {
  const c = c4 / 4;
  const out = new Float64Array(h * w * c4);
  const W = 2 * w;
  for (let y = 0; y < h; y++) {
    for (let x0 = 0; x0 < w; x0++) {
      const src = (y * w + x0) * c4;
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          const dst = ((2 * y + dy) * W + 2 * x0 + dx) * c;
          const s = src + dy * 2 * c + dx * c;
          for (let ch = 0; ch < c; ch++) {
            const v = x[s + ch];
            out[dst + ch] = v > 0 ? v : 0;
          }
        }
      }
    }
  }
  return out;
}

export interface LatentParams {
  /** Predicted mean of each latent, y layout (HWC, M channels). */
  mu: Float64Array;
  /** Gaussian table index of each latent. */
  indexes: Uint8Array;
}

/** Largest |log2 σ·2^16| kept: far outside the tables (σ from 2^-64 to 2^64), and exact in int32. */
const LOG2Q_LIMIT = 64 * 2 ** LOG2_SCALE_FRAC_BITS;

/** (μ, table index) of every latent from the integer hyper-latents z ([zh, zw, NZ], HWC). */
export function hyperSynthesisF64(cfg: HyperpriorConfig, hw: HyperSynthesisWeights, z: Int32Array, zh: number, zw: number): LatentParams {
  if (z.length !== zh * zw * cfg.nz) throw new Error(`z has ${z.length} values, expected ${zh}×${zw}×${cfg.nz}`);
  const f0 = shuffleRelu(conv(Float64Array.from(z), zh, zw, hw.hs0), zh, zw, 4 * cfg.n);
  const f1 = shuffleRelu(conv(f0, 2 * zh, 2 * zw, hw.hs1), 2 * zh, 2 * zw, 4 * cfg.n);
  const h = 4 * zh;
  const w = 4 * zw;
  const out = conv(f1, h, w, hw.hs2);
  const m = cfg.m;
  const count = h * w * m;
  const mu = new Float64Array(count);
  const q = new Int32Array(count);
  const scale = 2 ** LOG2_SCALE_FRAC_BITS;
  for (let p = 0; p < h * w; p++) {
    for (let c = 0; c < m; c++) {
      mu[p * m + c] = out[p * 2 * m + c];
      const s = Math.floor(out[p * 2 * m + m + c] * scale);
      q[p * m + c] = s > LOG2Q_LIMIT ? LOG2Q_LIMIT : s < -LOG2Q_LIMIT ? -LOG2Q_LIMIT : s;
    }
  }
  return { mu, indexes: indexesFromLog2Q(q) };
}
