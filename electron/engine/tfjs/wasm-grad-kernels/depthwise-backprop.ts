// Depthwise convolution gradients on wasm: filter [kh, kw, C, M], dy [N, Ho, Wo, C·M].
//
// DepthwiseConv2dNativeBackpropFilter / BackpropInput: direct JS loops over the heap (general
// strides, dilations, pads, channel multipliers); BackpropInput with stride 1 and multiplier 1 runs
// as a depthwise conv with the flipped filter.
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { run } from './builtin-kernels.js';
import { type PadAttr, type RoundingMode, geometry, pair } from './conv-geometry.js';
import { assertFloat, free, heap, off, type WasmBackend, zeros } from './heap.js';

interface DepthwiseAttrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: PadAttr;
  dimRoundingMode?: RoundingMode;
}

export function depthwiseBackpropFilter(args: { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap; backend: unknown }): TensorInfo {
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

export function depthwiseBackpropInput(args: { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap; backend: unknown }): TensorInfo {
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
