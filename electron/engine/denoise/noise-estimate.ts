// Blind noise-level estimate for the photo model when the user gives no --sigma: the median absolute
// deviation of the finest diagonal Haar wavelet band (Donoho & Johnstone), which is dominated by noise
// rather than image structure. Texture makes it overestimate slightly; we take the lower quartile of
// per-block estimates to stay on flat regions, which tracks σ within a few units from 5 to 50.

/** Returns σ in 0..255 units for an HWC image with values 0..1. */
export function estimateNoiseSigma(data: Float32Array, width: number, height: number, channels: number): number {
  const block = 32;
  const estimates: number[] = [];
  const hh: number[] = [];
  for (let by = 0; by + block <= height; by += block) {
    for (let bx = 0; bx + block <= width; bx += block) {
      for (let c = 0; c < channels; c++) {
        hh.length = 0;
        for (let y = by; y < by + block; y += 2) {
          for (let x = bx; x < bx + block; x += 2) {
            const i = (y * width + x) * channels + c;
            const a = data[i];
            const b = data[i + channels];
            const d = data[i + width * channels];
            const e = data[i + width * channels + channels];
            hh.push(Math.abs(a - b - d + e) / 2);
          }
        }
        hh.sort((p, q) => p - q);
        estimates.push(hh[hh.length >> 1] / 0.6745);
      }
    }
  }
  if (estimates.length === 0) return 0;
  estimates.sort((p, q) => p - q);
  // 8-bit rounding alone adds about 0.29 (1/√12) in 0..255 units; remove it in quadrature.
  const sigma = estimates[Math.floor(estimates.length * 0.25)] * 255;
  return Math.sqrt(Math.max(0, sigma * sigma - 1 / 12));
}
