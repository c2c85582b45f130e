// Exports the explorer's demo autoencoders (models.ts) to ONNX, opset 17, one graph per half, mirroring
// `encode` and `decode` op for op. Interface (NHWC, as everywhere in AEZ):
//   encoder: `x` [N, 32, 32, 1] in 0..1 → `mu` [N, d]           (the code of an AE, the posterior mean of a VAE)
//   decoder: `z` [N, d]                 → `x` [N, 32, 32, 1] in 0..1 (sigmoid applied)
// tf's 'same' padding for a 3×3 stride-2 convolution on an even side pads 0 before and 1 after; ONNX takes
// that as explicit pads [0, 0, 1, 1]. The transposed convolutions are the gradients of those convolutions, so
// they crop the same way: ConvTranspose pads [0, 0, 1, 1] give exactly 2× the input side.
// tf flattens NHWC feature maps; the graph transposes back to NHWC before Reshape so the dense weights are
// used as stored.
import { NET_SIDE } from './datasets.js';
import { paramSpecs, type DemoArch } from './models.js';
import { hwioToOihw, reluLayer, toNchw, toNhwc, type ExportOptions } from '../nn/unet-onnx.js';
import { GraphBuilder } from '../onnx/onnx-proto.js';

export type DemoGraph = 'encoder' | 'decoder';
export const DEMO_GRAPH_IO: Record<DemoGraph, { input: string; output: string }> = {
  encoder: { input: 'x', output: 'mu' },
  decoder: { input: 'z', output: 'x' },
};

/** Pads of tf's 'same' for a 3×3 stride-2 window on an even side: none before, one after (begin h, w; end h, w). */
const SAME_STRIDE2_PADS = [0, 0, 1, 1];

/** One stride-2 node with tf's 'same' cropping; `wOnnx` is already in the op's layout. */
function stride2Node(g: GraphBuilder, op: 'Conv' | 'ConvTranspose', name: string, x: string, k: number, wOnnx: Float32Array, wDims: number[], b: Float32Array, cout: number): string {
  if (k !== 3) throw new Error(`${name}: only 3×3 stride-2 layers are exported (their 'same' pads are fixed), got ${k}×${k}`);
  if (b.length !== cout) throw new Error(`${name}: bias has ${b.length} values, expected ${cout}`);
  const wName = g.initializer(`${name}.w`, wDims, wOnnx);
  const bName = g.initializer(`${name}.b`, [cout], b);
  return g.op(op, [x, wName, bName], { kernel_shape: [k, k], pads: SAME_STRIDE2_PADS, strides: [2, 2], dilations: [1, 1], group: 1 }, g.fresh(name));
}

/** tfjs conv2dTranspose filter [k, k, cout, cin] → ONNX ConvTranspose W [cin, cout, k, k]. */
export function transposedFilterToOnnx(w: Float32Array, k: number, cout: number, cin: number): Float32Array {
  if (w.length !== k * k * cout * cin) throw new Error(`transposed-conv weight has ${w.length} values, expected ${k * k * cout * cin}`);
  const out = new Float32Array(w.length);
  for (let ky = 0; ky < k; ky++)
    for (let kx = 0; kx < k; kx++)
      for (let co = 0; co < cout; co++)
        for (let ci = 0; ci < cin; ci++) out[((ci * cout + co) * k + ky) * k + kx] = w[((ky * k + kx) * cout + co) * cin + ci];
  return out;
}

/** tf.fused.conv2d(x, w, 2, 'same', bias) in NCHW, w in HWIO. */
export function convStride2Layer(g: GraphBuilder, name: string, x: string, w: Float32Array, shape: readonly number[], b: Float32Array): string {
  const [k, , cin, cout] = shape;
  return stride2Node(g, 'Conv', name, x, k, hwioToOihw(w, k, cin, cout), [cout, cin, k, k], b, cout);
}

/** tf.conv2dTranspose(x, w, [n, 2h, 2w, cout], 2, 'same') + b in NCHW, w as tfjs stores it [k, k, cout, cin]. */
export function convTransposeStride2Layer(g: GraphBuilder, name: string, x: string, w: Float32Array, shape: readonly number[], b: Float32Array): string {
  const [k, , cout, cin] = shape;
  return stride2Node(g, 'ConvTranspose', name, x, k, transposedFilterToOnnx(w, k, cout, cin), [cin, cout, k, k], b, cout);
}

/** x·W + b for x [N, in], W [in, out] (tf.matMul + add). */
export function denseLayer(g: GraphBuilder, name: string, x: string, w: Float32Array, shape: readonly number[], b: Float32Array): string {
  const wName = g.initializer(`${name}.w`, shape, w);
  const bName = g.initializer(`${name}.b`, [shape[1]], b);
  return g.op('Add', [g.op('MatMul', [x, wName]), bName]);
}

/** Builds one half of a demo model from its flat float32 weights (paramSpecs order, as loadDemoModelDir gives). */
export function exportDemoGraph(arch: DemoArch, flat: Float32Array, graph: DemoGraph, opts: ExportOptions = {}): Uint8Array {
  const specs = new Map<string, { shape: number[]; data: Float32Array }>();
  let offset = 0;
  for (const s of paramSpecs(arch)) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    specs.set(s.name, { shape: s.shape, data: flat.subarray(offset, offset + n) });
    offset += n;
  }
  if (offset !== flat.length) throw new Error(`cannot export: ${flat.length} weights, the architecture has ${offset}`);
  const p = (name: string) => specs.get(name)!;
  const layer = (
    fn: typeof denseLayer,
    name: string,
    x: string,
  ): string => fn(g, name, x, p(`${name}.w`).data, p(`${name}.w`).shape, p(`${name}.b`).data);

  const g = new GraphBuilder(`aez_demo_${graph}`);
  const io = DEMO_GRAPH_IO[graph];
  const side = NET_SIDE;
  const bottom = side / 8;
  const [, , f3] = arch.filters;
  if (graph === 'encoder') {
    const x = g.input(io.input, ['N', side, side, 1]);
    let f = reluLayer(g, layer(convStride2Layer, 'enc.c1', toNchw(g, x)));
    f = reluLayer(g, layer(convStride2Layer, 'enc.c2', f));
    f = reluLayer(g, layer(convStride2Layer, 'enc.c3', f));
    const flatF = g.op('Reshape', [toNhwc(g, f), g.int64s([0, bottom * bottom * f3])]);
    g.op('Identity', [layer(denseLayer, arch.kind === 'ae' ? 'enc.z' : 'enc.mu', flatF)], {}, io.output);
    g.output(io.output, ['N', arch.latent]);
  } else {
    const z = g.input(io.input, ['N', arch.latent]);
    const fc = reluLayer(g, layer(denseLayer, 'dec.fc', z));
    let f = toNchw(g, g.op('Reshape', [fc, g.int64s([0, bottom, bottom, f3])]));
    f = reluLayer(g, layer(convTransposeStride2Layer, 'dec.t1', f));
    f = reluLayer(g, layer(convTransposeStride2Layer, 'dec.t2', f));
    f = layer(convTransposeStride2Layer, 'dec.t3', f);
    g.op('Identity', [toNhwc(g, g.op('Sigmoid', [f]))], {}, io.output);
    g.output(io.output, ['N', side, side, 1]);
  }
  return g.model({
    producerVersion: opts.producerVersion,
    docString: `AEZ demo ${graph} ${JSON.stringify(arch)}`,
    props: { 'aez.arch': JSON.stringify(arch), 'aez.graph': graph, ...opts.props },
  });
}
