// Blind noise-level estimate for the photo model when the user gives no --sigma: the median absolute
// deviation of the finest diagonal Haar wavelet band (Donoho & Johnstone), which is dominated by noise
// rather than image structure. Texture makes it overestimate slightly, so we take the lower quartile of
// per-block estimates (the flattest regions). Noise on 8-bit data is clipped at 0 and 255, which hides
// part of it in dark and bright regions; so only 2×2 groups whose level lies at least 3σ from both
// bounds count, with σ refined over a few passes (dark photos otherwise read 30 % low at σ=25).

const BLOCK = 32;
const MIN_COEFFS = 48;

/** Lower-quartile block estimate (0..1 units) from groups whose mean lies in (lo, hi). */
function quartileEstimate(data: Float32Array, width: number, height: number, channels: number, lo: number, hi: number): number | null {
  const estimates: number[] = [];
  const hh: number[] = [];
  const row = width * channels;
  for (let by = 0; by + BLOCK <= height; by += BLOCK) {
    for (let bx = 0; bx + BLOCK <= width; bx += BLOCK) {
      for (let c = 0; c < channels; c++) {
        hh.length = 0;
        for (let y = by; y < by + BLOCK; y += 2) {
          for (let x = bx; x < bx + BLOCK; x += 2) {
            const i = (y * width + x) * channels + c;
            const a = data[i];
            const b = data[i + channels];
            const d = data[i + row];
            const e = data[i + row + channels];
            const mean = (a + b + d + e) / 4;
            if (mean <= lo || mean >= hi) continue;
            hh.push(Math.abs(a - b - d + e) / 2);
          }
        }
        if (hh.length < MIN_COEFFS) continue;
        hh.sort((p, q) => p - q);
        estimates.push(hh[hh.length >> 1] / 0.6745);
      }
    }
  }
  if (estimates.length === 0) return null;
  estimates.sort((p, q) => p - q);
  return estimates[Math.floor(estimates.length * 0.25)];
}

/** Returns σ in 0..255 units for an HWC image with values 0..1. */
export function estimateNoiseSigma(data: Float32Array, width: number, height: number, channels: number): number {
  // First pass: groups with no sample at the bounds at all.
  let sigma = quartileEstimate(data, width, height, channels, 1 / 255, 254 / 255);
  if (sigma === null) sigma = quartileEstimate(data, width, height, channels, -1, 2) ?? 0;
  for (let pass = 0; pass < 3; pass++) {
    const margin = Math.min(0.45, 3 * sigma);
    const next = quartileEstimate(data, width, height, channels, margin, 1 - margin);
    if (next === null) break;
    sigma = next;
  }
  // 8-bit rounding alone adds about 0.29 (1/√12) in 0..255 units; remove it in quadrature.
  const s255 = sigma * 255;
  return Math.sqrt(Math.max(0, s255 * s255 - 1 / 12));
}
