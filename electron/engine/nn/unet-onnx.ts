// Exports the project's U-Net (nn/unet.ts) to ONNX, opset 17, mirroring `forward` op for op.
//
// Interface of the exported graph (what OrtEngine feeds):
//   input  `image`    float32 [N, H, W, P], NHWC as everywhere else in AEZ (H, W dynamic multiples of 2^levels);
//                     P = channels + extraInputs (the inpainter's hole mask is the last extra plane)
//   input  `sigma`    float32 [1], noise level in 0..1 units — only when cfg.noiseMap
//   output `denoised` float32 [N, H, W, C] = image[..C] − predicted residual (× mask when cfg.maskedOutput)
// Inside, the graph runs NCHW (what ONNX convolutions take): one Transpose at entry and one at exit, conv
// weights HWIO → OIHW. Pixel unshuffle + convolution is folded into one stride-2 convolution
// (unshuffleConvLayer); pixel shuffle maps onto DepthToSpace (DCR), whose channel order (dy, dx, c) is the
// convention of nn/shuffle.ts.
import type { UNetConfig } from './unet.js';
import { paramSpecs } from './unet.js';
import { GraphBuilder, type Dim } from '../onnx/onnx-proto.js';

export const ONNX_INPUT = 'image';
export const ONNX_SIGMA = 'sigma';
export const ONNX_OUTPUT = 'denoised';

/** The architecture fields the exporter reads beyond the basic U-Net (optional, as in nn/unet.ts). */
type Arch = UNetConfig & { extraInputs?: number; maskedOutput?: boolean };

/** Planes of the network input: image channels plus extra planes (nn/unet.ts inputChannels). */
export function onnxInputPlanes(cfg: UNetConfig): number {
  return cfg.channels + ((cfg as Arch).extraInputs ?? 0);
}

/** HWIO [k, k, cin, cout] (tfjs conv2d filter) → OIHW [cout, cin, k, k] (ONNX Conv W). */
export function hwioToOihw(w: Float32Array, k: number, cin: number, cout: number): Float32Array {
  if (w.length !== k * k * cin * cout) throw new Error(`conv weight has ${w.length} values, expected ${k * k * cin * cout}`);
  const out = new Float32Array(w.length);
  for (let ky = 0; ky < k; ky++)
    for (let kx = 0; kx < k; kx++)
      for (let ci = 0; ci < cin; ci++) {
        const src = ((ky * k + kx) * cin + ci) * cout;
        for (let co = 0; co < cout; co++) out[((co * cin + ci) * k + ky) * k + kx] = w[src + co];
      }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Layers (NCHW tensors by name). Exported one by one so the tests can check each against its tf twin.

/** tf.conv2d(x, w, 1, 'same') + b, with w in HWIO. Odd k only ('same' padding is symmetric then). */
export function convLayer(g: GraphBuilder, name: string, x: string, w: Float32Array, shape: readonly number[], b: Float32Array): string {
  const [k, k2, cin, cout] = shape;
  if (k !== k2 || k % 2 !== 1) throw new Error(`${name}: only square odd kernels are exported, got ${k}×${k2}`);
  if (b.length !== cout) throw new Error(`${name}: bias has ${b.length} values, expected ${cout}`);
  const wName = g.initializer(`${name}.w`, [cout, cin, k, k], hwioToOihw(w, k, cin, cout));
  const bName = g.initializer(`${name}.b`, [cout], b);
  const p = (k - 1) / 2;
  return g.op('Conv', [x, wName, bName], { kernel_shape: [k, k], pads: [p, p, p, p], strides: [1, 1], dilations: [1, 1], group: 1 }, g.fresh(name));
}

/**
 * pixelUnshuffle2 then a k×k 'same' convolution (odd k, pad p = (k − 1)/2), as one 2k×2k stride-2
 * convolution with pads 2p: the same multiply-adds without the SpaceToDepth, and without the layout reorders
 * onnxruntime puts around it (it keeps its blocked NCHWc layout from one convolution to the next).
 * Unshuffled channel (dy, dx, c) of tap (a, b) reads pixel (2i + 2a + dy − 2p, 2j + 2b + dx − 2p), so it
 * becomes tap (2a + dy, 2b + dx) of the strided kernel.
 */
export function unshuffleConvLayer(g: GraphBuilder, name: string, x: string, w: Float32Array, shape: readonly number[], b: Float32Array): string {
  const [k, k2, cin4, cout] = shape;
  if (k !== k2 || k % 2 !== 1 || cin4 % 4) throw new Error(`${name}: expected a square odd kernel over 4·C unshuffled channels, got [${shape}]`);
  if (w.length !== k * k * cin4 * cout) throw new Error(`${name}: weight has ${w.length} values, expected ${k * k * cin4 * cout}`);
  if (b.length !== cout) throw new Error(`${name}: bias has ${b.length} values, expected ${cout}`);
  const c = cin4 / 4;
  const K = 2 * k;
  const out = new Float32Array(cout * c * K * K);
  for (let a = 0; a < k; a++)
    for (let bb = 0; bb < k; bb++)
      for (let dy = 0; dy < 2; dy++)
        for (let dx = 0; dx < 2; dx++)
          for (let ci = 0; ci < c; ci++) {
            const src = ((a * k + bb) * cin4 + dy * 2 * c + dx * c + ci) * cout;
            const ky = 2 * a + dy;
            const kx = 2 * bb + dx;
            for (let co = 0; co < cout; co++) out[((co * c + ci) * K + ky) * K + kx] = w[src + co];
          }
  const pad = k - 1;
  const wName = g.initializer(`${name}.w`, [cout, c, K, K], out);
  const bName = g.initializer(`${name}.b`, [cout], b);
  return g.op('Conv', [x, wName, bName], { kernel_shape: [K, K], pads: [pad, pad, pad, pad], strides: [2, 2], dilations: [1, 1], group: 1 }, g.fresh(name));
}

export function reluLayer(g: GraphBuilder, x: string): string {
  return g.op('Relu', [x]);
}

export function addLayer(g: GraphBuilder, a: string, b: string): string {
  return g.op('Add', [a, b]);
}

/** pixelShuffle2 in NCHW: DepthToSpace in DCR mode reads channel dy·2C + dx·C + c, the inverse of the above. */
export function shuffleLayer(g: GraphBuilder, x: string): string {
  return g.op('DepthToSpace', [x], { blocksize: 2, mode: 'DCR' });
}

/** NHWC → NCHW. */
export function toNchw(g: GraphBuilder, x: string): string {
  return g.op('Transpose', [x], { perm: [0, 3, 1, 2] });
}

/** NCHW → NHWC. */
export function toNhwc(g: GraphBuilder, x: string): string {
  return g.op('Transpose', [x], { perm: [0, 2, 3, 1] });
}

/** Appends a constant σ plane to NCHW `x` as its last channel: [N, C, H, W] → [N, C+1, H, W]. */
export function noisePlaneLayer(g: GraphBuilder, x: string, sigma: string): string {
  const n = g.op('Shape', [x], { start: 0, end: 1 });
  const hw = g.op('Shape', [x], { start: 2 });
  const planeShape = g.op('Concat', [n, g.int64s([1]), hw], { axis: 0 });
  const s = g.op('Reshape', [sigma, g.int64s([1, 1, 1, 1])]);
  const plane = g.op('Expand', [s, planeShape]);
  return g.op('Concat', [x, plane], { axis: 1 });
}

// ---------------------------------------------------------------------------------------------------

export interface ExportOptions {
  producerVersion?: string;
  /** Stored in the model's metadata (e.g. the weights' sha256), for cache checks. */
  props?: Record<string, string>;
}

/** Builds the ONNX bytes of a U-Net with the given weights (tfjs layouts, as in LoadedModel.weights). */
export function exportUNet(cfg: UNetConfig, weights: Map<string, Float32Array>, opts: ExportOptions = {}): Uint8Array {
  const specs = new Map(paramSpecs(cfg).map((s) => [s.name, s.shape]));
  for (const [name, shape] of specs) {
    const w = weights.get(name);
    const n = shape.reduce((a, b) => a * b, 1);
    if (!w || w.length !== n) throw new Error(`cannot export: weight ${name} missing or not ${n} values`);
  }
  const g = new GraphBuilder('aez_unet');
  const arch = cfg as Arch;
  const extra = arch.extraInputs ?? 0;
  const dims: Dim[] = ['N', 'H', 'W', cfg.channels];
  const image = g.input(ONNX_INPUT, ['N', 'H', 'W', cfg.channels + extra]);
  const sigma = cfg.noiseMap ? g.input(ONNX_SIGMA, [1]) : undefined;
  const conv = (name: string, x: string) => convLayer(g, name, x, weights.get(`${name}.w`)!, specs.get(`${name}.w`)!, weights.get(`${name}.b`)!);
  const down = (name: string, x: string) => unshuffleConvLayer(g, name, x, weights.get(`${name}.w`)!, specs.get(`${name}.w`)!, weights.get(`${name}.b`)!);
  const block = (name: string, x: string) => addLayer(g, x, conv(`${name}.c2`, reluLayer(g, conv(`${name}.c1`, x))));

  let inp = toNchw(g, image);
  if (sigma) inp = noisePlaneLayer(g, inp, sigma);
  let f = reluLayer(g, down('head', inp));
  const skips: string[] = [];
  const levels = cfg.widths.length;
  for (let l = 0; l < levels; l++) {
    if (l > 0) {
      skips.push(f);
      f = down(`down${l}`, f);
    }
    for (let b = 0; b < cfg.blocks[l]; b++) f = block(`enc${l}.b${b}`, f);
  }
  for (let l = levels - 2; l >= 0; l--) {
    f = addLayer(g, shuffleLayer(g, conv(`up${l + 1}`, f)), skips[l]);
    for (let b = 0; b < cfg.blocks[l]; b++) f = block(`dec${l}.b${b}`, f);
  }
  const noise = toNhwc(g, shuffleLayer(g, conv('tail', f)));
  if (extra === 0) g.op('Sub', [image, noise], {}, ONNX_OUTPUT);
  else {
    // The image is the first `channels` planes; with maskedOutput the residual applies only inside the mask
    // (the last extra plane), so pixels outside pass through exactly.
    const planes = (from: number, to: number) => g.op('Slice', [image, g.int64s([from]), g.int64s([to]), g.int64s([3])]);
    const img = planes(0, cfg.channels);
    const residual = arch.maskedOutput ? g.op('Mul', [planes(cfg.channels + extra - 1, cfg.channels + extra), noise]) : noise;
    g.op('Sub', [img, residual], {}, ONNX_OUTPUT);
  }
  g.output(ONNX_OUTPUT, dims);
  return g.model({
    producerVersion: opts.producerVersion,
    docString: `AEZ residual U-Net ${JSON.stringify(cfg)}`,
    props: { 'aez.arch': JSON.stringify(cfg), ...opts.props },
  });
}
