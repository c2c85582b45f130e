import ort from 'onnxruntime-node';
const D = '/work/main/dist/electron/engine';
const { loadModelDir } = await import(`${D}/models/model-file.js`);
const { codecModelFrom } = await import(`${D}/codec/model/codec-model.js`);
const { exportCodecGraph } = await import(`${D}/onnx/export-hyperprior.js`);
const U = await import(`${D}/onnx/export-unet.js`);
const { GraphBuilder } = await import(`${D}/onnx/onnx-proto.js`);
const E = await import(`${D}/codec/model/exact-synthesis.js`);
const { Rng } = await import(`${D}/util/rng.js`);
const m = codecModelFrom(await loadModelDir('/work/main/models/codec'));
const W = m.weights, n = m.cfg.n;
function floatGraph() {
  const g = new GraphBuilder('f');
  const conv = (name, x, k, cin, cout) => U.convLayer(g, name, x, W.get(`${name}.w`), [k, k, cin, cout], W.get(`${name}.b`));
  const igdn = (name, x) => {
    const gw = U.hwioToOihw(Float32Array.from(W.get(`${name}.gamma`), Math.abs), 1, n, n);
    const norm = g.op('Conv', [g.op('Abs', [x]), g.initializer(`${name}.g`, [n, n, 1, 1], gw), g.initializer(`${name}.b`, [n], Float32Array.from(W.get(`${name}.beta`), (v) => Math.abs(v) + 1e-4))], { kernel_shape: [1, 1], pads: [0, 0, 0, 0], strides: [1, 1], dilations: [1, 1], group: 1 });
    return g.op('Mul', [x, norm]);
  };
  const y = g.input('y', ['N', 'h', 'w', 96]);
  let f = igdn('gs0.igdn', U.shuffleLayer(g, conv('gs0', U.toNchw(g, y), 3, 96, 4 * n)));
  f = igdn('gs1.igdn', U.shuffleLayer(g, conv('gs1', f, 3, n, 4 * n)));
  f = igdn('gs2.igdn', U.shuffleLayer(g, conv('gs2', f, 3, n, 4 * n)));
  g.op('Add', [U.toNhwc(g, U.shuffleLayer(g, conv('gs3', f, 3, n, 12))), g.initializer('half', [1], Float32Array.of(0.5))], {}, 'x');
  g.output('x', ['N', 'H', 'W', 3]);
  return g.model({});
}
const rng = new Rng(1);
const a0 = Float32Array.from({ length: 32 * 48 * 96 }, () => E.quantiseLatent(m.exact, 3 * rng.normal()));
const t = new ort.Tensor('float32', a0, [1, 32, 48, 96]);
const sessions = { float: await ort.InferenceSession.create(floatGraph(), { intraOpNumThreads: 1, interOpNumThreads: 1 }), exact: await ort.InferenceSession.create(exportCodecGraph(m.cfg, W, 'synthesis'), { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 3 }) };
const times = { float: [], exact: [] };
for (let r = 0; r < 6; r++) for (const k of ['float', 'exact']) { const t0 = performance.now(); await sessions[k].run({ y: t }); times[k].push(performance.now() - t0); }
for (const k of ['float', 'exact']) console.log(k, times[k].map((v) => v.toFixed(0)).join(' '), 'best', Math.min(...times[k]).toFixed(0));
