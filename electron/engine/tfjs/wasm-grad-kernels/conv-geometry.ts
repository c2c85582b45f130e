// Convolution geometry shared by the gradient kernels: sizes, strides, dilations and pads from tfjs's
// attributes, layout permutations, and how many images fit one im2col / col2im buffer.
import * as tf from '@tensorflow/tfjs';

const { backend_util } = tf;

type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];
export type PadAttr = 'valid' | 'same' | number | ExplicitPadding;
export type RoundingMode = 'floor' | 'round' | 'ceil' | undefined;

/** Upper bound on the bytes of one im2col / col2im buffer; larger batches are processed in chunks. */
const COL_BUDGET_BYTES = 128 * 1024 * 1024;

export function pair(v: number | [number, number] | undefined, dflt: number): [number, number] {
  if (v === undefined || v === null) return [dflt, dflt];
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

export interface Geometry {
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

export function geometry(
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

export const NHWC_FROM_NCHW = [0, 2, 3, 1];
export const NCHW_FROM_NHWC = [0, 3, 1, 2];

/** Images per chunk so that rows × (images × pixelsPerImage) floats fit the column budget; balanced. */
export function imagesPerChunk(rows: number, pixelsPerImage: number, n: number): number {
  const per = rows * pixelsPerImage * 4;
  const most = Math.max(1, Math.min(n, Math.floor(COL_BUDGET_BYTES / Math.max(1, per))));
  return Math.ceil(n / Math.ceil(n / most));
}
