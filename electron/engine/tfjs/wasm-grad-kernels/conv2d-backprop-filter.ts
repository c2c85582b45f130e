// Conv2DBackpropFilter on wasm: dW[kh, kw, Ci, Co] from x[N, H, W, Ci] and dy[N, Ho, Wo, Co].
//
// Conv2DBackpropFilter, stride 1: "shifted rows". With x transposed and zero-padded to
// xp[Ci, N·Hp·Wp] and dy zero-padded to dyP[N·Hp·Wp, Co] on the same padded grid, the tap (i, j)
// contribution is xp[:, q + i·dh·Wp + j·dw] · dyP[q, :] summed over q, so the im2col matrix
// col[(i,j,ci), q] is built with one memmove per row (kh·kw·Ci of them), and dW = col · dyP is one
// plain matMul whose result is already [kh, kw, Ci, Co]. Padding positions of dyP are zero, so the
// rows that straddle two image rows cost a few percent of extra FLOPs and nothing else.
// Kernel == stride (no overlap, no padding): col is x permuted, in one JS pass. Anything else: a JS
// im2col loop, then the same matMul. All paths chunk over the batch to bound the col buffer.
// dyP is deliberately the matMul's second operand: XNNPACK repacks that one (the "weights") on every
// call at ~7 ns per element here, so it must be the smaller of the two.
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { matMul, transpose } from './builtin-kernels.js';
import { type Geometry, type PadAttr, type RoundingMode, geometry, imagesPerChunk, NHWC_FROM_NCHW } from './conv-geometry.js';
import { accumulate, assertFloat, free, heap, off, view, type WasmBackend } from './heap.js';

export function conv2dBackpropFilter(args: { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap; backend: unknown }): TensorInfo {
  const b = args.backend as WasmBackend;
  let { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  assertFloat('Conv2DBackpropFilter', x, dy);
  const attrs = (args.attrs ?? {}) as unknown as {
    strides: number | [number, number];
    pad: PadAttr;
    dataFormat?: 'NHWC' | 'NCHW';
    dimRoundingMode?: RoundingMode;
    filterShape: [number, number, number, number];
    dilations?: number | [number, number];
  };
  const temps: TensorInfo[] = [];
  if (attrs.dataFormat === 'NCHW') {
    x = transpose(b, x, NHWC_FROM_NCHW);
    dy = transpose(b, dy, NHWC_FROM_NCHW);
    temps.push(x, dy);
  }
  try {
    const g = geometry(x.shape, attrs.filterShape, attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, false);
    let out: TensorInfo;
    if (g.sh === 1 && g.sw === 1) out = filterGradShifted(b, x, dy, g);
    else if (isBlockConv(g)) out = filterGradBlock(b, x, dy, g);
    else out = filterGradIm2col(b, x, dy, g);
    out.shape = [g.kh, g.kw, g.Ci, g.Co];
    return out;
  } finally {
    free(b, ...temps);
  }
}

/** Kernel equal to stride, no dilation, no padding, and the input exactly covered: no overlap at all. */
function isBlockConv(g: Geometry): boolean {
  return (
    g.kh === g.sh && g.kw === g.sw && g.dh === 1 && g.dw === 1 &&
    g.pt === 0 && g.pb === 0 && g.pl === 0 && g.pr === 0 &&
    g.Ho * g.sh === g.H && g.Wo * g.sw === g.W
  );
}

/**
 * x[N, H, W, C] → out[C, N, Hp, Wp] with the image at (pt, pl) and zeros around it: the transposed,
 * padded grid of the shifted-rows method. One JS pass (faster here than wasm Transpose + PadV2).
 */
function transposePadded(b: WasmBackend, x: TensorInfo, g: Geometry, Hp: number, Wp: number): TensorInfo {
  const { N, H, W, Ci: C, pt, pl } = g;
  const L = N * Hp * Wp;
  const out = b.makeOutput([C, N, Hp, Wp], 'float32');
  const h = heap(b);
  const xo = off(b, x);
  const oo = off(b, out);
  if (Hp !== H || Wp !== W) h.fill(0, oo, oo + C * L);
  // Sequential reads, C sequential write streams (measured faster than the other loop orders).
  let s = xo;
  for (let n = 0; n < N; n++) {
    for (let y = 0; y < H; y++) {
      const db = oo + (n * Hp + y + pt) * Wp + pl;
      for (let x1 = 0; x1 < W; x1++) {
        let d = db + x1;
        for (let c = 0; c < C; c++, d += L) h[d] = h[s++];
      }
    }
  }
  return out;
}

/** dy[N, Ho, Wo, Co] → out[N, Hp, Wp, Co], zero-padded at the bottom and right, by row copies. */
function padBottomRight(b: WasmBackend, dy: TensorInfo, N: number, Ho: number, Wo: number, Co: number, Hp: number, Wp: number): TensorInfo {
  const out = b.makeOutput([N, Hp, Wp, Co], 'float32');
  const h = heap(b);
  const so = off(b, dy);
  const oo = off(b, out);
  const row = Wo * Co;
  const prow = Wp * Co;
  for (let n = 0; n < N; n++) {
    for (let y = 0; y < Hp; y++) {
      const d = oo + (n * Hp + y) * prow;
      if (y < Ho) {
        const s = so + (n * Ho + y) * row;
        h.copyWithin(d, s, s + row);
        if (prow > row) h.fill(0, d + row, d + prow);
      } else {
        h.fill(0, d, d + prow);
      }
    }
  }
  return out;
}


function filterGradShifted(b: WasmBackend, x: TensorInfo, dy: TensorInfo, g: Geometry): TensorInfo {
  const { N, H, W, Ci, Ho, Wo, Co, kh, kw, dh, dw, pt, pb, pl, pr } = g;
  const Hp = H + pt + pb;
  const Wp = W + pl + pr;
  if (Hp - (kh - 1) * dh !== Ho || Wp - (kw - 1) * dw !== Wo) return filterGradIm2col(b, x, dy, g);
  const K = kh * kw * Ci;
  const img = Hp * Wp;
  const L = N * img;
  const maxShift = (kh - 1) * dh * Wp + (kw - 1) * dw;

  const xp = transposePadded(b, x, g, Hp, Wp); // [Ci, N, Hp, Wp]
  const dyP = Hp !== Ho || Wp !== Wo ? padBottomRight(b, dy, N, Ho, Wo, Co, Hp, Wp) : dy;
  try {
    // A 1×1 unpadded conv needs no column matrix: it is x itself.
    if (kh === 1 && kw === 1) return matMul(b, view(xp, [Ci, L]), view(dyP, [L, Co]));
    const nb = imagesPerChunk(K, img, N);
    let acc: TensorInfo | null = null;
    for (let n0 = 0; n0 < N; n0 += nb) {
      const n1 = Math.min(N, n0 + nb);
      const Q = (n1 - n0) * img - (n1 === N ? maxShift : 0);
      const col = b.makeOutput([K, Q], 'float32');
      let bm: TensorInfo = view(dyP, [Q, Co]);
      if (n0 > 0 || n1 < N) {
        bm = b.makeOutput([Q, Co], 'float32');
        const s = off(b, dyP) + n0 * img * Co;
        heap(b).copyWithin(off(b, bm), s, s + Q * Co);
      }
      const h = heap(b);
      const xo = off(b, xp) + n0 * img;
      const co = off(b, col);
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const shift = i * dh * Wp + j * dw;
          for (let c = 0; c < Ci; c++) {
            const src = xo + c * L + shift;
            h.copyWithin(co + ((i * kw + j) * Ci + c) * Q, src, src + Q);
          }
        }
      }
      const part = matMul(b, col, bm);
      free(b, col);
      if (bm.dataId !== dyP.dataId) free(b, bm);
      if (acc) accumulate(b, acc, part);
      else acc = part;
    }
    return acc as TensorInfo;
  } finally {
    free(b, xp);
    if (dyP !== dy) free(b, dyP);
  }
}

function filterGradBlock(b: WasmBackend, x: TensorInfo, dy: TensorInfo, g: Geometry): TensorInfo {
  const { N, H, W, Ci, Ho, Wo, Co, kh, kw } = g;
  const P = N * Ho * Wo;
  const K = kh * kw * Ci;
  // col[(i, j, c), (n, oy, ox)] = x[n, oy·kh + i, ox·kw + j, c]: x is read once, in order. dW = col · dy,
  // with dy (the smaller operand) as the matrix XNNPACK packs.
  const col = b.makeOutput([K, P], 'float32');
  const h = heap(b);
  let s = off(b, x);
  const co = off(b, col);
  for (let n = 0; n < N; n++) {
    for (let y = 0; y < H; y++) {
      const oy = Math.floor(y / kh);
      const i = y - oy * kh;
      const p0 = (n * Ho + oy) * Wo;
      for (let ox = 0; ox < Wo; ox++) {
        for (let j = 0; j < kw; j++) {
          let d = co + ((i * kw + j) * Ci) * P + p0 + ox;
          for (let c = 0; c < Ci; c++, d += P) h[d] = h[s++];
        }
      }
    }
  }
  try {
    return matMul(b, col, view(dy, [P, Co]));
  } finally {
    free(b, col);
  }
}

/** General strides / dilations / pads: JS im2col (transposed), chunked over the batch, then matMul. */
function filterGradIm2col(b: WasmBackend, x: TensorInfo, dy: TensorInfo, g: Geometry): TensorInfo {
  const { N, H, W, Ci, Ho, Wo, Co, kh, kw, sh, sw, dh, dw, pt, pl } = g;
  const K = kh * kw * Ci;
  const per = Ho * Wo;
  const nb = imagesPerChunk(K, per, N);
  let acc: TensorInfo | null = null;
  for (let n0 = 0; n0 < N; n0 += nb) {
    const n1 = Math.min(N, n0 + nb);
    const Q = (n1 - n0) * per;
    const col = b.makeOutput([K, Q], 'float32');
    let bm: TensorInfo = view(dy, [Q, Co]);
    if (n0 > 0 || n1 < N) {
      bm = b.makeOutput([Q, Co], 'float32');
      const s = off(b, dy) + n0 * per * Co;
      heap(b).copyWithin(off(b, bm), s, s + Q * Co);
    }
    const h = heap(b);
    const xo = off(b, x);
    const co = off(b, col);
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        // Output columns whose input column lies inside the image: ox in [oxLo, oxHi).
        const jx = j * dw - pl;
        const oxLo = Math.min(Wo, Math.max(0, Math.ceil(-jx / sw)));
        const oxHi = Math.max(oxLo, Math.min(Wo, Math.floor((W - 1 - jx) / sw) + 1));
        for (let c = 0; c < Ci; c++) {
          let o = co + ((i * kw + j) * Ci + c) * Q;
          for (let n = n0; n < n1; n++) {
            for (let oy = 0; oy < Ho; oy++) {
              const iy = oy * sh + i * dh - pt;
              if (iy < 0 || iy >= H) {
                h.fill(0, o, o + Wo);
                o += Wo;
                continue;
              }
              if (oxLo > 0) h.fill(0, o, o + oxLo);
              let s = ((n * H + iy) * W + oxLo * sw + jx) * Ci + c + xo;
              const step = sw * Ci;
              const end = o + oxHi;
              for (let p = o + oxLo; p < end; p++, s += step) h[p] = h[s];
              if (oxHi < Wo) h.fill(0, o + oxHi, o + Wo);
              o += Wo;
            }
          }
        }
      }
    }
    const part = matMul(b, col, bm);
    free(b, col);
    if (bm.dataId !== dy.dataId) free(b, bm);
    if (acc) accumulate(b, acc, part);
    else acc = part;
  }
  return acc as TensorInfo;
}
