// Times one codec training step (forward + backward) on the active backend: sizing the CPU training run.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../electron/engine/tfjs/backend.js';
import { hyperpriorInitParams, hyperpriorParamSpecs, rdLoss } from '../electron/engine/codec/model/hyperprior.js';
import { DEFAULT_LAMBDAS, type HyperpriorConfig } from '../electron/engine/codec/model/config.js';

const [n, m, nz, batch, patch] = process.argv.slice(2).map(Number);
await initBackend(process.env.AEZ_BACKEND ?? 'wasm');
const cfg: HyperpriorConfig = { kind: 'hyperprior', channels: 3, n, m, nz, lambdas: DEFAULT_LAMBDAS };
const params = hyperpriorInitParams(cfg, 1);
const vars = [...params.entries()].map(([k, t]) => tf.variable(t, true, k));
const pm = new Map([...params.keys()].map((k, i) => [k, vars[i] as tf.Tensor]));
console.log('params', hyperpriorParamSpecs(cfg).reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0));
const x = tf.randomUniform([batch, patch, patch, 3]) as tf.Tensor4D;
const levels = Int32Array.from({ length: batch }, (_, i) => i % 6);
for (let i = 0; i < 4; i++) {
  const t0 = Date.now();
  const { value, grads } = tf.variableGrads(() => rdLoss(cfg, pm, x, levels, 100 + i), vars);
  const l = value.dataSync()[0];
  for (const g of Object.values(grads)) g.dataSync();
  tf.dispose([value, ...Object.values(grads)]);
  console.log(`step ${i}: ${Date.now() - t0} ms loss ${l.toFixed(3)} tensors ${tf.memory().numTensors}`);
}
