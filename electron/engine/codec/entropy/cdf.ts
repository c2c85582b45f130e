// Integer CDF tables: the only thing the entropy coder knows about probabilities.
//
// A table codes the integers offset, offset+1, …, offset+n−1 as symbols 0…n−1, plus one ESCAPE symbol (n)
// for every other integer (its value then follows as Elias-gamma bypass bits, see rans.ts). The table is
// its cumulative frequencies at PRECISION bits: cdf[0] = 0 < cdf[1] < … < cdf[n+1] = 2^16, so every
// symbol, the escape included, has frequency ≥ 1 and any integer is codable.
//
// Tables are plain integers. Where they come from floats (a learned density, a Gaussian), convert once with
// `pmfToCdf` (deterministic given the same doubles) and ship the integers; never rebuild them from floats
// on the decoding machine.
import { CodecError } from '../errors.js';

export const PRECISION = 16;
export const TOTAL = 1 << PRECISION; // 65536
/** Most symbols (escape included) one table may have: each needs frequency ≥ 1. */
export const MAX_SYMBOLS = TOTAL;
/** Values and offsets stay within ±2^30 so `value − offset` never leaves the exact-integer range. */
export const MAX_OFFSET = 2 ** 30;

// Decoder lookup: slot >>> LUT_SHIFT indexes a per-table array holding the symbol that contains the first
// slot of that bucket; a short forward scan finishes the search.
export const LUT_BITS = 10;
export const LUT_SIZE = 1 << LUT_BITS;
export const LUT_SHIFT = PRECISION - LUT_BITS;

export interface CdfTable {
  /** The integer coded as symbol 0. */
  offset: number;
  /** n+2 cumulative frequencies: n regular symbols, then the escape symbol; cdf[0] = 0, last = 65536. */
  cdf: Uint32Array;
}

function bad(message: string): never {
  throw new CodecError('AEZ_ARGUMENT', message);
}

/**
 * Many tables packed flat for the coder's inner loops. Table t's cdf is `cdf[start[t] … start[t]+size[t]]`
 * (size[t] symbols, the last the escape), and it codes integers from `offset[t]`.
 */
export class CdfTableSet {
  readonly count: number;
  readonly cdf: Uint32Array;
  readonly start: Int32Array;
  readonly size: Int32Array;
  readonly offset: Int32Array;
  readonly lut: Uint16Array;

  private constructor(count: number, cdf: Uint32Array, start: Int32Array, size: Int32Array, offset: Int32Array) {
    this.count = count;
    this.cdf = cdf;
    this.start = start;
    this.size = size;
    this.offset = offset;
    this.lut = new Uint16Array(count * LUT_SIZE);
    for (let t = 0; t < count; t++) {
      const b = start[t];
      let s = 0;
      for (let j = 0; j < LUT_SIZE; j++) {
        const slot = j << LUT_SHIFT;
        while (cdf[b + s + 1] <= slot) s++;
        this.lut[t * LUT_SIZE + j] = s;
      }
    }
  }

  /** Validates and packs tables (each cdf strictly increasing from 0 to 65536, at least 2 symbols). */
  static fromTables(tables: readonly CdfTable[]): CdfTableSet {
    if (tables.length < 1 || tables.length > 65536) bad(`a CDF table set needs 1..65536 tables, got ${tables.length}`);
    let total = 0;
    for (const t of tables) total += t.cdf.length;
    const cdf = new Uint32Array(total);
    const start = new Int32Array(tables.length);
    const size = new Int32Array(tables.length);
    const offset = new Int32Array(tables.length);
    let p = 0;
    tables.forEach((t, i) => {
      validateCdf(t.cdf, `table ${i}`);
      if (!Number.isInteger(t.offset) || Math.abs(t.offset) > MAX_OFFSET) bad(`table ${i}: offset ${t.offset} is not an integer within ±2^30`);
      cdf.set(t.cdf, p);
      start[i] = p;
      size[i] = t.cdf.length - 1;
      offset[i] = t.offset;
      p += t.cdf.length;
    });
    return new CdfTableSet(tables.length, cdf, start, size, offset);
  }

  /** Builds from frequencies (each ≥ 1, summing to 65536 per table; the last of each table is the escape). */
  static fromFrequencies(freqs: ArrayLike<number>, sizes: ArrayLike<number>, offsets: ArrayLike<number>): CdfTableSet {
    const tables: CdfTable[] = [];
    let p = 0;
    for (let t = 0; t < sizes.length; t++) {
      const n = sizes[t];
      if (!Number.isInteger(n) || n < 2 || n > MAX_SYMBOLS || p + n > freqs.length) bad(`table ${t}: bad size ${n}`);
      tables.push({ offset: offsets[t], cdf: freqsToCdf(freqs, p, n) });
      p += n;
    }
    if (p !== freqs.length) bad(`frequencies: ${freqs.length - p} values left over`);
    return CdfTableSet.fromTables(tables);
  }

  table(t: number): CdfTable {
    const n = this.size[t];
    return { offset: this.offset[t], cdf: this.cdf.slice(this.start[t], this.start[t] + n + 1) };
  }

  /** Frequencies of table t (n regular symbols then the escape). */
  frequencies(t: number): Uint32Array {
    const n = this.size[t];
    const b = this.start[t];
    const f = new Uint32Array(n);
    for (let s = 0; s < n; s++) f[s] = this.cdf[b + s + 1] - this.cdf[b + s];
    return f;
  }

  /**
   * Exact code length in bits of `value` under table t (what the coder spends, up to its tiny rANS
   * overhead), including the escape's bypass bits. Useful for rate estimates and tests.
   */
  bits(value: number, t: number): number {
    const b = this.start[t];
    const nreg = this.size[t] - 1;
    const s = value - this.offset[t];
    if (s >= 0 && s < nreg) return PRECISION - Math.log2(this.cdf[b + s + 1] - this.cdf[b + s]);
    const esc = PRECISION - Math.log2(this.cdf[b + nreg + 1] - this.cdf[b + nreg]);
    const raw = s < 0 ? -2 * s - 1 : 2 * (s - nreg);
    return esc + 2 * Math.floor(Math.log2(raw + 1)) + 1;
  }
}

function validateCdf(cdf: ArrayLike<number>, what: string): void {
  const n = cdf.length - 1;
  if (n < 2 || n > MAX_SYMBOLS) bad(`${what}: a CDF needs 2..${MAX_SYMBOLS} symbols (escape included), got ${n}`);
  if (cdf[0] !== 0 || cdf[n] !== TOTAL) bad(`${what}: a CDF must run from 0 to ${TOTAL}`);
  for (let s = 0; s < n; s++) {
    if (!(cdf[s + 1] > cdf[s])) bad(`${what}: symbol ${s} has frequency ${cdf[s + 1] - cdf[s]} (every symbol needs ≥ 1)`);
  }
}

function freqsToCdf(freqs: ArrayLike<number>, from: number, n: number): Uint32Array {
  const cdf = new Uint32Array(n + 1);
  let acc = 0;
  for (let s = 0; s < n; s++) {
    const f = freqs[from + s];
    if (!Number.isInteger(f) || f < 1) bad(`frequency ${f} at ${from + s} (must be an integer ≥ 1)`);
    acc += f;
    cdf[s + 1] = Math.min(acc, TOTAL + 1);
  }
  if (acc !== TOTAL) bad(`frequencies sum to ${acc}, not ${TOTAL}`);
  return cdf;
}

/**
 * Quantises probabilities to integer frequencies that sum to exactly 2^16 with every entry ≥ 1.
 * Deterministic: the same input doubles give the same integers on every machine (only +, ×, ÷, floor and
 * comparisons, in a fixed order). Near-optimal: it finds the largest multiplier λ with
 * Σ max(1, round(p_i·λ)) ≤ 2^16 by a fixed 64-step bisection, then hands out the few remaining counts to
 * the symbols furthest below their share (ties to the lower index). Non-finite or negative entries count
 * as 0; all-zero input gives a uniform table.
 */
export function quantizePmf(pmf: ArrayLike<number>): Uint32Array {
  const n = pmf.length;
  if (n < 1 || n > MAX_SYMBOLS) bad(`quantizePmf: ${n} symbols (1..${MAX_SYMBOLS})`);
  const p = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = pmf[i];
    p[i] = v > 0 && v < Infinity ? v : 0;
    sum += p[i];
  }
  if (!(sum > 0) || sum === Infinity) p.fill(1), (sum = n);
  for (let i = 0; i < n; i++) p[i] /= sum;
  const freq = new Uint32Array(n);
  const fill = (lambda: number): number => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const f = Math.floor(p[i] * lambda + 0.5);
      freq[i] = f < 1 ? 1 : f;
      total += freq[i];
    }
    return total;
  };
  let lo = 0;
  let hi = 2 * TOTAL;
  while (fill(hi) <= TOTAL) hi *= 2; // only when rounding keeps the total low; terminates since p sums to 1
  for (let it = 0; it < 64; it++) {
    const mid = (lo + hi) / 2;
    if (fill(mid) <= TOTAL) lo = mid;
    else hi = mid;
  }
  let rest = TOTAL - fill(lo);
  if (rest > 0) {
    const order = Array.from({ length: n }, (_, i) => i);
    const deficit = new Float64Array(n);
    for (let i = 0; i < n; i++) deficit[i] = p[i] * lo - freq[i];
    order.sort((a, b) => deficit[b] - deficit[a] || a - b);
    for (let k = 0; rest > 0; k = (k + 1) % n, rest--) freq[order[k]]++;
  }
  return freq;
}

/**
 * A CDF table (regular symbols then the escape) from the probabilities of the integers offset…offset+n−1
 * and the total probability of all other integers (`tailMass`, both tails together).
 */
export function pmfToCdf(pmf: ArrayLike<number>, tailMass: number): Uint32Array {
  const withTail = new Float64Array(pmf.length + 1);
  for (let i = 0; i < pmf.length; i++) withTail[i] = pmf[i];
  withTail[pmf.length] = tailMass;
  const freq = quantizePmf(withTail);
  return freqsToCdf(freq, 0, freq.length);
}

// Serialised table sets, for storing a model's factorized-prior CDFs next to its weights:
//   "CDF1" | u32 LE table count | per table: i32 LE offset, u32 LE size (symbols incl. escape)
//   | all frequencies as u16 LE (each ≥ 1; a table's sum is 65536, so each fits in 16 bits).
const SER_MAGIC = 0x31464443; // "CDF1" little-endian

export function serializeCdfTables(set: CdfTableSet): Uint8Array {
  let nfreq = 0;
  for (let t = 0; t < set.count; t++) nfreq += set.size[t];
  const out = new Uint8Array(8 + 8 * set.count + 2 * nfreq);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, SER_MAGIC, true);
  dv.setUint32(4, set.count, true);
  let p = 8;
  for (let t = 0; t < set.count; t++) {
    dv.setInt32(p, set.offset[t], true);
    dv.setUint32(p + 4, set.size[t], true);
    p += 8;
  }
  for (let t = 0; t < set.count; t++) {
    const b = set.start[t];
    for (let s = 0; s < set.size[t]; s++, p += 2) dv.setUint16(p, set.cdf[b + s + 1] - set.cdf[b + s], true);
  }
  return out;
}

/** Reads `serializeCdfTables` output, validating every size before allocating. */
export function deserializeCdfTables(bytes: Uint8Array): CdfTableSet {
  const fail = (m: string): never => {
    throw new CodecError('AEZ_STREAM', `CDF tables are damaged: ${m}`);
  };
  if (bytes.length < 8) fail('too short');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== SER_MAGIC) fail('bad magic');
  const count = dv.getUint32(4, true);
  if (count < 1 || count > 65536 || 8 + 8 * count > bytes.length) fail(`table count ${count}`);
  const sizes = new Int32Array(count);
  const offsets = new Int32Array(count);
  let nfreq = 0;
  for (let t = 0; t < count; t++) {
    offsets[t] = dv.getInt32(8 + 8 * t, true);
    const n = dv.getUint32(12 + 8 * t, true);
    if (n < 2 || n > MAX_SYMBOLS || Math.abs(offsets[t]) > MAX_OFFSET) fail(`table ${t}: size ${n}, offset ${offsets[t]}`);
    sizes[t] = n;
    nfreq += n;
  }
  if (bytes.length !== 8 + 8 * count + 2 * nfreq) fail(`length ${bytes.length}, expected ${8 + 8 * count + 2 * nfreq}`);
  const freqs = new Uint16Array(nfreq);
  for (let i = 0, p = 8 + 8 * count; i < nfreq; i++, p += 2) freqs[i] = dv.getUint16(p, true);
  try {
    return CdfTableSet.fromFrequencies(freqs, sizes, offsets);
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
}
