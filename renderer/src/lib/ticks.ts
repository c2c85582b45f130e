// Axis ticks at round numbers (1, 2 or 5 times a power of ten) for plots drawn by hand (Explore's plane).

export interface Ticks {
  values: number[];
  /** Decimals that show every tick distinctly (0 for steps of 1 or more). */
  decimals: number;
}

/** About `target` round-numbered ticks inside [lo, hi]. */
export function niceTicks(lo: number, hi: number, target: number): Ticks {
  const span = hi - lo;
  if (!(span > 0) || !Number.isFinite(span)) return { values: Number.isFinite(lo) ? [lo] : [], decimals: 0 };
  const rough = span / Math.max(1, target);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough * (1 - 1e-9)) ?? 10 * power;
  const first = Math.ceil(lo / step - 1e-9);
  const values: number[] = [];
  // Multiples of the step, not a running sum, so rounding errors do not pile up (and −0 becomes 0).
  for (let k = first; k * step <= hi + step * 1e-9; k++) values.push(k === 0 ? 0 : k * step);
  return { values, decimals: Math.max(0, -Math.floor(Math.log10(step) + 1e-9)) };
}

/** A tick's label, with a true minus sign. */
export function tickLabel(v: number, decimals: number): string {
  return v.toFixed(decimals).replace(/^-/, '−');
}
