// Turns a freshly trained (float) codec into one that decodes integer-exact: runs real image crops
// through the float model at every quality level, records the largest activation at each of the seven
// points where the exact synthesis rounds (exact-synthesis.ts), and picks each point's finest grid whose
// clamp still covers it. Measured on models/codec: the exact synthesis then loses 0.01–0.02 dB PSNR
// against the float one (see its model card).
import * as tf from '@tensorflow/tfjs';
import type { Params } from '../../nn/unet.js';
import { pow2 } from '../entropy/det-math.js';
import { EXACT_POINTS, EXACT_SHIFTS_PARAM, type HyperpriorConfig } from './config.js';
import { MIN_ACTIVATION_LIMIT, outShiftOf, pointConv } from './exact-synthesis.js';
import { analysis, hyperAnalysis, hyperSynthesis, levelGains, synthesis } from './hyperprior.js';

/** Headroom over the largest activation seen (calibration crops are small; photos vary). */
const MARGIN = 1;

/** ŷ·igain of crop `x` at quality level `level`, as the codec forms it (float, for calibration only). */
function synthesisInput(params: Params, x: tf.Tensor4D, level: number): tf.Tensor4D {
  return tf.tidy(() => {
    const lv = Int32Array.of(level);
    const y = tf.mul(analysis(params, x), levelGains(params, 'gain', lv));
    const z = tf.round(hyperAnalysis(params, y as tf.Tensor4D));
    const [mu] = tf.split(hyperSynthesis(params, z as tf.Tensor4D), 2, 3);
    const yHat = tf.add(mu, tf.round(tf.sub(y, mu)));
    return tf.mul(yHat, levelGains(params, 'igain', lv)) as tf.Tensor4D;
  });
}

/** The seven shifts k for `crops` ([1,H,W,3] in 0..1, sides multiples of 64), each coded at every level. */
export function calibrateShifts(cfg: HyperpriorConfig, weights: Map<string, Float32Array>, params: Params, crops: tf.Tensor4D[]): Float32Array {
  const range = new Array<number>(EXACT_POINTS).fill(0);
  for (const x of crops) {
    for (let level = 0; level < cfg.lambdas.length; level++) {
      tf.tidy(() => {
        synthesis(params, synthesisInput(params, x, level), (p, t) => {
          range[p] = Math.max(range[p], tf.max(tf.abs(t)).dataSync()[0]);
        });
      });
    }
  }
  // Odd points first: the convolutions fed by even points round onto the next (odd) point's grid.
  const shifts = new Array<number>(EXACT_POINTS).fill(0);
  for (const p of [1, 3, 5, 0, 2, 4, 6]) shifts[p] = finestShift(cfg, weights, p, range[p], shifts);
  return Float32Array.from(shifts);
}

function finestShift(cfg: HyperpriorConfig, weights: Map<string, Float32Array>, p: number, range: number, shifts: number[]): number {
  for (let k = 24; k >= -24; k--) {
    const limit = pointConv(cfg, weights, p, k, outShiftOf(shifts, p)).limit;
    if (limit >= MIN_ACTIVATION_LIMIT && range * MARGIN * pow2(k) <= limit) return k;
  }
  throw new Error(`codec model: no grid covers synthesis point Q${p} (largest activation ${range})`);
}

/** The model as shipped: `exactSynthesis` set and its shifts added to the weights. */
export function withExactSynthesis(cfg: HyperpriorConfig, weights: Map<string, Float32Array>, shifts: Float32Array): { arch: HyperpriorConfig; weights: Map<string, Float32Array> } {
  return { arch: { ...cfg, exactSynthesis: true }, weights: new Map([...weights, [EXACT_SHIFTS_PARAM, shifts]]) };
}
