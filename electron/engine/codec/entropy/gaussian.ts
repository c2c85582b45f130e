// Gaussian-conditional entropy model (the hyperprior's y): a FIXED table of 64 scales, log-spaced from 0.11
// to 256, each with the integer CDF of a zero-mean Gaussian N(0, σ²) discretised to integers. The decoder
// chooses a table by an integer index, so all it needs to agree with the encoder on is that index.
//
// The tables are integer constants (gaussian-tables.generated.ts, produced by scripts/gen-cdf-tables.ts
// with deterministic arithmetic and checked by a test); nothing here computes a probability at run time.
//
// Choosing indexes deterministically is the caller's job, and the crux of cross-machine decoding:
//  - `scaleToIndex(σ)` maps a float scale by comparisons against the table only. It is exact for a given
//    σ, but if the encoder's and decoder's σ differ by one ulp and straddle a table value, the indexes
//    differ and the rest of the stream decodes to garbage. With ~10^5 latents per image and float32 σ
//    from different backends this WILL happen: floats from a neural network must not feed it directly
//    on the decoding side unless they are bit-identical on every machine and backend.
//  - `scaleIndexFromLog2Q(q)` takes an integer log2-scale in 16-bit fixed point and compares integers
//    only: the intended interface for an integer hyper-decoder (Ballé et al. 2019, "Integer networks for
//    data compression"), whose integer output is exact on every backend.
import { CdfTableSet } from './cdf.js';
import { decodeWithIndexes, encodeWithIndexes } from './rans.js';
import { GAUSSIAN_FREQS_BASE64, GAUSSIAN_LOG2_BOUNDS, GAUSSIAN_OFFSETS, GAUSSIAN_SCALES, GAUSSIAN_SIZES } from './gaussian-tables.generated.js';
import { CodecError } from '../errors.js';

export const SCALE_LEVELS = GAUSSIAN_SCALES.length; // 64
export const SCALE_MIN = GAUSSIAN_SCALES[0]; // 0.11
export const SCALE_MAX = GAUSSIAN_SCALES[SCALE_LEVELS - 1]; // 256
/** Fraction bits of the fixed-point log2-scales taken by `scaleIndexFromLog2Q`. */
export const LOG2_SCALE_FRAC_BITS = 16;

function decodeBase64U16(b64: string): Uint16Array {
  const bytes = Buffer.from(b64, 'base64');
  const out = new Uint16Array(bytes.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = bytes[2 * i] | (bytes[2 * i + 1] << 8);
  return out;
}

let tablesCache: CdfTableSet | undefined;

/** The 64 Gaussian tables (built once from the constants, ~0.5 MB with lookup tables). */
export function gaussianTables(): CdfTableSet {
  tablesCache ??= CdfTableSet.fromFrequencies(decodeBase64U16(GAUSSIAN_FREQS_BASE64), GAUSSIAN_SIZES, GAUSSIAN_OFFSETS);
  return tablesCache;
}

/** The scale σ of table `index`. */
export function indexToScale(index: number): number {
  return GAUSSIAN_SCALES[index];
}

/**
 * The table for scale σ: the smallest i with σ ≤ scales[i] (scales below 0.11 → 0, above 256 → 63; NaN →
 * 63, the widest table, which codes anything acceptably). Comparisons only: a given σ always gives the
 * same index — see the header comment for why that is not enough on its own.
 */
export function scaleToIndex(scale: number): number {
  if (!(scale <= SCALE_MAX)) return SCALE_LEVELS - 1; // NaN too
  let lo = 0;
  let hi = SCALE_LEVELS - 1;
  // invariant: the answer lies in [lo, hi]
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (scale <= GAUSSIAN_SCALES[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** `scaleToIndex` for every element. */
export function indexesFromScales(scales: Float32Array | Float64Array | readonly number[], out?: Uint8Array): Uint8Array {
  const res = out ?? new Uint8Array(scales.length);
  if (res.length !== scales.length) throw new CodecError('AEZ_ARGUMENT', `output has ${res.length} entries for ${scales.length} scales`);
  for (let i = 0; i < scales.length; i++) res[i] = scaleToIndex(scales[i]);
  return res;
}

/**
 * The table for an integer log2-scale q = log2(σ)·2^16 (any integer; rounding of q is the caller's, e.g.
 * an integer network's output): the smallest i with q ≤ GAUSSIAN_LOG2_BOUNDS[i], clamped to 0..63. Pure
 * integer comparisons, identical on every machine.
 */
export function scaleIndexFromLog2Q(q: number): number {
  if (!(q <= GAUSSIAN_LOG2_BOUNDS[SCALE_LEVELS - 1])) return SCALE_LEVELS - 1;
  let lo = 0;
  let hi = SCALE_LEVELS - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (q <= GAUSSIAN_LOG2_BOUNDS[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** `scaleIndexFromLog2Q` for every element. */
export function indexesFromLog2Q(q: Int32Array | readonly number[], out?: Uint8Array): Uint8Array {
  const res = out ?? new Uint8Array(q.length);
  if (res.length !== q.length) throw new CodecError('AEZ_ARGUMENT', `output has ${res.length} entries for ${q.length} values`);
  for (let i = 0; i < q.length; i++) res[i] = scaleIndexFromLog2Q(q[i]);
  return res;
}

/**
 * Codes integer latents (quantised y minus the predicted means, i.e. round(y − μ)) with one Gaussian
 * table per element.
 */
export function encodeGaussian(values: Int32Array, indexes: Uint8Array): Uint8Array {
  return encodeWithIndexes(values, indexes, gaussianTables());
}

/** Inverse of `encodeGaussian`; the output length is `indexes.length`. */
export function decodeGaussian(bytes: Uint8Array, indexes: Uint8Array, out?: Int32Array): Int32Array {
  return decodeWithIndexes(bytes, indexes, gaussianTables(), out);
}

/** Exact code length (bits) the tables assign to `values` (rate estimates without encoding). */
export function gaussianBits(values: Int32Array, indexes: Uint8Array): number {
  const t = gaussianTables();
  let bits = 0;
  for (let i = 0; i < values.length; i++) bits += t.bits(values[i], indexes[i]);
  return bits;
}
