// Factorized (non-parametric) prior: one learned integer CDF table per channel — the hyperprior's z.
//
// The tables are part of the model: compute them ONCE when a trained model is exported (from the learned
// density, evaluated at the integers around each channel's median, with `pmfToCdf`), and store the
// integers (`serializeCdfTables` → bytes, e.g. a file in the model folder covered by the model hash).
// Never recompute them from the float weights at decode time: a 1-ulp difference in a probability can
// move a frequency by one and desynchronise the decoder.
import { CdfTableSet, pmfToCdf, type CdfTable } from './cdf.js';
import { decodeWithIndexes, encodeWithIndexes } from './rans.js';
import { CodecError } from '../errors.js';

export type Layout = 'hwc' | 'chw';

/**
 * The channel of every element of a C-channel tensor of `length` elements: 'hwc' (channels last, as tfjs
 * NHWC tensors) or 'chw'.
 */
export function channelIndexes(length: number, channels: number, layout: Layout = 'hwc'): Uint16Array {
  if (!(channels >= 1 && channels <= 65536) || length % channels !== 0) {
    throw new CodecError('AEZ_ARGUMENT', `${length} elements do not split into ${channels} channels`);
  }
  const out = new Uint16Array(length);
  if (layout === 'hwc') for (let i = 0; i < length; i++) out[i] = i % channels;
  else {
    const plane = length / channels;
    for (let c = 0; c < channels; c++) out.fill(c, c * plane, (c + 1) * plane);
  }
  return out;
}

/**
 * Builds one channel's table from probabilities of the integers `offset … offset+pmf.length−1` (e.g. the
 * learned density's mass on [k−½, k+½]) and the mass outside them. Deterministic for given doubles.
 */
export function factorizedTable(pmf: ArrayLike<number>, offset: number, tailMass: number): CdfTable {
  return { offset, cdf: pmfToCdf(pmf, tailMass) };
}

/** Codes z (integers) with per-channel tables. */
export function encodeFactorized(z: Int32Array, channels: Uint16Array | Int32Array | Uint8Array, tables: CdfTableSet): Uint8Array {
  return encodeWithIndexes(z, channels, tables);
}

/** Inverse of `encodeFactorized`; the output length is `channels.length`. */
export function decodeFactorized(bytes: Uint8Array, channels: Uint16Array | Int32Array | Uint8Array, tables: CdfTableSet, out?: Int32Array): Int32Array {
  return decodeWithIndexes(bytes, channels, tables, out);
}
