// onnxruntime and TensorFlow.js give the same output for the same model and input (max abs ≤ 1e-4 on 0..1
// images): random small U-Nets of every shape the architecture allows, and every model folder in models/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrtEngine } from '../electron/engine/inference/ort-engine.js';
import { onnxInputPlanes } from '../electron/engine/nn/unet-onnx.js';
import { TfjsEngine } from '../electron/engine/inference/tfjs-engine.js';
import { createInferenceEngine } from '../electron/engine/inference/select.js';
import { loadModelDir, type LoadedModel } from '../electron/engine/models/model-file.js';
import { listInstalledModels } from '../electron/engine/models/registry.js';
import { initParams, paramSpecs, sizeMultiple, type UNetConfig } from '../electron/engine/nn/unet.js';
import { activeBackend, initBackend } from '../electron/engine/tfjs/backend.js';
import { Rng } from '../electron/engine/util/rng.js';
import { gradientImage } from './helpers.js';

const TOL = 1e-4;

/** A random model whose every parameter matters: He-initialised weights, non-zero biases, a loud tail. */
function randomModel(cfg: UNetConfig, seed: number): LoadedModel {
  const rng = new Rng(seed);
  const params = initParams(cfg, seed);
  const weights = new Map<string, Float32Array>();
  for (const [name, t] of params) {
    const w = (t.dataSync() as Float32Array).slice();
    t.dispose();
    if (name.endsWith('.b')) for (let i = 0; i < w.length; i++) w[i] = 0.05 * rng.normal();
    if (name.startsWith('tail.')) for (let i = 0; i < w.length; i++) w[i] *= 3;
    weights.set(name, w);
  }
  const manifest = {
    format: 'aez-model' as const,
    version: 1 as const,
    id: `random-${seed}`,
    task: cfg.channels === 3 ? ('denoise-photo' as const) : ('denoise-scan' as const),
    arch: cfg,
    dtype: 'float32' as const,
    weights: paramSpecs(cfg).map((s) => ({ name: s.name, shape: s.shape })),
    sha256: seed.toString(16).padStart(64, '0'),
  };
  return { manifest, dir: `/nonexistent/random-${seed}`, weights };
}

function noisyImage(h: number, w: number, c: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const clean = gradientImage(w, h, c as 1 | 3);
  return clean.map((v) => Math.min(1, Math.max(0, v + 0.1 * rng.normal())));
}

/** Network input for `cfg`: a noisy image, plus extra planes (the last a 0/1 hole mask) for inpainters. */
function modelInput(cfg: UNetConfig, h: number, w: number, seed: number): Float32Array {
  const img = noisyImage(h, w, cfg.channels, seed);
  const planes = onnxInputPlanes(cfg);
  if (planes === cfg.channels) return img;
  const rng = new Rng(seed + 1);
  const out = new Float32Array(h * w * planes);
  for (let i = 0; i < h * w; i++) {
    for (let c = 0; c < cfg.channels; c++) out[i * planes + c] = img[i * cfg.channels + c];
    for (let e = cfg.channels; e < planes; e++) out[i * planes + e] = e === planes - 1 ? (rng.next() < 0.3 ? 1 : 0) : rng.next();
  }
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function noiseSize(out: Float32Array, input: Float32Array): number {
  let m = 0;
  for (let i = 0; i < out.length; i++) m = Math.max(m, Math.abs(out[i] - input[i]));
  return m;
}

const CONFIGS: UNetConfig[] = [];
for (const channels of [1, 3] as const)
  for (const noiseMap of [false, true])
    for (const widths of [[6, 12], [4, 8, 12]])
      CONFIGS.push({ kind: 'unet', channels, noiseMap, widths, blocks: widths.map((_, l) => (channels + l + (noiseMap ? 1 : 0)) % 3) });
// Blocks 0, 1 and 2 at every level occur above; add the two extremes explicitly.
CONFIGS.push({ kind: 'unet', channels: 3, noiseMap: true, widths: [8, 16], blocks: [0, 0] });
CONFIGS.push({ kind: 'unet', channels: 3, noiseMap: true, widths: [8, 16, 16], blocks: [2, 2, 2] });
// Inpainting: a hole-mask plane after the image, with and without the masked (composited) output.
CONFIGS.push({ kind: 'unet', channels: 3, noiseMap: false, widths: [6, 12, 12, 16], blocks: [1, 0, 1, 2], extraInputs: 1, maskedOutput: true } as UNetConfig);
CONFIGS.push({ kind: 'unet', channels: 1, noiseMap: true, widths: [6, 12], blocks: [1, 1], extraInputs: 2 } as UNetConfig);

test('ort and tfjs agree on random U-Nets: channels 1/3, noise map on/off, 2–3 levels, 0–2 blocks', async () => {
  const ort = await OrtEngine.create({ threads: 1 });
  const tfe = await TfjsEngine.create();
  try {
    let seed = 11;
    for (const cfg of CONFIGS) {
      const model = randomModel(cfg, seed++);
      const m = sizeMultiple(cfg);
      const [h, w] = [3 * m, 5 * m];
      const x = modelInput(cfg, h, w, seed);
      const planes = onnxInputPlanes(cfg);
      for (const sigma of cfg.noiseMap ? [0, 25 / 255] : [undefined]) {
        const a = await ort.run(model, x.slice(), [1, h, w, planes], { sigma });
        const b = await tfe.run(model, x.slice(), [1, h, w, planes], { sigma });
        assert.equal(a.length, h * w * cfg.channels);
        const d = maxAbsDiff(a, b);
        assert.ok(d <= TOL, `${JSON.stringify(cfg)} σ=${sigma}: max abs diff ${d}`);
        assert.ok(noiseSize(b, planes === cfg.channels ? x : modelInput({ ...cfg, extraInputs: 0 } as UNetConfig, h, w, seed)) > 1e-2, `${JSON.stringify(cfg)}: the network does something (else the test proves nothing)`);
      }
    }
  } finally {
    ort.dispose();
    tfe.dispose();
  }
});

test('ort: a batch of tiles gives the same as the tiles one by one; sigma changes the output', async () => {
  const ort = await OrtEngine.create({ threads: 1 });
  const cfg: UNetConfig = { kind: 'unet', channels: 3, noiseMap: true, widths: [8, 16], blocks: [1, 1] };
  const model = randomModel(cfg, 99);
  const [h, w, c] = [16, 24, 3];
  const t1 = noisyImage(h, w, c, 1);
  const t2 = noisyImage(h, w, c, 2);
  const both = new Float32Array(2 * t1.length);
  both.set(t1);
  both.set(t2, t1.length);
  const batch = await ort.run(model, both, [2, h, w, c], { sigma: 0.1 });
  const a = await ort.run(model, t1.slice(), [1, h, w, c], { sigma: 0.1 });
  const b = await ort.run(model, t2.slice(), [1, h, w, c], { sigma: 0.1 });
  assert.ok(maxAbsDiff(batch.subarray(0, a.length), a) < 1e-6);
  assert.ok(maxAbsDiff(batch.subarray(a.length), b) < 1e-6);
  const other = await ort.run(model, t1.slice(), [1, h, w, c], { sigma: 0.3 });
  assert.ok(maxAbsDiff(other, a) > 1e-4);
  await assert.rejects(ort.run(model, t1.slice(0, 10 * 20 * 3), [1, 10, 20, 3]), /multiple of 4/);
  ort.dispose();
});

test('every model folder in models/: ort and tfjs agree within 1e-4', async () => {
  const installed = listInstalledModels();
  const ort = await OrtEngine.create();
  const tfe = await TfjsEngine.create();
  try {
    for (const m of installed) {
      const model = await loadModelDir(m.dir);
      if (model.manifest.arch.kind !== 'unet') continue; // the codec: test/codec-onnx.test.ts
      const cfg = model.manifest.arch as UNetConfig;
      const mult = sizeMultiple(cfg);
      const [h, w] = [Math.max(mult, 64), Math.max(mult, 96)].map((v) => Math.ceil(v / mult) * mult);
      const x = modelInput(cfg, h, w, 5);
      const planes = onnxInputPlanes(cfg);
      const sigma = cfg.noiseMap ? 25 / 255 : undefined;
      const d = maxAbsDiff(await ort.run(model, x.slice(), [1, h, w, planes], { sigma }), await tfe.run(model, x.slice(), [1, h, w, planes], { sigma }));
      assert.ok(d <= TOL, `${m.id}: max abs diff ${d}`);
    }
  } finally {
    ort.dispose();
    tfe.dispose();
  }
});

test('engine choice: auto picks onnxruntime here; a tfjs name forces tfjs; ort names leave tfjs on its chain', async () => {
  const saved = process.env.AEZ_BACKEND;
  delete process.env.AEZ_BACKEND;
  try {
    const auto = await createInferenceEngine();
    assert.match(auto.chosen, /^ort-/);
    assert.ok(auto.attempts.some((a) => a.name.startsWith('ort') && a.ok));
    auto.engine.dispose();
    const forced = await createInferenceEngine('ort');
    assert.equal(forced.chosen, 'ort-cpu');
    assert.match(forced.why, /--backend/);
    forced.engine.dispose();
    const tf = await createInferenceEngine('wasm');
    assert.equal(tf.chosen, 'tfjs-wasm');
    await assert.rejects(createInferenceEngine('nope'), /unknown backend/);
    // A GPU provider asked for on a machine without it fails loudly, not silently on CPU.
    if (process.platform === 'linux') await assert.rejects(createInferenceEngine('ort-dml'), /ort-dml was asked for but cannot run/);
    // Training's backend choice ignores onnxruntime names.
    const report = await initBackend('ort');
    assert.ok(['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'].includes(report.chosen));
    assert.equal(activeBackend()?.chosen, report.chosen);
  } finally {
    if (saved === undefined) delete process.env.AEZ_BACKEND;
    else process.env.AEZ_BACKEND = saved;
  }
});
