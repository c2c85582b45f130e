// The PyTorch mirror (scripts/torch/) computes what the app computes: for a small U-Net of each shipped kind,
// fixtures written by the mirror (scripts/torch/fixtures.py) hold random weights, an input batch, the mirror's
// output, its loss gradient and the weights after one Adam step; the app's own forward pass, gradient
// computer and Adam step must reproduce them; for a small codec, its rate, distortion, reconstruction and the
// gradient of the rate–distortion cost (real rounding, the noise-free mode). No Python needed here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { forward, paramSpecs, type Params, type UNetConfig } from '../electron/engine/nn/unet.js';
import { GradientComputer, type PixelLoss } from '../electron/engine/train/grad-core.js';
import { adamStep, createAdam } from '../electron/engine/train/adam.js';
import { initBackend } from '../electron/engine/tfjs/backend.js';
import { hyperpriorParamSpecs, rdForward } from '../electron/engine/codec/model/hyperprior.js';
import type { HyperpriorConfig } from '../electron/engine/codec/model/config.js';

const DIR = resolve('test/fixtures/torch');

interface Fixture {
  arch: UNetConfig;
  loss: PixelLoss;
  n: number;
  patch: number;
  lr: number;
  fields: Record<'params' | 'input' | 'target' | 'sigma' | 'output' | 'grad' | 'after', [number, number]>;
}

async function load(name: string) {
  const meta = JSON.parse(await readFile(join(DIR, `${name}.json`), 'utf8')) as Fixture;
  const buf = await readFile(join(DIR, `${name}.bin`));
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const get = (f: keyof Fixture['fields']) => all.slice(meta.fields[f][0], meta.fields[f][0] + meta.fields[f][1]);
  return { meta, get };
}

function toParams(cfg: UNetConfig, flat: Float32Array): Params {
  const params: Params = new Map();
  let offset = 0;
  for (const s of paramSpecs(cfg)) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    params.set(s.name, tf.tensor(flat.subarray(offset, offset + n), s.shape));
    offset += n;
  }
  return params;
}

/** Largest absolute difference, relative to the reference's largest magnitude (at least 1). */
function maxRelDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let d = 0;
  let scale = 1;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return d / scale;
}

for (const name of ['photo', 'scan', 'inpaint']) {
  test(`torch mirror ≡ app: ${name} U-Net output, loss gradient and Adam step`, async () => {
    await initBackend();
    const { meta, get } = await load(name);
    const cfg = meta.arch;
    const inC = cfg.channels + (cfg.extraInputs ?? 0);
    const params = get('params');
    const sigma = get('sigma');
    const p = toParams(cfg, params);
    try {
      const x = tf.tensor4d(get('input'), [meta.n, meta.patch, meta.patch, inC]);
      const out = forward(cfg, p, x, cfg.noiseMap ? tf.tensor1d(sigma) : undefined);
      const diff = maxRelDiff(out.dataSync() as Float32Array, get('output'));
      assert.ok(diff < 1e-4, `output differs by ${diff}`);
      tf.dispose([x, out]);
    } finally {
      for (const t of p.values()) t.dispose();
    }

    const gc = new GradientComputer(cfg, meta.loss);
    try {
      gc.setWeights(params);
      const grad = new Float32Array(gc.size);
      gc.compute({ n: meta.n, patch: meta.patch, channels: cfg.channels, input: get('input'), target: get('target'), ...(cfg.noiseMap ? { sigma } : {}), ...(inC !== cfg.channels ? { inputChannels: inC } : {}) }, grad);
      const gdiff = maxRelDiff(grad, get('grad'));
      assert.ok(gdiff < 1e-4, `gradient differs by ${gdiff}`);
      const after = params.slice();
      adamStep(after, get('grad'), createAdam(after.length), { lr: meta.lr, clipNorm: 1 });
      const adiff = maxRelDiff(after, get('after'));
      assert.ok(adiff < 1e-5, `Adam step differs by ${adiff}`);
    } finally {
      gc.dispose();
    }
  });
}

test('torch mirror ≡ app: codec rate, distortion, reconstruction and rate–distortion gradient', async () => {
  await initBackend();
  const meta = JSON.parse(await readFile(join(DIR, 'codec.json'), 'utf8')) as { arch: HyperpriorConfig; n: number; patch: number; fields: Record<string, [number, number]> };
  const buf = await readFile(join(DIR, 'codec.bin'));
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const get = (f: string) => all.slice(meta.fields[f][0], meta.fields[f][0] + meta.fields[f][1]);
  const cfg = meta.arch;
  const specs = hyperpriorParamSpecs(cfg);
  const flat = get('params');
  const vars: tf.Variable[] = [];
  let offset = 0;
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    vars.push(tf.variable(tf.tensor(flat.subarray(offset, offset + n), s.shape), true, `fixture-${s.name}`));
    offset += n;
  }
  assert.equal(offset, flat.length);
  const params: Params = new Map(specs.map((s, i) => [s.name, vars[i]]));
  const levels = Int32Array.from(get('levels'));
  const x = tf.tensor4d(get('input'), [meta.n, meta.patch, meta.patch, 3]);
  try {
    const r = rdForward(cfg, params, x, levels);
    for (const [name, t] of [['bpp', r.bpp], ['mse', r.mse], ['output', r.xHat]] as const) {
      const d = maxRelDiff(t.dataSync() as Float32Array, get(name));
      assert.ok(d < 1e-4, `${name} differs by ${d}`);
    }
    tf.dispose([r.bpp, r.mse, r.xHat]);
    const lambdas = tf.tensor1d(Array.from(levels, (l) => cfg.lambdas[l] * 255 * 255));
    const { grads } = tf.variableGrads(() => {
      const t = rdForward(cfg, params, x, levels);
      return tf.mean(tf.add(t.bpp, tf.mul(lambdas, t.mse))) as tf.Scalar;
    }, vars);
    const grad = new Float32Array(flat.length);
    offset = 0;
    for (const v of vars) {
      const g = grads[v.name];
      grad.set(g ? (g.dataSync() as Float32Array) : new Float32Array(v.size), offset);
      offset += v.size;
    }
    const gdiff = maxRelDiff(grad, get('grad'));
    assert.ok(gdiff < 1e-4, `gradient differs by ${gdiff}`);
    tf.dispose([lambdas, ...Object.values(grads)]);
  } finally {
    tf.dispose([x, ...vars]);
  }
});
