// SSIM between an image and its reconstruction, measured as a saved 8-bit file would be (PSNR on 8-bit
// values is train/validate.ts `psnr8`; the codec also measures it on the fly, image-codec.ts `measure`).

/** Images larger than this skip SSIM in reports (its Gaussian filtering costs ~100 operations a pixel). */
export const SSIM_MAX_PIXELS = 16_000_000;

/**
 * SSIM (Wang et al. 2004) on the luma (Rec. 601) of 8-bit-rounded values: 11-tap Gaussian window, σ 1.5,
 * K1 0.01, K2 0.03, mean over the valid area. Returns undefined above SSIM_MAX_PIXELS.
 */
export function ssim(a: { data: Float32Array; width: number; height: number; channels: number }, b: { data: Float32Array }): number | undefined {
  const { width: w, height: h, channels: c } = a;
  if (w * h > SSIM_MAX_PIXELS) return undefined;
  const luma = (d: Float32Array) => {
    const out = new Float32Array(w * h);
    for (let p = 0; p < w * h; p++) {
      const v = c === 1 ? Math.round(d[p] * 255) : 0.299 * Math.round(d[3 * p] * 255) + 0.587 * Math.round(d[3 * p + 1] * 255) + 0.114 * Math.round(d[3 * p + 2] * 255);
      out[p] = v;
    }
    return out;
  };
  const x = luma(a.data);
  const y = luma(b.data);
  const taps = Array.from({ length: 11 }, (_, i) => Math.exp(-((i - 5) ** 2) / (2 * 1.5 * 1.5)));
  const sum = taps.reduce((s, t) => s + t, 0);
  const g = taps.map((t) => t / sum);
  if (w < 11 || h < 11) return undefined;
  const ow = w - 10;
  const oh = h - 10;
  // Separable filtering of x, y, x², y², xy into the valid area.
  const filter = (src: Float32Array): Float32Array => {
    const tmp = new Float32Array(ow * h);
    for (let r = 0; r < h; r++) for (let q = 0; q < ow; q++) {
      let s = 0;
      for (let k = 0; k < 11; k++) s += g[k] * src[r * w + q + k];
      tmp[r * ow + q] = s;
    }
    const out = new Float32Array(ow * oh);
    for (let r = 0; r < oh; r++) for (let q = 0; q < ow; q++) {
      let s = 0;
      for (let k = 0; k < 11; k++) s += g[k] * tmp[(r + k) * ow + q];
      out[r * ow + q] = s;
    }
    return out;
  };
  const mx = filter(x);
  const my = filter(y);
  const xx = filter(x.map((v) => v * v));
  const yy = filter(y.map((v) => v * v));
  const xy = filter(x.map((v, i) => v * y[i]));
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  let total = 0;
  for (let i = 0; i < mx.length; i++) {
    const vx = xx[i] - mx[i] * mx[i];
    const vy = yy[i] - my[i] * my[i];
    const cov = xy[i] - mx[i] * my[i];
    total += ((2 * mx[i] * my[i] + c1) * (2 * cov + c2)) / ((mx[i] * mx[i] + my[i] * my[i] + c1) * (vx + vy + c2));
  }
  return total / mx.length;
}
