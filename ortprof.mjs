import ort from 'onnxruntime-node';
import { readFileSync, readdirSync, unlinkSync } from 'node:fs';
const D = '/work/main/dist/electron/engine';
const { loadModelDir } = await import(`${D}/models/model-file.js`);
const { codecModelFrom } = await import(`${D}/codec/model/codec-model.js`);
const { exportCodecGraph } = await import(`${D}/onnx/export-hyperprior.js`);
const E = await import(`${D}/codec/model/exact-synthesis.js`);
const { Rng } = await import(`${D}/util/rng.js`);
const m = codecModelFrom(await loadModelDir('/work/main/models/codec'));
const bytes = exportCodecGraph(m.cfg, m.weights, 'synthesis');
const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all', enableProfiling: true, profileFilePrefix: '/tmp/exp/ortprof' });
const rng = new Rng(1);
const a0 = Float32Array.from({ length: 32 * 48 * 96 }, () => E.quantiseLatent(m.exact, 3 * rng.normal()));
const t = new ort.Tensor('float32', a0, [1, 32, 48, 96]);
for (let i = 0; i < 4; i++) { const t0 = performance.now(); await s.run({ y: t }); console.log('run', (performance.now() - t0).toFixed(0)); }
s.endProfiling(); const file = '/tmp/exp/' + readdirSync('/tmp/exp').find((f) => f.startsWith('ortprof'));
const ev = JSON.parse(readFileSync(file, 'utf8'));
const by = {};
for (const e of ev) if (e.cat === 'Node' && e.name.endsWith('_kernel_time')) { const k = e.args.op_name; by[k] = (by[k] ?? 0) + e.dur / 1000 / 4; }
console.log(Object.entries(by).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', '));
unlinkSync(file);
