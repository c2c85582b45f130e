// Blurs for the degradations: separable Gaussian (defocus, bleed-through, grain) and directional (smudges).

/** Gaussian kernels by sigma (to 0.01): every crop blurs with a handful of sigmas. */
const kernelCache = new Map<number, Float32Array>();

function gaussKernel(sigma: number): Float32Array {
  const key = Math.round(sigma * 100);
  let k = kernelCache.get(key);
  if (k) return k;
  const s = key / 100;
  const r = Math.max(1, Math.ceil(2.5 * s));
  k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * s * s));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  kernelCache.set(key, k);
  return k;
}

/** Separable Gaussian blur with clamped edges, in place. */
export function blur(a: Float32Array, w: number, h: number, sigma: number): void {
  if (sigma < 0.15) return;
  const k = gaussKernel(sigma);
  const r = (k.length - 1) >> 1;
  const tmp = new Float32Array(a.length);
  const line = new Float32Array(Math.max(w, h) + 2 * r);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let i = 0; i < r; i++) {
      line[i] = a[row];
      line[w + r + i] = a[row + w - 1];
    }
    for (let x = 0; x < w; x++) line[x + r] = a[row + x];
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = 0; i < k.length; i++) s += k[i] * line[x + i];
      tmp[row + x] = s;
    }
  }
  for (let x = 0; x < w; x++) {
    for (let i = 0; i < r; i++) {
      line[i] = tmp[x];
      line[h + r + i] = tmp[(h - 1) * w + x];
    }
    for (let y = 0; y < h; y++) line[y + r] = tmp[y * w + x];
    for (let y = 0; y < h; y++) {
      let s = 0;
      for (let i = 0; i < k.length; i++) s += k[i] * line[y + i];
      a[y * w + x] = s;
    }
  }
}

/** Blur along a direction (smear), `len` px long, in place. */
export function directionalBlur(a: Float32Array, w: number, h: number, angle: number, len: number): void {
  const steps = Math.max(2, Math.round(len));
  const ox = new Int32Array(steps);
  const oy = new Int32Array(steps);
  for (let k = 0; k < steps; k++) {
    const t = k - (steps - 1) / 2;
    ox[k] = Math.round(Math.cos(angle) * t);
    oy[k] = Math.round(Math.sin(angle) * t);
  }
  const src = a.slice();
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let k = 0; k < steps; k++) {
        let xx = x + ox[k];
        let yy = y + oy[k];
        xx = xx < 0 ? 0 : xx >= w ? w - 1 : xx;
        yy = yy < 0 ? 0 : yy >= h ? h - 1 : yy;
        s += src[yy * w + xx];
      }
      a[y * w + x] = s / steps;
    }
  }
}
