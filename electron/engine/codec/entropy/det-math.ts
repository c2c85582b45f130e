// Deterministic elementary functions for building probability tables.
//
// Math.exp, Math.log and friends are not specified to be correctly rounded: V8 versions and CPUs may differ
// in the last ulp, and a table built from them could differ between machines. These functions use only
// +, −, ×, ÷ and comparisons on doubles (which IEEE 754 requires to be correctly rounded, and which
// JavaScript evaluates in double precision without fused multiply-add), in a fixed order, so every machine
// computes the same bits. They are accurate to about 1e-15 relative — far more than a 16-bit CDF needs —
// but their point is reproducibility, not the last digit. Only the table generator and tests use them.

// ln 2 split so that k·LN2_HI is exact for |k| < 2^20 (LN2_HI has its low 32 significand bits zero).
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
const LN2 = 0.6931471805599453;
const SQRT2 = 1.4142135623730951;
const SQRT1_2 = 0.7071067811865476;
const INV_SQRT_PI = 0.5641895835477563; // 1/√π
const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/√π

/** 2^k for an integer k, by repeated exact doubling/halving (no Math.pow). */
/** 2^k for an integer k, by exact doublings or halvings (Math.pow's accuracy is left open by the language). */
export function pow2(k: number): number {
  let r = 1;
  if (k >= 0) for (let i = 0; i < k; i++) r *= 2;
  else for (let i = 0; i > k; i--) r *= 0.5;
  return r;
}

/** e^x, deterministic. */
export function detExp(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x > 709) return Infinity;
  if (x < -708) return 0; // far below anything the tables need; avoids subnormal scaling
  // x = k·ln2 + r with |r| ≤ ln2/2; e^x = 2^k · e^r.
  const k = Math.round(x / LN2);
  const r = x - k * LN2_HI - k * LN2_LO;
  // Taylor series of e^r in Horner form: 1 + r(1 + r/2(1 + r/3(...))); 18 terms: error < 1e-20.
  let e = 1;
  for (let n = 18; n >= 1; n--) e = 1 + (r * e) / n;
  return e * pow2(k);
}

/** Natural logarithm of a positive finite x, deterministic. */
export function detLog(x: number): number {
  if (!(x > 0) || x === Infinity) throw new RangeError(`detLog(${x})`);
  let m = x;
  let e = 0;
  while (m >= 2) {
    m *= 0.5;
    e++;
  }
  while (m < 1) {
    m *= 2;
    e--;
  }
  if (m > SQRT2) {
    m *= 0.5;
    e++;
  }
  // log m = 2·atanh(s), s = (m−1)/(m+1), |s| ≤ 0.172: 2(s + s³/3 + s⁵/5 + …), 24 terms.
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  let sum = 0;
  for (let n = 23; n >= 0; n--) sum = 1 / (2 * n + 1) + s2 * sum;
  return e * LN2_HI + (e * LN2_LO + 2 * s * sum);
}

/** log2(x), deterministic. */
export function detLog2(x: number): number {
  return detLog(x) / LN2;
}

/** Complementary error function, deterministic. */
export function detErfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - detErfc(-x);
  if (x < 3) {
    // erf(x) = 2/√π · e^{−x²} · Σ_{n≥0} (2x²)^n · x / (1·3·…·(2n+1)): all terms positive, no cancellation.
    // For x < 3 the terms peak near n ≈ x² ≤ 9 and are below 1e-17 of the sum well before n = 90.
    const t2 = 2 * x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n <= 90; n++) {
      term = (term * t2) / (2 * n + 1);
      sum += term;
    }
    return 1 - TWO_OVER_SQRT_PI * detExp(-x * x) * sum;
  }
  if (x > 27) return 0;
  // Continued fraction erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated from a
  // fixed depth upwards; for x ≥ 3 depth 160 converges to double precision.
  let f = x;
  for (let n = 160; n >= 1; n--) f = x + n / 2 / f;
  return (INV_SQRT_PI * detExp(-x * x)) / f;
}

/** Standard normal CDF Φ(t), deterministic (accurate in both tails). */
export function detNormalCdf(t: number): number {
  return 0.5 * detErfc(-t * SQRT1_2);
}
