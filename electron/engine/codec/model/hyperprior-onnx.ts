// Exports the codec's learned transforms (codec/model/hyperprior.ts) to ONNX, opset 17, one graph each,
// mirroring the tf functions op for op. Interface (NHWC, as everywhere in AEZ):
//   analysis:        `x` [N, H, W, 3] in 0..1 (H, W multiples of 16)  → `y` [N, H/16, W/16, M]
//   synthesis:       `y` [N, h, w, M] Q0 integers                      → `x` [N, 16h, 16w, 3] (not clipped),
//                    the integer-exact form (codec/model/exact-synthesis.ts), op for op like its tf twin
//   hyper-analysis:  `y` [N, h, w, M] (h, w multiples of 4)            → `z` [N, h/4, w/4, NZ]
// The hyper-synthesis is not exported: the codec runs it in float64 JavaScript for bit-exact decoding.
// GDN's |γ| and |β| + 1e-4 are folded into constants at export.
import { EXACT_SHIFTS_PARAM, type HyperpriorConfig } from './config.js';
import { exactGraphConvs, exactSynthesisFrom, type ExactSynthesis, type GraphConv } from './exact-synthesis.js';
import { hyperpriorParamSpecs } from './hyperprior.js';
import { GraphBuilder } from '../../onnx/onnx-proto.js';
import { convLayer, hwioToOihw, reluLayer, shuffleLayer, toNchw, toNhwc, unshuffleConvLayer, type ExportOptions } from '../../nn/unet-onnx.js';

export type CodecGraph = 'analysis' | 'synthesis' | 'hyperAnalysis';
export const CODEC_GRAPH_IO: Record<CodecGraph, { input: string; output: string }> = {
  analysis: { input: 'x', output: 'y' },
  synthesis: { input: 'y', output: 'x' },
  hyperAnalysis: { input: 'y', output: 'z' },
};

/** GDN x / (β + γ·|x|), NCHW. */
export function gdnLayer(g: GraphBuilder, name: string, x: string, gamma: Float32Array, beta: Float32Array): string {
  const c = beta.length;
  const gw = hwioToOihw(Float32Array.from(gamma, Math.abs), 1, c, c);
  const wName = g.initializer(`${name}.gamma_abs`, [c, c, 1, 1], gw);
  const bName = g.initializer(`${name}.beta_abs`, [c], Float32Array.from(beta, (v) => Math.abs(v) + 1e-4));
  const norm = g.op('Conv', [g.op('Abs', [x]), wName, bName], { kernel_shape: [1, 1], pads: [0, 0, 0, 0], strides: [1, 1], dilations: [1, 1], group: 1 });
  return g.op('Div', [x, norm]);
}

export function exportCodecGraph(cfg: HyperpriorConfig, weights: Map<string, Float32Array>, graph: CodecGraph, opts: ExportOptions = {}): Uint8Array {
  const specs = new Map(hyperpriorParamSpecs(cfg).map((s) => [s.name, s.shape]));
  const w = (name: string) => {
    const v = weights.get(name);
    if (!v) throw new Error(`cannot export: weight ${name} missing`);
    return v;
  };
  const g = new GraphBuilder(`aez_codec_${graph}`);
  const conv = (name: string, x: string) => convLayer(g, name, x, w(`${name}.w`), specs.get(`${name}.w`)!, w(`${name}.b`));
  // Pixel-unshuffle + convolution, folded into one strided convolution (export-unet.ts unshuffleConvLayer).
  const down = (name: string, x: string) => unshuffleConvLayer(g, name, x, w(`${name}.w`), specs.get(`${name}.w`)!, w(`${name}.b`));
  const gdn = (name: string, x: string) => gdnLayer(g, name, x, w(`${name}.gamma`), w(`${name}.beta`));
  const io = CODEC_GRAPH_IO[graph];
  if (graph === 'analysis') {
    const x = g.input(io.input, ['N', 'H', 'W', cfg.channels]);
    let f = down('ga0', g.op('Sub', [toNchw(g, x), g.initializer('half', [1], Float32Array.of(0.5))]));
    f = gdn('ga0.gdn', f);
    f = gdn('ga1.gdn', down('ga1', f));
    f = gdn('ga2.gdn', down('ga2', f));
    g.op('Identity', [toNhwc(g, down('ga3', f))], {}, io.output);
    g.output(io.output, ['N', 'h', 'w', cfg.m]);
  } else if (graph === 'synthesis') {
    const y = g.input(io.input, ['N', 'h', 'w', cfg.m]);
    exactSynthesisGraph(g, cfg, exactSynthesisFrom(cfg, weights, w(EXACT_SHIFTS_PARAM)), y, io.output);
  } else {
    const y = g.input(io.input, ['N', 'h', 'w', cfg.m]);
    let f = reluLayer(g, conv('ha0', toNchw(g, y)));
    f = reluLayer(g, down('ha1', f));
    g.op('Identity', [toNhwc(g, down('ha2', f))], {}, io.output);
    g.output(io.output, ['N', 'zh', 'zw', cfg.nz]);
  }
  return g.model({
    producerVersion: opts.producerVersion,
    docString: `AEZ codec ${graph} ${JSON.stringify(cfg)}`,
    props: { 'aez.arch': JSON.stringify(cfg), 'aez.graph': graph, ...opts.props },
  });
}

/** The exact synthesis (exact-synthesis.ts `exactSynthesisTf`), op for op, NHWC in and out. */
function exactSynthesisGraph(g: GraphBuilder, cfg: HyperpriorConfig, es: ExactSynthesis, y: string, output: string): void {
  const { convs, gdns } = exactGraphConvs(es);
  const half = g.initializer('q_half', [], Float32Array.of(0.5));
  const conv = (name: string, c: GraphConv, x: string) => convLayer(g, name, x, c.w, [c.k, c.k, c.cin, c.cout], c.b);
  // Clip straight after a Conv: onnxruntime fuses the two.
  const floorClamp = (name: string, x: string, limit: number) =>
    g.op('Floor', [g.op('Clip', [x, g.initializer(`${name}.min`, [], Float32Array.of(-limit)), g.initializer(`${name}.max`, [], Float32Array.of(limit))])]);
  let a = toNchw(g, y);
  for (let s = 0; s < 3; s++) {
    const q = shuffleLayer(g, floorClamp(`q${2 * s + 1}`, conv(`gs${s}`, convs[s], a), es.limits[2 * s + 1]));
    a = floorClamp(`q${2 * s + 2}`, g.op('Add', [g.op('Mul', [q, conv(`gs${s}.igdn`, gdns[s], g.op('Abs', [q]))]), half]), es.limits[2 * s + 2]);
  }
  g.op('Identity', [toNhwc(g, shuffleLayer(g, conv('gs3', convs[3], a)))], {}, output);
  g.output(output, ['N', 'H', 'W', cfg.channels]);
}
