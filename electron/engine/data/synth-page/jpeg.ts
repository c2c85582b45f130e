// JPEG artefacts: grey baseline JPEG (8×8 DCT, IJG-scaled luminance table), decoded back to 8-bit, in
// TypeScript so that sampling a degraded crop needs no sharp call.

const LUMA_Q = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80,
  62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98,
  112, 100, 103, 99,
];

const DCT = (() => {
  const m = new Float64Array(64);
  for (let u = 0; u < 8; u++) for (let x = 0; x < 8; x++) m[u * 8 + x] = (u === 0 ? Math.SQRT1_2 : 1) * 0.5 * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
  return m;
})();

export function jpegQuantTable(quality: number): Float64Array {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const s = q < 50 ? 5000 / q : 200 - 2 * q;
  const t = new Float64Array(64);
  for (let i = 0; i < 64; i++) t[i] = Math.min(255, Math.max(1, Math.floor((LUMA_Q[i] * s + 50) / 100)));
  return t;
}

/** Round-trips a 0..1 grey image through grey baseline JPEG at `quality`, in place (result 8-bit). */
export function jpegArtefacts(img: Float32Array, w: number, h: number, quality: number): void {
  const Q = jpegQuantTable(quality);
  const blk = new Float64Array(64);
  const tmp = new Float64Array(64);
  for (let by = 0; by < h; by += 8) {
    for (let bx = 0; bx < w; bx += 8) {
      for (let y = 0; y < 8; y++) {
        const yy = Math.min(h - 1, by + y);
        for (let x = 0; x < 8; x++) {
          const xx = Math.min(w - 1, bx + x);
          const v = Math.round(img[yy * w + xx] * 255);
          blk[y * 8 + x] = (v < 0 ? 0 : v > 255 ? 255 : v) - 128;
        }
      }
      // Forward DCT: rows then columns.
      for (let y = 0; y < 8; y++) {
        for (let u = 0; u < 8; u++) {
          let s = 0;
          for (let x = 0; x < 8; x++) s += DCT[u * 8 + x] * blk[y * 8 + x];
          tmp[y * 8 + u] = s;
        }
      }
      for (let u = 0; u < 8; u++) {
        for (let v = 0; v < 8; v++) {
          let s = 0;
          for (let y = 0; y < 8; y++) s += DCT[v * 8 + y] * tmp[y * 8 + u];
          const q = Q[v * 8 + u];
          blk[v * 8 + u] = Math.round(s / q) * q;
        }
      }
      // Inverse DCT.
      for (let v = 0; v < 8; v++) {
        for (let x = 0; x < 8; x++) {
          let s = 0;
          for (let u = 0; u < 8; u++) s += DCT[u * 8 + x] * blk[v * 8 + u];
          tmp[v * 8 + x] = s;
        }
      }
      for (let y = 0; y < 8 && by + y < h; y++) {
        for (let x = 0; x < 8 && bx + x < w; x++) {
          let s = 0;
          for (let v = 0; v < 8; v++) s += DCT[v * 8 + y] * tmp[v * 8 + x];
          const p = Math.round(s + 128);
          img[(by + y) * w + bx + x] = (p < 0 ? 0 : p > 255 ? 255 : p) / 255;
        }
      }
    }
  }
}
