// The codec's transforms on onnxruntime: the analysis graphs agree with TensorFlow.js to float precision
// and the exact synthesis to the bit (random model and every codec in models/), and a file encoded with
// one engine decodes with the other to identical pixels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCodecTransforms, TfjsCodecTransforms } from '../electron/engine/codec/transform-engines.js';
import { codecModelFrom, type CodecModel } from '../electron/engine/codec/codec-model.js';
import { quantiseLatent } from '../electron/engine/codec/model/exact-synthesis.js';
import { decodeImageAez, encodeImageAez } from '../electron/engine/codec/image-codec.js';
import { parseAez } from '../electron/engine/codec/format/aez-file.js';
import { loadModelDir } from '../electron/engine/models/model-file.js';
import { listInstalledModels } from '../electron/engine/models/registry.js';
import { initBackend } from '../electron/engine/tfjs/backend.js';
import { Rng } from '../electron/engine/util/rng.js';
import { gradientImage } from './helpers.js';
import { tinyCodec } from './codec-helpers.js';

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

async function compareGraphs(model: CodecModel, tol: number): Promise<void> {
  await initBackend('wasm');
  const tfjs = new TfjsCodecTransforms('tfjs-wasm');
  const ort = await createCodecTransforms('ort', 1);
  const rng = new Rng(4);
  const x = Float32Array.from({ length: 64 * 128 * 3 }, () => rng.next());
  const ya = await ort.run(model, 'analysis', x, [1, 64, 128, 3]);
  const yb = await tfjs.run(model, 'analysis', x, [1, 64, 128, 3]);
  const scale = Math.max(...yb.map(Math.abs));
  assert.ok(maxAbsDiff(ya, yb) <= tol * Math.max(1, scale), `analysis: ${maxAbsDiff(ya, yb)} (|y| up to ${scale})`);
  const za = await ort.run(model, 'hyperAnalysis', yb, [1, 4, 8, model.cfg.m]);
  const zb = await tfjs.run(model, 'hyperAnalysis', yb, [1, 4, 8, model.cfg.m]);
  assert.ok(maxAbsDiff(za, zb) <= tol * Math.max(1, Math.max(...zb.map(Math.abs))), `hyper-analysis: ${maxAbsDiff(za, zb)}`);
  // The synthesis takes Q0 integers (what the decoder feeds it) and must agree exactly.
  const a0 = Float32Array.from(yb, (v) => quantiseLatent(model.exact, v));
  const xa = await ort.run(model, 'synthesis', a0, [1, 4, 8, model.cfg.m]);
  const xb = await tfjs.run(model, 'synthesis', a0, [1, 4, 8, model.cfg.m]);
  assert.equal(xa.length, 64 * 128 * 3);
  assert.equal(maxAbsDiff(xa, xb), 0, 'synthesis: onnxruntime and TensorFlow.js differ');
  ort.dispose();
}

test('onnxruntime and TensorFlow.js agree on each codec graph (random model)', async () => {
  await initBackend('wasm');
  await compareGraphs(tinyCodec(), 1e-4);
});

test('every codec model in models/: onnxruntime and TensorFlow.js agree (analysis within 1e-4, synthesis exactly)', async () => {
  for (const m of listInstalledModels()) {
    const loaded = await loadModelDir(m.dir);
    if (loaded.manifest.arch.kind !== 'hyperprior') continue;
    await compareGraphs(codecModelFrom(loaded), 1e-4);
  }
});

test('cross-engine: encoded on tfjs-wasm, decoded on onnxruntime (and the reverse), identical pixels', async () => {
  await initBackend('wasm');
  const model = tinyCodec();
  const tfjs = new TfjsCodecTransforms('tfjs-wasm');
  const ort = await createCodecTransforms('ort', 1);
  const data = gradientImage(96, 64, 3).map((v) => Math.round(v * 255) / 255);
  const img = { width: 96, height: 64, channels: 3 as const, data, bitDepth: 8 as const, format: 'png' };
  for (const [enc, dec] of [
    [tfjs, ort],
    [ort, tfjs],
  ]) {
    const r = await encodeImageAez(model, img, { rate: { quality: 2 }, reconstruct: true, transforms: enc });
    const out = await decodeImageAez(model, parseAez(r.bytes), { transforms: dec });
    assert.deepEqual(out.data, r.reconstruction!.data, `${enc.name}→${dec.name}: decoded pixels differ from the encoder's`);
  }
  ort.dispose();
});
