// Non-local means (Buades, Coll & Morel 2005), pixelwise, as the classic baseline of the denoising
// benchmark. Computed with the per-offset integral method (Darbon et al. 2008): for each offset d of the
// search window, the squared-difference image |I(a) − I(a+d)|² (summed over channels) is box-filtered
// over the patch with running sums, so the cost per pixel and offset is O(1) whatever the patch size.
// The patch distance is symmetric (pixel a seen from a+d through offset −d gives the same distance as
// a+d seen from a through +d), so only half of the offsets are computed and each weight is applied to
// both pixels of the pair.
//
// Weights follow the IPOL formulation (Buades, Coll & Morel, "Non-Local Means Denoising", IPOL 2011):
//   d² = mean squared difference over the patch and the channels (8-bit units),
//   w  = exp(−max(d² − 2σ², 0) / h²),
// the centre pixel weighing 1. Colour images share one weight across channels (distance averaged over
// channels), as OpenCV's fastNlMeansDenoisingColored roughly does (it works in Lab; this works in RGB).
// Borders are mirror-reflected.
import { reflectIndex } from '../../electron/engine/image/tiling.js';

export interface NlmOptions {
  /** Noise standard deviation in 8-bit units (0..255). */
  sigma: number;
  /** Filtering parameter in 8-bit units; default from nlmDefaults(). */
  h?: number;
  /** Patch half-size: 3 gives 7×7 patches. */
  patchRadius?: number;
  /** Search window half-size: 10 gives 21×21. */
  searchRadius?: number;
}

/** h/σ at a few noise levels, linearly interpolated between them and held constant outside. */
const H_FACTOR_COLOUR: readonly [number, number][] = [[15, 0.7], [25, 0.6], [50, 0.35]];
const H_FACTOR_GREY: readonly [number, number][] = [[15, 0.75], [25, 0.6], [50, 0.35]];

function interpolate(knots: readonly [number, number][], x: number): number {
  if (x <= knots[0][0]) return knots[0][1];
  for (let i = 1; i < knots.length; i++) {
    const [x1, y1] = knots[i];
    if (x <= x1) {
      const [x0, y0] = knots[i - 1];
      return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
    }
  }
  return knots[knots.length - 1][1];
}

/**
 * Parameters by noise level and channel count. Tuned for 8-bit data on 256² crops of *training* images
 * (photos/train, grey/train at σ 15/25/50; the validation sets were not used), search window 21×21.
 * Colour prefers 3×3 patches at every σ tried (the shared weight over three channels already averages
 * enough; IPOL's table also uses 3×3 for colour up to σ=25); grey wants 5×5 beyond σ≈20.
 */
export function nlmDefaults(sigma: number, channels: number): Required<NlmOptions> {
  const colour = channels > 1;
  const patchRadius = colour || sigma <= 20 ? 1 : 2;
  const hFactor = interpolate(colour ? H_FACTOR_COLOUR : H_FACTOR_GREY, sigma);
  return { sigma, h: hFactor * sigma, patchRadius, searchRadius: 10 };
}

const LUT_MAX = 32; // exp(−32) ≈ 1e−14: beyond it the weight is 0
const LUT_STEPS = 512; // entries per unit of the exponent
const LUT = (() => {
  const t = new Float64Array(LUT_MAX * LUT_STEPS + 1);
  for (let i = 0; i < t.length; i++) t[i] = Math.exp(-(i + 0.5) / LUT_STEPS);
  t[0] = 1;
  return t;
})();

/**
 * Denoises an interleaved HWC image with values in 0..1 (any channel count). Returns a new array, 0..1.
 * Cost: about (2·searchRadius+1)²/2 passes over the image, each a few operations per sample.
 */
export function nlmDenoise(data: Float32Array, width: number, height: number, channels: number, opts: NlmOptions): Float32Array {
  const W = width;
  const H = height;
  const C = channels;
  if (!(W > 0 && H > 0 && C > 0) || data.length !== W * H * C) {
    throw new Error(`nlmDenoise: ${data.length} values do not make a ${W}×${H}×${C} image`);
  }
  const def = nlmDefaults(opts.sigma, C);
  const pr = opts.patchRadius ?? def.patchRadius;
  const sr = opts.searchRadius ?? def.searchRadius;
  const h = opts.h ?? def.h;
  const sigma = opts.sigma;
  if (!(h > 0)) {
    // No filtering strength: nothing to do.
    return Float32Array.from(data, (v) => (v < 0 ? 0 : v > 1 ? 1 : v));
  }
  const R = pr + sr;
  const Wp = W + 2 * R;
  const Hp = H + 2 * R;
  // Mirror-padded copy in 8-bit units.
  const P = new Float32Array(Wp * Hp * C);
  const xs = new Int32Array(Wp);
  for (let x = 0; x < Wp; x++) xs[x] = reflectIndex(x - R, W);
  for (let y = 0; y < Hp; y++) {
    const srow = reflectIndex(y - R, H) * W;
    const drow = y * Wp;
    for (let x = 0; x < Wp; x++) {
      const s = (srow + xs[x]) * C;
      const d = (drow + x) * C;
      for (let c = 0; c < C; c++) P[d + c] = data[s + c] * 255;
    }
  }

  const acc = new Float64Array(W * H * C);
  const wsum = new Float64Array(W * H);
  // Centre pixel: weight 1.
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const p = ((y + R) * Wp + x + R) * C;
      for (let c = 0; c < C; c++) acc[i * C + c] = P[p + c];
      wsum[i] = 1;
    }
  }

  const side = 2 * pr + 1;
  const norm = 1 / (side * side * C);
  const bias = 2 * sigma * sigma;
  const lutScale = LUT_STEPS / (h * h);
  const lutLen = LUT.length;

  // Scratch, sized for the largest box (|dx| = sr, dy = sr).
  const maxBw = W + sr;
  const maxBh = H + sr;
  const Hs = new Float64Array((maxBh + 2 * pr) * maxBw); // horizontal patch sums, per row
  const rowD = new Float64Array(maxBw + 2 * pr);
  const col = new Float64Array(maxBw);

  for (let dy = 0; dy <= sr; dy++) {
    for (let dx = -sr; dx <= sr; dx++) {
      if (dy === 0 && dx <= 0) continue; // half the window; d = 0 is the centre
      // Pixels a (image coordinates, may lie in the border) with a or a+d inside the image.
      const x0 = Math.min(0, -dx);
      const y0 = -dy;
      const bw = W + Math.abs(dx);
      const bh = H + dy;
      const ew = bw + 2 * pr;
      const eh = bh + 2 * pr;
      const doff = (dy * Wp + dx) * C;
      // 1. Squared differences and their horizontal sums over the patch width.
      for (let ey = 0; ey < eh; ey++) {
        const py = y0 - pr + ey + R;
        let p = (py * Wp + (x0 - pr + R)) * C;
        for (let ex = 0; ex < ew; ex++) {
          let s = 0;
          for (let c = 0; c < C; c++, p++) {
            const t = P[p] - P[p + doff];
            s += t * t;
          }
          rowD[ex] = s;
        }
        const hrow = ey * bw;
        let run = 0;
        for (let k = 0; k < side; k++) run += rowD[k];
        Hs[hrow] = run;
        for (let bx = 1; bx < bw; bx++) {
          run += rowD[bx + side - 1] - rowD[bx - 1];
          Hs[hrow + bx] = run;
        }
      }
      // 2. Vertical sums over the patch height, row by row, then the weights.
      for (let bx = 0; bx < bw; bx++) {
        let s = 0;
        for (let k = 0; k < side; k++) s += Hs[k * bw + bx];
        col[bx] = s;
      }
      for (let by = 0; by < bh; by++) {
        if (by > 0) {
          const add = (by + side - 1) * bw;
          const sub = (by - 1) * bw;
          for (let bx = 0; bx < bw; bx++) col[bx] += Hs[add + bx] - Hs[sub + bx];
        }
        const ay = y0 + by;
        const by2 = ay + dy;
        const aIn = ay >= 0; // ay < H always (y0 + bh = H)
        const bIn = by2 < H; // by2 >= 0 always
        for (let bx = 0; bx < bw; bx++) {
          const ax = x0 + bx;
          const bx2 = ax + dx;
          const aOk = aIn && ax >= 0 && ax < W;
          const bOk = bIn && bx2 >= 0 && bx2 < W;
          if (!aOk && !bOk) continue;
          let e = col[bx] * norm - bias;
          if (e < 0) e = 0;
          const li = (e * lutScale) | 0;
          if (li >= lutLen) continue;
          const w = LUT[li];
          const pa = ((ay + R) * Wp + ax + R) * C; // padded index of a
          const pb = pa + doff; // of a + d
          if (aOk) {
            const i = ay * W + ax;
            wsum[i] += w;
            const o = i * C;
            for (let c = 0; c < C; c++) acc[o + c] += w * P[pb + c];
          }
          if (bOk) {
            const j = by2 * W + bx2;
            wsum[j] += w;
            const o = j * C;
            for (let c = 0; c < C; c++) acc[o + c] += w * P[pa + c];
          }
        }
      }
    }
  }

  const out = new Float32Array(W * H * C);
  for (let i = 0; i < W * H; i++) {
    const inv = 1 / (255 * wsum[i]);
    for (let c = 0; c < C; c++) {
      const v = acc[i * C + c] * inv;
      out[i * C + c] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
  return out;
}
