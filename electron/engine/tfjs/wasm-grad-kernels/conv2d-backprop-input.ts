// Conv2DBackpropInput on wasm (also the forward pass of conv2dTranspose): dx[N, H, W, Ci] from
// dy[N, Ho, Wo, Co] and filter[kh, kw, Ci, Co].
//
// Conv2DBackpropInput, stride 1: a forward conv of dy with the filter rotated 180° and its in/out
// channels swapped. Kernel == stride: one matMul then depth-to-space. Otherwise: matMul to the
// column gradient and a JS col2im (scatter-add).
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { fallback, matMul, run, transpose } from './builtin-kernels.js';
import { type Geometry, type PadAttr, type RoundingMode, geometry, imagesPerChunk, NCHW_FROM_NHWC, NHWC_FROM_NCHW } from './conv-geometry.js';
import { free, heap, off, view, type WasmBackend, zeros } from './heap.js';

export const Conv2DBackpropInputName = 'Conv2DBackpropInput';

export function conv2dBackpropInput(args: { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap; backend: unknown }): TensorInfo {
  const b = args.backend as WasmBackend;
  let { dy } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const filter = (args.inputs as { filter: TensorInfo }).filter;
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32') return fallback(Conv2DBackpropInputName, args) as TensorInfo;
  const attrs = (args.attrs ?? {}) as unknown as {
    strides: number | [number, number];
    pad: PadAttr;
    dataFormat?: 'NHWC' | 'NCHW';
    dimRoundingMode?: RoundingMode;
    inputShape: [number, number, number, number];
    dilations?: number | [number, number];
  };
  const nchw = attrs.dataFormat === 'NCHW';
  const inShape = nchw
    ? [attrs.inputShape[0], attrs.inputShape[2], attrs.inputShape[3], attrs.inputShape[1]]
    : [...attrs.inputShape];
  const temps: TensorInfo[] = [];
  if (nchw) {
    dy = transpose(b, dy, NHWC_FROM_NCHW);
    temps.push(dy);
  }
  try {
    const g = geometry(inShape, filter.shape, attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, false);
    let out: TensorInfo | null = null;
    if (g.sh === 1 && g.sw === 1) out = inputGradConv(b, dy, filter, g);
    if (!out && g.kh === g.sh && g.kw === g.sw && g.dh === 1 && g.dw === 1 && g.pt === 0 && g.pl === 0 &&
        g.Ho * g.sh <= g.H && g.Wo * g.sw <= g.W) {
      out = inputGradBlock(b, dy, filter, g);
    }
    if (!out) out = inputGradCol2im(b, dy, filter, g);
    out.shape = [g.N, g.H, g.W, g.Ci];
    if (nchw) {
      const t = transpose(b, out, NCHW_FROM_NHWC);
      free(b, out);
      out = t;
    }
    return out;
  } finally {
    free(b, ...temps);
  }
}


/** [A, B, C, blk] → [A, C, B, blk] (swap of the middle axes, contiguous blocks kept) on the heap. */
function swapMiddle(b: WasmBackend, x: TensorInfo, A: number, B: number, C: number, blk: number, shape: number[]): TensorInfo {
  const out = b.makeOutput(shape, 'float32');
  const h = heap(b);
  const xo = off(b, x);
  let d = off(b, out);
  for (let a = 0; a < A; a++) {
    for (let c = 0; c < C; c++) {
      for (let bb = 0; bb < B; bb++) {
        const s = xo + ((a * B + bb) * C + c) * blk;
        if (blk >= 64) {
          h.copyWithin(d, s, s + blk);
          d += blk;
        } else {
          for (let k = 0; k < blk; k++) h[d++] = h[s + k];
        }
      }
    }
  }
  return out;
}

/** 2-D transpose [R, C] → [C, R] on the heap. */
function transpose2d(b: WasmBackend, x: TensorInfo, R: number, C: number): TensorInfo {
  const out = b.makeOutput([C, R], 'float32');
  const h = heap(b);
  const xo = off(b, x);
  const oo = off(b, out);
  for (let c = 0; c < C; c++) {
    let s = xo + c;
    const d0 = oo + c * R;
    const d1 = d0 + R;
    for (let d = d0; d < d1; d++, s += C) h[d] = h[s];
  }
  return out;
}

/** Filter rotated 180° with in/out channels swapped: wr[i, j, co, ci] = w[kh-1-i, kw-1-j, ci, co]. */
function rotatedFilter(b: WasmBackend, filter: TensorInfo, kh: number, kw: number, Ci: number, Co: number): TensorInfo {
  const wr = b.makeOutput([kh, kw, Co, Ci], 'float32');
  const h = heap(b);
  const fo = off(b, filter);
  const ro = off(b, wr);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const src = fo + ((kh - 1 - i) * kw + (kw - 1 - j)) * Ci * Co;
      const dst = ro + (i * kw + j) * Co * Ci;
      for (let ci = 0; ci < Ci; ci++) for (let co = 0; co < Co; co++) h[dst + co * Ci + ci] = h[src + ci * Co + co];
    }
  }
  return wr;
}

/** Stride 1: dx = conv(dy, rotated filter) with the complementary padding. Null when it does not apply. */
function inputGradConv(b: WasmBackend, dy: TensorInfo, filter: TensorInfo, g: Geometry): TensorInfo | null {
  const { H, W, Ci, Ho, Wo, Co, kh, kw, dh, dw, pt, pb, pl, pr } = g;
  const t = (kh - 1) * dh - pt;
  const bo = (kh - 1) * dh - pb;
  const l = (kw - 1) * dw - pl;
  const r = (kw - 1) * dw - pr;
  if (t < 0 || bo < 0 || l < 0 || r < 0) return null;
  if (Ho + t + bo - (kh - 1) * dh !== H || Wo + l + r - (kw - 1) * dw !== W) return null;
  const wr = rotatedFilter(b, filter, kh, kw, Ci, Co);
  try {
    return run(b, 'Conv2D', { x: dy, filter: wr }, {
      strides: [1, 1],
      pad: [[0, 0], [t, bo], [l, r], [0, 0]],
      dataFormat: 'NHWC',
      dilations: [dh, dw],
      dimRoundingMode: undefined,
    } as unknown as NamedAttrMap);
  } finally {
    free(b, wr);
  }
}

/** Kernel == stride, no padding at the top/left: one matMul, then depth-to-space. */
function inputGradBlock(b: WasmBackend, dy: TensorInfo, filter: TensorInfo, g: Geometry): TensorInfo {
  const { N, H, W, Ci, Ho, Wo, Co, kh, kw } = g;
  const K = kh * kw * Ci;
  const wT = transpose2d(b, filter, K, Co); // [Co, kh·kw·Ci]
  const cols = matMul(b, view(dy, [N * Ho * Wo, Co]), wT); // [N·Ho, Wo, kh, kw·Ci]
  free(b, wT);
  if (Ho * kh === H && Wo * kw === W) {
    const dx = swapMiddle(b, cols, N * Ho, Wo, kh, kw * Ci, [N, H, W, Ci]); // [N·Ho, kh, Wo, kw·Ci]
    free(b, cols);
    return dx;
  }
  // Rows / columns the forward conv never read get zero gradient.
  const dx = zeros(b, [N, H, W, Ci]);
  const h = heap(b);
  const so = off(b, cols);
  const xo = off(b, dx);
  const blk = kw * Ci;
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < Ho; oy++) {
      for (let i = 0; i < kh; i++) {
        for (let ox = 0; ox < Wo; ox++) {
          const s = so + (((n * Ho + oy) * Wo + ox) * kh + i) * blk;
          const d = xo + ((n * H + oy * kh + i) * W + ox * kw) * Ci;
          h.copyWithin(d, s, s + blk);
        }
      }
    }
  }
  free(b, cols);
  return dx;
}

/** General case: column gradient by matMul, then a JS scatter-add (col2im), chunked over the batch. */
function inputGradCol2im(b: WasmBackend, dy: TensorInfo, filter: TensorInfo, g: Geometry): TensorInfo {
  const { N, H, W, Ci, Ho, Wo, Co, kh, kw, sh, sw, dh, dw, pt, pl } = g;
  const K = kh * kw * Ci;
  const per = Ho * Wo;
  const wT = transpose2d(b, filter, K, Co); // [Co, K]
  const dx = zeros(b, [N, H, W, Ci]);
  const nb = imagesPerChunk(K, per, N);
  try {
    for (let n0 = 0; n0 < N; n0 += nb) {
      const n1 = Math.min(N, n0 + nb);
      const P = (n1 - n0) * per;
      let a: TensorInfo = view(dy, [P, Co]);
      if (n0 > 0 || n1 < N) {
        a = b.makeOutput([P, Co], 'float32');
        const s = off(b, dy) + n0 * per * Co;
        heap(b).copyWithin(off(b, a), s, s + P * Co);
      }
      const cols = matMul(b, a, wT); // [P, K]
      if (a.dataId !== dy.dataId) free(b, a);
      const h = heap(b);
      const xo = off(b, dx);
      let src = off(b, cols);
      for (let n = n0; n < n1; n++) {
        for (let oy = 0; oy < Ho; oy++) {
          for (let ox = 0; ox < Wo; ox++) {
            for (let i = 0; i < kh; i++) {
              const iy = oy * sh + i * dh - pt;
              if (iy < 0 || iy >= H) {
                src += kw * Ci;
                continue;
              }
              for (let j = 0; j < kw; j++) {
                const ix = ox * sw + j * dw - pl;
                if (ix < 0 || ix >= W) {
                  src += Ci;
                  continue;
                }
                let d = xo + ((n * H + iy) * W + ix) * Ci;
                for (let c = 0; c < Ci; c++) h[d++] += h[src++];
              }
            }
          }
        }
      }
      free(b, cols);
    }
    return dx;
  } catch (e) {
    free(b, dx);
    throw e;
  } finally {
    free(b, wT);
  }
}
