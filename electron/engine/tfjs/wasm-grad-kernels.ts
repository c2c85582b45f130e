// Training kernels for the TensorFlow.js wasm backend (tfjs 4.22).
//
// The wasm backend lacks Conv2DBackpropFilter and both depthwise backprop kernels, and its
// Conv2DBackpropInput (also the forward pass of conv2dTranspose) is a naive loop at ~2 GFLOP/s. These
// kernels re-express the gradients as work the backend does fast (XNNPACK conv and plain matMul at
// 20–25 GFLOP/s on one core), plus bulk copies on the wasm heap:
//
// - Conv2DBackpropFilter, stride 1: "shifted rows". With x transposed and zero-padded to
//   xp[Ci, N·Hp·Wp] and dy zero-padded to dyP[N·Hp·Wp, Co] on the same padded grid, the tap (i, j)
//   contribution is xp[:, q + i·dh·Wp + j·dw] · dyP[q, :] summed over q, so the im2col matrix
//   col[(i,j,ci), q] is built with one memmove per row (kh·kw·Ci of them), and dW = col · dyP is one
//   plain matMul whose result is already [kh, kw, Ci, Co]. Padding positions of dyP are zero, so the
//   rows that straddle two image rows cost a few percent of extra FLOPs and nothing else.
//   Kernel == stride (no overlap, no padding): col is x permuted, in one JS pass. Anything else: a JS
//   im2col loop, then the same matMul. All paths chunk over the batch to bound the col buffer.
//   dyP is deliberately the matMul's second operand: XNNPACK repacks that one (the "weights") on every
//   call at ~7 ns per element here, so it must be the smaller of the two.
// - Conv2DBackpropInput, stride 1: a forward conv of dy with the filter rotated 180° and its in/out
//   channels swapped. Kernel == stride: one matMul then depth-to-space. Otherwise: matMul to the
//   column gradient and a JS col2im (scatter-add).
// - DepthwiseConv2dNativeBackpropFilter / BackpropInput: direct JS loops over the heap (general
//   strides, dilations, pads, channel multipliers); BackpropInput with stride 1 and multiplier 1 runs
//   as a depthwise conv with the flipped filter.
// - Sum over all axes but the last (bias gradients), Concat / SplitV along the last axis (U-Net skips and
//   their gradients) and AvgPoolGrad with tiling windows: JS fast paths, 3–10× the built-ins; every other
//   case goes to the built-in kernel.
//
// Everything here works on the backend's TensorInfo objects and frees its intermediates itself; the
// returned TensorInfo owns its data. No tf ops run inside a kernel, so nothing reaches the engine's
// tensor tracking.
import * as tf from '@tensorflow/tfjs';
// The wasm package registers its kernels on import; loading it first guarantees ours are registered
// after (and so override) its own, whatever order the rest of the program imports things in.
import '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';

const { backend_util } = tf;
type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];
type PadAttr = 'valid' | 'same' | number | ExplicitPadding;
type RoundingMode = 'floor' | 'round' | 'ceil' | undefined;

interface WasmTensorData {
  id: number;
  memoryOffset: number;
  shape: number[];
  refCount: number;
}

/** The parts of tfjs-backend-wasm's BackendWasm these kernels use. */
interface WasmBackend {
  wasm: { HEAPF32: Float32Array };
  dataIdMap: { get(dataId: object): WasmTensorData | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

/** Upper bound on the bytes of one im2col / col2im buffer; larger batches are processed in chunks. */
const COL_BUDGET_BYTES = 128 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------------
// Small helpers over the wasm heap and the backend's own kernels.

function heap(b: WasmBackend): Float32Array {
  // Re-read after every allocation: growing the wasm memory replaces the buffer.
  return b.wasm.HEAPF32;
}

function off(b: WasmBackend, t: TensorInfo): number {
  const d = b.dataIdMap.get(t.dataId);
  if (!d) throw new Error('wasm-grad-kernels: tensor data not found on the wasm backend');
  return d.memoryOffset >>> 2;
}

function free(b: WasmBackend, ...ts: (TensorInfo | null | undefined)[]): void {
  for (const t of ts) if (t) b.disposeData(t.dataId);
}

/** The same data seen with another shape (for passing to kernels; never returned, never freed). */
function view(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

function zeros(b: WasmBackend, shape: number[]): TensorInfo {
  const t = b.makeOutput(shape, 'float32');
  const o = off(b, t);
  heap(b).fill(0, o, o + size(shape));
  return t;
}

function size(shape: number[]): number {
  let s = 1;
  for (const d of shape) s *= d;
  return s;
}

function kernel(name: string): KernelFunc {
  const k = originals.get(name) ?? tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm-grad-kernels: the wasm backend has no ${name} kernel`);
  return k.kernelFunc;
}

function run(b: WasmBackend, name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
  const out = kernel(name)({ inputs, attrs, backend: b as unknown as tf.KernelBackend });
  return (Array.isArray(out) ? out[0] : out) as TensorInfo;
}

function transpose(b: WasmBackend, x: TensorInfo, perm: number[]): TensorInfo {
  return run(b, 'Transpose', { x }, { perm });
}

function matMul(b: WasmBackend, a: TensorInfo, bm: TensorInfo): TensorInfo {
  return run(b, 'BatchMatMul', { a, b: bm }, { transposeA: false, transposeB: false });
}

/** acc += part, element-wise on the heap; frees part. */
function accumulate(b: WasmBackend, acc: TensorInfo, part: TensorInfo): void {
  const h = heap(b);
  const ao = off(b, acc);
  const po = off(b, part);
  const n = size(acc.shape);
  for (let i = 0; i < n; i++) h[ao + i] += h[po + i];
  free(b, part);
}

function pair(v: number | [number, number] | undefined, dflt: number): [number, number] {
  if (v === undefined || v === null) return [dflt, dflt];
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

function assertFloat(name: string, ...ts: TensorInfo[]): void {
  for (const t of ts) if (t.dtype !== 'float32') throw new Error(`${name} on wasm supports float32 only, got ${t.dtype}`);
}

interface Geometry {
  N: number;
  H: number;
  W: number;
  Ci: number;
  Ho: number;
  Wo: number;
  Co: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  pt: number;
  pb: number;
  pl: number;
  pr: number;
}

function geometry(
  inShape: number[],
  filterShape: number[],
  strides: number | [number, number],
  dilations: number | [number, number],
  padAttr: PadAttr,
  rounding: RoundingMode,
  depthwise: boolean,
): Geometry {
  const info = backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations,
    padAttr,
    rounding,
    depthwise,
    'channelsLast',
  );
  return {
    N: info.batchSize,
    H: info.inHeight,
    W: info.inWidth,
    Ci: info.inChannels,
    Ho: info.outHeight,
    Wo: info.outWidth,
    Co: info.outChannels,
    kh: info.filterHeight,
    kw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    dh: info.dilationHeight,
    dw: info.dilationWidth,
    pt: info.padInfo.top,
    pb: info.padInfo.bottom,
    pl: info.padInfo.left,
    pr: info.padInfo.right,
  };
}

const NHWC_FROM_NCHW = [0, 2, 3, 1];
const NCHW_FROM_NHWC = [0, 3, 1, 2];

// ---------------------------------------------------------------------------------------------------
// Conv2DBackpropFilter: dW[kh, kw, Ci, Co] from x[N, H, W, Ci] and dy[N, Ho, Wo, Co].

function conv2dBackpropFilter(args: { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap; backend: unknown }): TensorInfo {
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

/** Images per chunk so that rows × (images × pixelsPerImage) floats fit the column budget; balanced. */
function imagesPerChunk(rows: number, pixelsPerImage: number, n: number): number {
  const per = rows * pixelsPerImage * 4;
  const most = Math.max(1, Math.min(n, Math.floor(COL_BUDGET_BYTES / Math.max(1, per))));
  return Math.ceil(n / Math.ceil(n / most));
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

// ---------------------------------------------------------------------------------------------------
// Conv2DBackpropInput: dx[N, H, W, Ci] from dy[N, Ho, Wo, Co] and filter[kh, kw, Ci, Co].

function conv2dBackpropInput(args: { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap; backend: unknown }): TensorInfo {
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

// ---------------------------------------------------------------------------------------------------
// Depthwise: filter [kh, kw, C, M], dy [N, Ho, Wo, C·M].

interface DepthwiseAttrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: PadAttr;
  dimRoundingMode?: RoundingMode;
}

function depthwiseBackpropFilter(args: { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap; backend: unknown }): TensorInfo {
  const b = args.backend as WasmBackend;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  assertFloat('DepthwiseConv2dNativeBackpropFilter', x, dy);
  const attrs = (args.attrs ?? {}) as unknown as DepthwiseAttrs & { filterShape: [number, number, number, number] };
  const fs = attrs.filterShape;
  const g = geometry(x.shape, fs, attrs.strides, pair(attrs.dilations, 1), attrs.pad, attrs.dimRoundingMode, true);
  const { N, H, W, Ho, Wo, kh, kw, sh, sw, dh, dw, pt, pl } = g;
  const C = fs[2];
  const M = fs[3];
  const CM = C * M;
  const acc = new Float64Array(kh * kw * CM);
  const h = heap(b);
  const xo = off(b, x);
  let d = off(b, dy);
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++, d += CM) {
        for (let i = 0; i < kh; i++) {
          const iy = oy * sh + i * dh - pt;
          if (iy < 0 || iy >= H) continue;
          for (let j = 0; j < kw; j++) {
            const ix = ox * sw + j * dw - pl;
            if (ix < 0 || ix >= W) continue;
            const xb = xo + ((n * H + iy) * W + ix) * C;
            const ab = (i * kw + j) * CM;
            if (M === 1) {
              for (let c = 0; c < C; c++) acc[ab + c] += h[xb + c] * h[d + c];
            } else {
              for (let c = 0; c < C; c++) {
                const xv = h[xb + c];
                for (let m = 0; m < M; m++) acc[ab + c * M + m] += xv * h[d + c * M + m];
              }
            }
          }
        }
      }
    }
  }
  const out = b.makeOutput([kh, kw, C, M], 'float32');
  heap(b).set(acc, off(b, out));
  return out;
}

function depthwiseBackpropInput(args: { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap; backend: unknown }): TensorInfo {
  const b = args.backend as WasmBackend;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  assertFloat('DepthwiseConv2dNativeBackpropInput', dy, filter);
  const attrs = (args.attrs ?? {}) as unknown as DepthwiseAttrs & { inputShape: [number, number, number, number] };
  const g = geometry(attrs.inputShape, filter.shape, attrs.strides, pair(attrs.dilations, 1), attrs.pad, attrs.dimRoundingMode, true);
  const { N, H, W, Ho, Wo, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr } = g;
  const C = filter.shape[2];
  const M = filter.shape[3];
  const CM = C * M;

  if (sh === 1 && sw === 1 && M === 1) {
    // dx = depthwise(dy, filter flipped 180°) with the complementary padding.
    const t = (kh - 1) * dh - pt;
    const bo = (kh - 1) * dh - pb;
    const l = (kw - 1) * dw - pl;
    const r = (kw - 1) * dw - pr;
    if (t >= 0 && bo >= 0 && l >= 0 && r >= 0 &&
        Ho + t + bo - (kh - 1) * dh === H && Wo + l + r - (kw - 1) * dw === W) {
      const wf = b.makeOutput([kh, kw, C, 1], 'float32');
      const h = heap(b);
      const fo = off(b, filter);
      const wo = off(b, wf);
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          h.copyWithin(wo + (i * kw + j) * C, fo + ((kh - 1 - i) * kw + (kw - 1 - j)) * C, fo + ((kh - 1 - i) * kw + (kw - 1 - j) + 1) * C);
        }
      }
      try {
        const out = run(b, 'DepthwiseConv2dNative', { x: dy, filter: wf }, {
          strides: [1, 1],
          pad: [[0, 0], [t, bo], [l, r], [0, 0]],
          dilations: [dh, dw],
          dimRoundingMode: undefined,
        } as unknown as NamedAttrMap);
        out.shape = [N, H, W, C];
        return out;
      } finally {
        free(b, wf);
      }
    }
  }

  const dx = zeros(b, [N, H, W, C]);
  const h = heap(b);
  const xo = off(b, dx);
  const fo = off(b, filter);
  let d = off(b, dy);
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++, d += CM) {
        for (let i = 0; i < kh; i++) {
          const iy = oy * sh + i * dh - pt;
          if (iy < 0 || iy >= H) continue;
          for (let j = 0; j < kw; j++) {
            const ix = ox * sw + j * dw - pl;
            if (ix < 0 || ix >= W) continue;
            const xb = xo + ((n * H + iy) * W + ix) * C;
            const fb = fo + (i * kw + j) * CM;
            if (M === 1) {
              for (let c = 0; c < C; c++) h[xb + c] += h[fb + c] * h[d + c];
            } else {
              for (let c = 0; c < C; c++) {
                let s = 0;
                for (let m = 0; m < M; m++) s += h[fb + c * M + m] * h[d + c * M + m];
                h[xb + c] += s;
              }
            }
          }
        }
      }
    }
  }
  return dx;
}

// ---------------------------------------------------------------------------------------------------
// Memory-bound kernels of the backward pass whose wasm versions are slow for the shapes training uses
// (a transpose before every reduction, a typed-array view per row, naive pooling loops). Each has a
// narrow fast path and hands everything else to the built-in kernel.

type Args = { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap; backend: unknown };

/** Sum over every axis but the last (bias gradients): one sequential pass, float64 accumulators. */
function sumLeading(args: Args): TensorInfo {
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
function splitLast(args: Args): TensorInfo[] {
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
function concatLast(args: Args): TensorInfo {
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
function avgPoolGradTiled(args: Args): TensorInfo {
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

// ---------------------------------------------------------------------------------------------------
// Registration.

const Conv2DBackpropInputName = 'Conv2DBackpropInput';
/** The wasm backend's own kernels that ours replace, kept for the cases ours hand back. */
const originals = new Map<string, KernelConfig>();
const ours = new Map<string, KernelFunc>();

function fallback(name: string, args: { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap; backend: unknown }): TensorInfo | TensorInfo[] {
  const k = originals.get(name);
  if (!k) throw new Error(`${name}: case not supported by the wasm training kernels and no built-in kernel to fall back to`);
  return k.kernelFunc(args as Parameters<KernelFunc>[0]);
}

const KERNELS: [string, (args: Args) => TensorInfo | TensorInfo[]][] = [
  ['Conv2DBackpropFilter', conv2dBackpropFilter],
  [Conv2DBackpropInputName, conv2dBackpropInput],
  ['DepthwiseConv2dNativeBackpropFilter', depthwiseBackpropFilter],
  ['DepthwiseConv2dNativeBackpropInput', depthwiseBackpropInput],
  ['Sum', sumLeading],
  ['SplitV', splitLast],
  ['Concat', concatLast],
  ['AvgPoolGrad', avgPoolGradTiled],
];

/**
 * Registers (or re-registers) the training kernels on the 'wasm' backend. Idempotent. Safe to call
 * before or after tf.setBackend('wasm'): the replaced built-in kernels' setup functions are carried
 * over, so they still get initialised with the backend if that happens later.
 */
export function registerWasmTrainingKernels(): void {
  for (const [name, impl] of KERNELS) {
    const current = tf.getKernel(name, 'wasm');
    const mine = ours.get(name);
    if (current && mine && current.kernelFunc === mine) continue;
    if (current && !originals.has(name)) originals.set(name, current);
    if (current) tf.unregisterKernel(name, 'wasm');
    const kernelFunc = impl as unknown as KernelFunc;
    ours.set(name, kernelFunc);
    const orig = originals.get(name);
    const config: KernelConfig = { kernelName: name, backendName: 'wasm', kernelFunc };
    if (orig?.setupFunc) config.setupFunc = orig.setupFunc;
    tf.registerKernel(config);
  }
}

/** Whether our kernels are the ones the wasm backend will run (for diagnostics and tests). */
export function wasmTrainingKernelsActive(): boolean {
  return KERNELS.every(([name]) => {
    const k = tf.getKernel(name, 'wasm');
    return k !== undefined && k.kernelFunc === ours.get(name);
  });
}
