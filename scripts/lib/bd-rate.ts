// Bjøntegaard delta rate (VCEG-M33): the average bit-rate difference between two rate–distortion curves
// over the quality range they share. Each curve's log-rate is fitted as a cubic polynomial of PSNR and the
// fits are integrated over the overlapping PSNR interval. Negative = the test codec needs fewer bits.

export interface RdPoint {
  bpp: number;
  psnr: number;
}

/** Least-squares polynomial fit of degree `deg` (normal equations; tiny systems, x centred for stability). */
function polyfit(xs: number[], ys: number[], deg: number): { coef: number[]; x0: number } {
  const x0 = xs.reduce((a, b) => a + b, 0) / xs.length;
  const n = deg + 1;
  const A = Array.from({ length: n }, () => new Array<number>(n + 1).fill(0));
  for (let k = 0; k < xs.length; k++) {
    const x = xs[k] - x0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) A[i][j] += x ** (i + j);
      A[i][n] += ys[k] * x ** i;
    }
  }
  // Gaussian elimination with partial pivoting.
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r][c]) > Math.abs(A[p][c])) p = r;
    [A[c], A[p]] = [A[p], A[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = A[r][c] / A[c][c];
      for (let k = c; k <= n; k++) A[r][k] -= f * A[c][k];
    }
  }
  return { coef: A.map((row, i) => row[n] / A[i][i]), x0 };
}

/** ∫ of the fitted polynomial from a to b. */
function integrate(fit: { coef: number[]; x0: number }, a: number, b: number): number {
  const F = (x: number) => fit.coef.reduce((s, c, i) => s + (c * (x - fit.x0) ** (i + 1)) / (i + 1), 0);
  return F(b) - F(a);
}

/**
 * BD-rate of `test` against `anchor` in percent, or undefined when the curves share no PSNR range or a
 * curve has fewer than 4 points (a cubic needs 4).
 */
export function bdRate(anchor: RdPoint[], test: RdPoint[]): number | undefined {
  if (anchor.length < 4 || test.length < 4) return undefined;
  const lo = Math.max(Math.min(...anchor.map((p) => p.psnr)), Math.min(...test.map((p) => p.psnr)));
  const hi = Math.min(Math.max(...anchor.map((p) => p.psnr)), Math.max(...test.map((p) => p.psnr)));
  if (!(hi > lo)) return undefined;
  const fa = polyfit(anchor.map((p) => p.psnr), anchor.map((p) => Math.log(p.bpp)), 3);
  const ft = polyfit(test.map((p) => p.psnr), test.map((p) => Math.log(p.bpp)), 3);
  const avgDiff = (integrate(ft, lo, hi) - integrate(fa, lo, hi)) / (hi - lo);
  return (Math.exp(avgDiff) - 1) * 100;
}

/** The PSNR range two curves share (for reports). */
export function sharedPsnrRange(a: RdPoint[], b: RdPoint[]): [number, number] {
  return [Math.max(Math.min(...a.map((p) => p.psnr)), Math.min(...b.map((p) => p.psnr))), Math.min(Math.max(...a.map((p) => p.psnr)), Math.max(...b.map((p) => p.psnr)))];
}
