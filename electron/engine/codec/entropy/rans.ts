// rANS entropy coder: byte-wise renormalisation, 32-bit state, 16-bit CDF precision (the `rans_byte`
// variant of Fabian Giesen's ryg_rans, which CompressAI also builds on).
//
// Why rANS rather than a range coder: decoding — the side that must be fast in JavaScript — needs no
// division and no carry handling: one mask, one table search, one multiply-add and a byte-wise refill per
// symbol, all in 31-bit integers that JavaScript's int32 operations handle exactly (the state lives in
// [2^23, 2^31), so products and shifts never reach the sign bit and no BigInt or 64-bit emulation is
// needed). Encoding runs backwards, which costs nothing here because every encoder knows all its symbols
// before it writes (the lead's transforms produce whole latent tensors). Compression overhead of the
// byte-wise 32-bit variant at 16-bit precision is far below 0.1 %.
//
// Stream layout (what `finish()` returns, what the decoder reads): 4 bytes of initial state (little-endian)
// then the renormalisation bytes, in decoding order. Decoding starts from that state and must end with
// state exactly 2^23 having consumed exactly every byte — a free integrity check that rejects almost all
// corrupt or truncated streams.
//
// Value coding against a CdfTableSet table t: v − offset[t] = s; if 0 ≤ s < n (n = size − 1) symbol s is
// coded; otherwise the escape symbol n, then raw = (s < 0 ? −2s − 1 : 2(s − n)) as Elias-gamma bypass
// bits: with g = raw + 1 and k = ⌊log2 g⌋, k zero bits, a one bit, then the k low bits of g in chunks of
// up to 16 bits, least-significant chunk first. Bypass bits are coded as uniform symbols (frequency 1 at
// precision = bit count), so the one stream holds everything and any int32 is codable.
import { CodecError } from '../errors.js';
import { PRECISION, type CdfTableSet, LUT_SHIFT, LUT_SIZE } from './cdf.js';

export const RANS_L = 1 << 23; // lower bound of the normalised state interval [L, 256·L)
const MASK = (1 << PRECISION) - 1;
/** Elias-gamma length prefixes longer than this cannot come from an int32 and mean a corrupt stream. */
const MAX_GAMMA_K = 40;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function argError(message: string): never {
  throw new CodecError('AEZ_ARGUMENT', message);
}

function streamError(message: string): never {
  throw new CodecError('AEZ_STREAM', `entropy-coded data is corrupt: ${message}`);
}

/** Writes rANS operations in reverse decoding order into a buffer that grows towards the front. */
class BackWriter {
  x = RANS_L;
  buf: Uint8Array;
  pos: number;

  constructor(capacity: number) {
    this.buf = new Uint8Array(Math.max(64, capacity));
    this.pos = this.buf.length;
  }

  private grow(): void {
    const nb = new Uint8Array(this.buf.length * 2);
    nb.set(this.buf, this.buf.length);
    this.pos += this.buf.length;
    this.buf = nb;
  }

  /** A symbol occupying [lo, lo+freq) of 2^16. */
  putSymbol(lo: number, freq: number): void {
    let x = this.x;
    const xmax = ((RANS_L >>> PRECISION) << 8) * freq;
    while (x >= xmax) {
      if (this.pos === 0) this.grow();
      this.buf[--this.pos] = x & 0xff;
      x >>>= 8;
    }
    const q = (x / freq) | 0;
    this.x = ((q << PRECISION) | 0) + (x - q * freq) + lo;
  }

  /** `nbits` (1..16) uniform bits. */
  putBits(value: number, nbits: number): void {
    let x = this.x;
    const xmax = (RANS_L >>> nbits) << 8;
    while (x >= xmax) {
      if (this.pos === 0) this.grow();
      this.buf[--this.pos] = x & 0xff;
      x >>>= 8;
    }
    this.x = (x << nbits) | value;
  }

  finish(): Uint8Array {
    for (let i = 0; i < 4; i++) {
      if (this.pos === 0) this.grow();
      this.buf[--this.pos] = (this.x >>> (24 - 8 * i)) & 0xff;
    }
    return this.buf.slice(this.pos);
  }
}

/** The escape's bypass bits for `raw`, written in reverse decoding order (see the header comment). */
function putEscapeReverse(w: BackWriter, raw: number): void {
  const g = raw + 1; // ≤ ~2^33: exact in doubles
  let k = 0;
  while (2 ** (k + 1) <= g) k++;
  const m = g - 2 ** k;
  const nchunks = Math.ceil(k / 16);
  for (let c = nchunks - 1; c >= 0; c--) {
    const b = c * 16;
    const n = Math.min(16, k - b);
    w.putBits(Math.floor(m / 2 ** b) % 2 ** n, n);
  }
  w.putBits(1, 1);
  for (let i = 0; i < k; i++) w.putBits(0, 1);
}

type IndexArray = Uint8Array | Uint16Array | Int32Array | Uint32Array;

function checkIndexes(indexes: IndexArray, n: number, tables: CdfTableSet, err: (m: string) => never): void {
  if (indexes.length !== n) err(`${indexes.length} table indexes for ${n} values`);
  const count = tables.count;
  for (let i = 0; i < n; i++) {
    const t = indexes[i];
    if (!(t >= 0 && t < count)) err(`table index ${t} at position ${i} is outside 0..${count - 1}`);
  }
}

/**
 * Codes `values[i]` with table `indexes[i]` of `tables` into one stream. Any int32 value is codable (values
 * outside a table's range take the escape). The result decodes with `decodeWithIndexes` given the same
 * indexes and tables.
 */
export function encodeWithIndexes(values: Int32Array, indexes: IndexArray, tables: CdfTableSet): Uint8Array {
  const n = values.length;
  checkIndexes(indexes, n, tables, argError);
  const { cdf, start, size, offset } = tables;
  const w = new BackWriter((n >> 2) + 64);
  for (let i = n - 1; i >= 0; i--) {
    const t = indexes[i];
    const b = start[t];
    const nreg = size[t] - 1;
    const s = values[i] - offset[t];
    if (s >= 0 && s < nreg) {
      const lo = cdf[b + s];
      w.putSymbol(lo, cdf[b + s + 1] - lo);
    } else {
      putEscapeReverse(w, s < 0 ? -2 * s - 1 : 2 * (s - nreg));
      const lo = cdf[b + nreg];
      w.putSymbol(lo, cdf[b + nreg + 1] - lo);
    }
  }
  return w.finish();
}

function readState(bytes: Uint8Array): number {
  if (bytes.length < 4) streamError(`${bytes.length} bytes is shorter than the 4-byte rANS state`);
  const x = (bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24)) >>> 0;
  if (x < RANS_L || x >= 2 ** 31) streamError('initial state out of range');
  return x;
}

/**
 * Decodes `indexes.length` values coded by `encodeWithIndexes` (or by a RansEncoder with the same tables
 * and order). Output length is the caller's, never the stream's; every loop is bounded by it; a stream
 * that runs out of bytes, leaves bytes over, or ends in the wrong state raises a CodecError ('AEZ_STREAM').
 */
export function decodeWithIndexes(bytes: Uint8Array, indexes: IndexArray, tables: CdfTableSet, out?: Int32Array): Int32Array {
  const n = indexes.length;
  if (out && out.length !== n) argError(`output has ${out.length} entries for ${n} indexes`);
  checkIndexes(indexes, n, tables, argError);
  const res = out ?? new Int32Array(n);
  const { cdf, start, size, offset, lut } = tables;
  const len = bytes.length;
  let x = readState(bytes);
  let p = 4;
  for (let i = 0; i < n; i++) {
    const t = indexes[i];
    const b = start[t];
    const slot = x & MASK;
    let s = lut[t * LUT_SIZE + (slot >>> LUT_SHIFT)];
    while (cdf[b + s + 1] <= slot) s++;
    const lo = cdf[b + s];
    x = (cdf[b + s + 1] - lo) * (x >>> PRECISION) + slot - lo;
    while (x < RANS_L) {
      if (p >= len) streamError('it ends early');
      x = (x << 8) | bytes[p++];
    }
    const nreg = size[t] - 1;
    if (s < nreg) {
      res[i] = offset[t] + s;
    } else {
      // Escape: Elias-gamma bypass bits (rare; written out plainly).
      let k = 0;
      for (;;) {
        const bit = x & 1;
        x >>>= 1;
        while (x < RANS_L) {
          if (p >= len) streamError('it ends early');
          x = (x << 8) | bytes[p++];
        }
        if (bit) break;
        if (++k > MAX_GAMMA_K) streamError('escape length out of range');
      }
      let m = 0;
      for (let bpos = 0; bpos < k; bpos += 16) {
        const nb = Math.min(16, k - bpos);
        m += (x & ((1 << nb) - 1)) * 2 ** bpos;
        x >>>= nb;
        while (x < RANS_L) {
          if (p >= len) streamError('it ends early');
          x = (x << 8) | bytes[p++];
        }
      }
      const raw = 2 ** k + m - 1;
      const v = offset[t] + (raw % 2 === 1 ? -(raw + 1) / 2 : nreg + raw / 2);
      if (v < INT32_MIN || v > INT32_MAX) streamError('escaped value out of range');
      res[i] = v;
    }
  }
  if (x !== RANS_L || p !== len) streamError(p !== len ? `${len - p} bytes left over` : 'final state mismatch');
  return res;
}

/**
 * Incremental encoder for models that code symbols one at a time (context models, mixed tables, raw bits).
 * Operations are recorded in decoding order and written backwards by `finish()`.
 */
export class RansEncoder {
  private lo = new Uint32Array(1024);
  private freq = new Uint32Array(1024);
  private nbits = new Uint8Array(1024); // 0 = a table symbol (precision 16), else bypass bits
  private n = 0;

  private push(lo: number, freq: number, nbits: number): void {
    if (this.n === this.lo.length) {
      const grow = <T extends Uint32Array | Uint8Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.lo = grow(this.lo);
      this.freq = grow(this.freq);
      this.nbits = grow(this.nbits);
    }
    this.lo[this.n] = lo;
    this.freq[this.n] = freq;
    this.nbits[this.n++] = nbits;
  }

  /** Codes an integer with table t (escape for values outside its range). */
  encode(value: number, tables: CdfTableSet, t: number): void {
    if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) argError(`value ${value} is not an int32`);
    if (!(t >= 0 && t < tables.count && Number.isInteger(t))) argError(`table index ${t} is outside 0..${tables.count - 1}`);
    const b = tables.start[t];
    const nreg = tables.size[t] - 1;
    const s = value - tables.offset[t];
    const sym = s >= 0 && s < nreg ? s : nreg;
    this.push(tables.cdf[b + sym], tables.cdf[b + sym + 1] - tables.cdf[b + sym], 0);
    if (sym === nreg) {
      const g = (s < 0 ? -2 * s - 1 : 2 * (s - nreg)) + 1;
      let k = 0;
      while (2 ** (k + 1) <= g) k++;
      for (let i = 0; i < k; i++) this.push(0, 1, 1);
      this.push(1, 1, 1);
      const m = g - 2 ** k;
      for (let bpos = 0; bpos < k; bpos += 16) {
        const nb = Math.min(16, k - bpos);
        this.push(Math.floor(m / 2 ** bpos) % 2 ** nb, 1, nb);
      }
    }
  }

  /** Codes a symbol given directly by its CDF (cdf[sym] .. cdf[sym+1] of 2^16; no escape). */
  encodeSymbol(sym: number, cdf: Uint32Array | Uint16Array | readonly number[]): void {
    if (!(sym >= 0 && sym + 1 < cdf.length) || !(cdf[sym + 1] > cdf[sym]) || cdf[sym + 1] > 1 << PRECISION) {
      argError(`symbol ${sym} has no positive frequency in this CDF`);
    }
    this.push(cdf[sym], cdf[sym + 1] - cdf[sym], 0);
  }

  /** Codes `nbits` (1..16) raw bits. */
  putBits(value: number, nbits: number): void {
    if (!(nbits >= 1 && nbits <= 16 && Number.isInteger(nbits))) argError(`putBits: ${nbits} bits (1..16)`);
    if (!(value >= 0 && value < 1 << nbits && Number.isInteger(value))) argError(`putBits: ${value} does not fit ${nbits} bits`);
    this.push(value, 1, nbits);
  }

  /** The stream; the encoder is reset and may be reused. */
  finish(): Uint8Array {
    const w = new BackWriter((this.n >> 2) + 64);
    for (let i = this.n - 1; i >= 0; i--) {
      if (this.nbits[i] === 0) w.putSymbol(this.lo[i], this.freq[i]);
      else w.putBits(this.lo[i], this.nbits[i]);
    }
    this.n = 0;
    return w.finish();
  }
}

/** Incremental decoder matching RansEncoder. Call `finish()` at the end to verify the stream. */
export class RansDecoder {
  private x: number;
  private p = 4;

  constructor(private readonly bytes: Uint8Array) {
    this.x = readState(bytes);
  }

  private refill(): void {
    while (this.x < RANS_L) {
      if (this.p >= this.bytes.length) streamError('it ends early');
      this.x = (this.x << 8) | this.bytes[this.p++];
    }
  }

  decode(tables: CdfTableSet, t: number): number {
    if (!(t >= 0 && t < tables.count)) argError(`table index ${t} is outside 0..${tables.count - 1}`);
    const { cdf } = tables;
    const b = tables.start[t];
    const slot = this.x & MASK;
    let s = tables.lut[t * LUT_SIZE + (slot >>> LUT_SHIFT)];
    while (cdf[b + s + 1] <= slot) s++;
    this.x = (cdf[b + s + 1] - cdf[b + s]) * (this.x >>> PRECISION) + slot - cdf[b + s];
    this.refill();
    const nreg = tables.size[t] - 1;
    if (s < nreg) return tables.offset[t] + s;
    let k = 0;
    while (this.getBits(1) === 0) if (++k > MAX_GAMMA_K) streamError('escape length out of range');
    let m = 0;
    for (let bpos = 0; bpos < k; bpos += 16) m += this.getBits(Math.min(16, k - bpos)) * 2 ** bpos;
    const raw = 2 ** k + m - 1;
    const v = tables.offset[t] + (raw % 2 === 1 ? -(raw + 1) / 2 : nreg + raw / 2);
    if (v < INT32_MIN || v > INT32_MAX) streamError('escaped value out of range');
    return v;
  }

  /** Decodes a symbol given directly by its CDF (as passed to `encodeSymbol`). */
  decodeSymbol(cdf: Uint32Array | Uint16Array | readonly number[]): number {
    const slot = this.x & MASK;
    // Binary search for the last s with cdf[s] ≤ slot (bounded by log2 of the CDF length).
    let lo = 0;
    let hi = cdf.length - 1;
    if (hi < 1 || cdf[0] !== 0 || cdf[hi] !== 1 << PRECISION) argError('decodeSymbol: the CDF must run from 0 to 65536');
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] <= slot) lo = mid;
      else hi = mid;
    }
    const f = cdf[lo + 1] - cdf[lo];
    if (!(f > 0)) argError('decodeSymbol: the CDF is not increasing');
    this.x = f * (this.x >>> PRECISION) + slot - cdf[lo];
    this.refill();
    return lo;
  }

  getBits(nbits: number): number {
    if (!(nbits >= 1 && nbits <= 16)) argError(`getBits: ${nbits} bits (1..16)`);
    const v = this.x & ((1 << nbits) - 1);
    this.x >>>= nbits;
    this.refill();
    return v;
  }

  /** Throws unless the stream ended exactly: all bytes consumed and the state back at its start value. */
  finish(): void {
    if (this.p !== this.bytes.length) streamError(`${this.bytes.length - this.p} bytes left over`);
    if (this.x !== RANS_L) streamError('final state mismatch');
  }
}
