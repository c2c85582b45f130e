// The integer-exact synthesis (codec/model/exact-synthesis.ts): its derivation keeps every convolution
// sum inside float32's exact-integer range, it gives bit-identical output on every engine even when every
// activation sits at its clamp (the largest sums), it stays close to the float network it replaces, and
// bad or legacy models are refused with a clear message. Also: the trainer writes codecs exact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createCodecTransforms, TfjsCodecTransforms, type CodecTransforms } from '../electron/engine/codec/transform-engines.js';
import { codecModelFrom, type CodecModel } from '../electron/engine/codec/codec-model.js';
import { EXACT_SHIFTS_PARAM, trainableCodecConfig } from '../electron/engine/codec/model/config.js';
import { ACTIVATION_LIMIT, EXACT_SUM_LIMIT, exactSynthesisFrom, exactSynthesisTf, quantiseLatent, WEIGHT_LIMIT } from '../electron/engine/codec/model/exact-synthesis.js';
import { synthesis } from '../electron/engine/codec/model/hyperprior.js';
import { decodeImageAez, encodeImageAez } from '../electron/engine/codec/image-codec.js';
import { parseAez } from '../electron/engine/codec/format/aez-file.js';
import { isCodecError } from '../electron/engine/codec/errors.js';
import { loadModelDir } from '../electron/engine/models/model-file.js';
import { listInstalledModels } from '../electron/engine/models/registry.js';
import { initBackend } from '../electron/engine/tfjs/backend.js';
import { codecValSet } from '../electron/engine/train/codec-validate.js';
import { loadImageStore } from '../electron/engine/train/image-store.js';
import { train } from '../electron/engine/train/trainer.js';
import { Rng } from '../electron/engine/util/rng.js';
import { TINY_CODEC, tinyCodec, tinyLoadedCodec } from './codec-helpers.js';
import { gradientImage, tempDir, writePng } from './helpers.js';

async function installedCodecs(): Promise<CodecModel[]> {
  const out: CodecModel[] = [];
  for (const m of listInstalledModels()) {
    const loaded = await loadModelDir(m.dir);
    if (loaded.manifest.arch.kind === 'hyperprior') out.push(codecModelFrom(loaded));
  }
  return out;
}

test('the derived network keeps every convolution sum below 2^24 with integer weights and biases', async () => {
  await initBackend('wasm');
  for (const model of [tinyCodec(), ...(await installedCodecs())]) {
    const es = model.exact;
    const layers = [...es.convs.map((c, s) => ({ c, input: 2 * s })), ...es.gdns.map((c, s) => ({ c, input: 2 * s + 1 }))];
    for (const { c, input } of layers) {
      const limit = es.limits[input];
      assert.ok(limit >= 63 && limit <= ACTIVATION_LIMIT, `clamp ${limit}`);
      for (let o = 0; o < c.cout; o++) {
        let sumAbs = 0;
        for (let i = o; i < c.w.length; i += c.cout) {
          assert.ok(Number.isInteger(c.w[i]) && Math.abs(c.w[i]) <= WEIGHT_LIMIT, `weight ${c.w[i]}`);
          sumAbs += Math.abs(c.w[i]);
        }
        assert.ok(Number.isInteger(c.b[o]), `bias ${c.b[o]}`);
        assert.ok(sumAbs * limit + Math.abs(c.b[o]) < EXACT_SUM_LIMIT, `${model.id}: channel ${o} of the layer fed by Q${input} can reach ${sumAbs * limit + Math.abs(c.b[o])}`);
      }
    }
  }
});

/** Latents at ±clamp (random signs) and random values: the largest sums the network can see, and typical ones. */
function stressInputs(model: CodecModel, h: number, w: number): Float32Array[] {
  const rng = new Rng(11);
  const a = model.exact.limits[0];
  const n = h * w * model.cfg.m;
  return [Float32Array.from({ length: n }, () => (rng.next() < 0.5 ? -a : a)), Float32Array.from({ length: n }, () => quantiseLatent(model.exact, 6 * rng.normal()))];
}

test('the exact synthesis gives bit-identical output on tfjs cpu, tfjs wasm and onnxruntime, even at its clamps', { timeout: 120_000 }, async () => {
  for (const [i, model] of [tinyCodec(), ...(await installedCodecs())].entries()) {
    const outputs: { name: string; out: Float32Array[] }[] = [];
    const engines: [string, () => Promise<CodecTransforms>][] = [
      ['cpu', async () => (await initBackend('cpu'), new TfjsCodecTransforms('tfjs-cpu'))],
      ['wasm', async () => (await initBackend('wasm'), new TfjsCodecTransforms('tfjs-wasm'))],
      ['ort', () => createCodecTransforms('ort', 2)],
    ];
    for (const [name, make] of engines) {
      const rt = await make();
      outputs.push({ name, out: await Promise.all(stressInputs(model, 5, 6).map((x) => rt.run(model, 'synthesis', x, [1, 5, 6, model.cfg.m]))) });
      rt.dispose();
    }
    for (const { name, out } of outputs.slice(1)) {
      out.forEach((o, k) => assert.deepEqual(o, outputs[0].out[k], `model ${i} input ${k}: ${name} differs from cpu`));
    }
  }
  await initBackend('wasm');
});

test('the exact synthesis stays close to the float network it replaces, and leaks no tensor', async () => {
  await initBackend('wasm');
  const model = tinyCodec();
  const rng = new Rng(5);
  const y = Float32Array.from({ length: 4 * 4 * model.cfg.m }, () => 2 * rng.normal());
  void [model.exactTensors, model.params]; // made once per model, kept
  const before = tf.memory().numTensors;
  const [exact, float] = tf.tidy(() => {
    const a0 = tf.tensor4d(Float32Array.from(y, (v) => quantiseLatent(model.exact, v)), [1, 4, 4, model.cfg.m]);
    return [exactSynthesisTf(model.exact, model.exactTensors, a0).dataSync() as Float32Array, synthesis(model.params, tf.tensor4d(y, [1, 4, 4, model.cfg.m])).dataSync() as Float32Array];
  });
  assert.equal(tf.memory().numTensors, before, 'the exact synthesis leaves no tensor behind');
  let se = 0;
  let range = 0;
  for (let i = 0; i < exact.length; i++) {
    se += (exact[i] - float[i]) ** 2;
    range = Math.max(range, Math.abs(float[i] - 0.5));
  }
  const rmse = Math.sqrt(se / exact.length);
  assert.ok(rmse < 0.01 * Math.max(range, 0.05), `rmse ${rmse} against an output range of ±${range}`);
});

test('a codec without exact synthesis, or with shifts that cannot be exact, is refused with a clear message', () => {
  const legacy = tinyLoadedCodec();
  legacy.manifest.arch = trainableCodecConfig(TINY_CODEC);
  assert.throws(() => codecModelFrom(legacy), (e) => isCodecError(e, 'AEZ_ARGUMENT') && /before exact decoding/.test((e as Error).message) && /calibrate-codec/.test((e as Error).message));
  const damaged = tinyLoadedCodec();
  damaged.weights.set(EXACT_SHIFTS_PARAM, Float32Array.of(4.5, 7, 5, 8, 5, 7, 6));
  assert.throws(() => codecModelFrom(damaged), (e) => isCodecError(e, 'AEZ_ARGUMENT') && /must hold 7 integers/.test((e as Error).message));
  assert.throws(() => exactSynthesisFrom(TINY_CODEC, damaged.weights, [4, 7, 5]), /must hold 7 integers/);
  const infinite = tinyLoadedCodec();
  infinite.weights.get('gs1.w')![3] = Infinity;
  assert.throws(() => codecModelFrom(infinite), (e) => isCodecError(e, 'AEZ_ARGUMENT') && /non-finite/.test((e as Error).message));
});

test('the trainer writes codecs exact (identical pixels when decoded), and an exact codec can start a new run (--init-from)', { timeout: 240_000 }, async () => {
  await initBackend('wasm');
  const photos = await tempDir();
  for (let i = 0; i < 3; i++) await writePng(join(photos, `p${i}.png`), gradientImage(160, 144 + 8 * i, 3), 160, 144 + 8 * i, 3);
  const store = await loadImageStore([photos], 128);
  const cfg = { id: 'c', task: 'codec' as const, arch: trainableCodecConfig(TINY_CODEC), steps: 1, batch: 2, patch: 64, lr: 1e-4, seed: 1, valEvery: 1, checkpointEvery: 1 };
  const source = { kind: 'codec' as const, store, levels: TINY_CODEC.lambdas.length };
  const val = await codecValSet(photos, 1, 64);
  const out = await tempDir();
  await train({ config: cfg, source, val, outDir: out, workers: 1 });
  const loaded = await loadModelDir(join(out, 'model'));
  assert.equal((loaded.manifest.arch as typeof TINY_CODEC).exactSynthesis, true);
  assert.equal(loaded.weights.get(EXACT_SHIFTS_PARAM)?.length, 7);
  const model = codecModelFrom(loaded);
  const img = { width: 64, height: 64, channels: 3 as const, data: gradientImage(64, 64, 3), bitDepth: 8 as const, format: 'png' };
  const enc = await encodeImageAez(model, img, { rate: { quality: 2 }, reconstruct: true });
  assert.deepEqual((await decodeImageAez(model, parseAez(enc.bytes))).data, enc.reconstruction!.data);
  await train({ config: cfg, source, val, outDir: await tempDir(), workers: 1, initFrom: loaded });
});
