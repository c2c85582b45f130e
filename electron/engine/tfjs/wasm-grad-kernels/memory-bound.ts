// Memory-bound kernels of the backward pass whose wasm versions are slow for the shapes training uses
// (a transpose before every reduction, a typed-array view per row, naive pooling loops). Each has a
// narrow fast path and hands everything else to the built-in kernel.
//
// Sum over all axes but the last (bias gradients), Concat / SplitV along the last axis (U-Net skips and
// their gradients) and AvgPoolGrad with tiling windows: JS fast paths, 3–10× the built-ins.
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { fallback } from './builtin-kernels.js';
import type { PadAttr, RoundingMode } from './conv-geometry.js';
import { type Args, heap, off, size, type WasmBackend } from './heap.js';

const { backend_util } = tf;

/** Sum over every axis but the last (bias gradients): one sequential pass, float64 accumulators. */
export function sumLeading(args: Args): TensorInfo {
  const b = args.backend as WasmBackend;
  const { x } = args.inputs as { x: TensorInfo };
  const { axis, keepDims } = (args.attrs ?? {}) as unknown as { axis: number | number[]; keepDims: boolean };
  const r = x.shape.length;
  const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + r : a)).sort((p, q) => p - q);
  const leading = r >= 2 && axes.length === r - 1 && axes.every((a, i) => a === i);
  const C = x.shape[r - 1];
  const rows = size(x.shape) / Math.max(C, 1);
  if (x.dtype !== 'float32' || !leading || C === 0 || rows < 2) return fallback('Sum', args) as TensorInfo;
  // (A matMul with a row of ones is slower: XNNPACK repacks x as weights on every call.)
  const acc = new Float64Array(C);
  const h = heap(b);
  let s = off(b, x);
  let i = 0;
  for (; i + 2 <= rows; i += 2, s += 2 * C) for (let c = 0; c < C; c++) acc[c] += h[s + c] + h[s + C + c];
  for (; i < rows; i++, s += C) for (let c = 0; c < C; c++) acc[c] += h[s + c];
  const out = b.makeOutput(keepDims ? [...new Array<number>(r - 1).fill(1), C] : [C], 'float32');
  heap(b).set(acc, off(b, out));
  return out;
}

/** Split along the last axis (the gradient of a channel concat). */
export function splitLast(args: Args): TensorInfo[] {
  const b = args.backend as WasmBackend;
  const { x } = args.inputs as { x: TensorInfo };
  const { numOrSizeSplits, axis } = (args.attrs ?? {}) as unknown as { numOrSizeSplits: number[] | number; axis: number };
  const r = x.shape.length;
  const ax = axis < 0 ? axis + r : axis;
  const C = x.shape[r - 1];
  if (x.dtype !== 'float32' || r < 2 || ax !== r - 1 || size(x.shape) === 0) return fallback('SplitV', args) as TensorInfo[];
  let sizes: number[];
  if (typeof numOrSizeSplits === 'number') {
    if (C % numOrSizeSplits !== 0) return fallback('SplitV', args) as TensorInfo[];
    sizes = new Array<number>(numOrSizeSplits).fill(C / numOrSizeSplits);
  } else {
    sizes = [...numOrSizeSplits];
    const neg = sizes.indexOf(-1);
    if (neg >= 0) sizes[neg] = C - sizes.reduce((a, v, i) => (i === neg ? a : a + v), 0);
  }
  if (sizes.reduce((a, v) => a + v, 0) !== C || sizes.some((v) => v < 0)) return fallback('SplitV', args) as TensorInfo[];
  const rows = size(x.shape) / C;
  const outs = sizes.map((sz) => b.makeOutput([...x.shape.slice(0, -1), sz], 'float32'));
  const h = heap(b);
  const xo = off(b, x);
  let start = 0;
  for (let k = 0; k < outs.length; k++) {
    const sz = sizes[k];
    let d = off(b, outs[k]);
    for (let row = 0; row < rows; row++) {
      const s0 = xo + row * C + start;
      for (let j = 0; j < sz; j++) h[d++] = h[s0 + j];
    }
    start += sz;
  }
  return outs;
}

/** Concat along the last axis (U-Net skips). */
export function concatLast(args: Args): TensorInfo {
  const b = args.backend as WasmBackend;
  const xs = (args.inputs as unknown as TensorInfo[]).filter((t) => size(t.shape) > 0);
  const { axis } = (args.attrs ?? {}) as unknown as { axis: number };
  const r = xs[0]?.shape.length ?? 0;
  const ax = axis < 0 ? axis + r : axis;
  const lead = xs[0]?.shape.slice(0, -1) ?? [];
  const ok = xs.length >= 2 && r >= 2 && ax === r - 1 &&
    xs.every((t) => t.dtype === 'float32' && t.shape.length === r && t.shape.slice(0, -1).every((d, i) => d === lead[i]));
  if (!ok) return fallback('Concat', args) as TensorInfo;
  const sizes = xs.map((t) => t.shape[r - 1]);
  const C = sizes.reduce((a, v) => a + v, 0);
  const rows = size(lead);
  const out = b.makeOutput([...lead, C], 'float32');
  const h = heap(b);
  const oo = off(b, out);
  let start = 0;
  for (let k = 0; k < xs.length; k++) {
    const sz = sizes[k];
    let s = off(b, xs[k]);
    for (let row = 0; row < rows; row++) {
      const d0 = oo + row * C + start;
      for (let j = 0; j < sz; j++) h[d0 + j] = h[s++];
    }
    start += sz;
  }
  return out;
}

/** AvgPool gradient when windows tile the input (filter == stride, no padding). */
export function avgPoolGradTiled(args: Args): TensorInfo {
  const b = args.backend as WasmBackend;
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = (args.attrs ?? {}) as unknown as {
    filterSize: number | [number, number];
    strides: number | [number, number];
    pad: PadAttr;
    dimRoundingMode?: RoundingMode;
  };
  if (dy.dtype !== 'float32' || input.shape.length !== 4) return fallback('AvgPoolGrad', args) as TensorInfo;
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number], filterSize, strides, 1, pad as 'valid' | 'same' | number, dimRoundingMode);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: Ho, outWidth: Wo } = info;
  const kh = info.filterHeight;
  const kw = info.filterWidth;
  if (kh !== info.strideHeight || kw !== info.strideWidth || info.padInfo.top !== 0 || info.padInfo.left !== 0 ||
      Ho * kh > H || Wo * kw > W) {
    return fallback('AvgPoolGrad', args) as TensorInfo;
  }
  const dx = b.makeOutput([N, H, W, C], 'float32');
  const h = heap(b);
  const so = off(b, dy);
  let d = off(b, dx);
  const scale = 1 / (kh * kw);
  for (let n = 0; n < N; n++) {
    for (let y = 0; y < H; y++) {
      const oy = Math.floor(y / kh);
      if (oy >= Ho) {
        h.fill(0, d, d + W * C);
        d += W * C;
        continue;
      }
      const rowBase = so + (n * Ho + oy) * Wo * C;
      for (let ox = 0; ox < Wo; ox++) {
        const s0 = rowBase + ox * C;
        for (let j = 0; j < kw; j++) for (let c = 0; c < C; c++) h[d++] = h[s0 + c] * scale;
      }
      const rest = (W - Wo * kw) * C;
      if (rest > 0) {
        h.fill(0, d, d + rest);
        d += rest;
      }
    }
  }
  return dx;
}
