import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { forward, initParams, inputChannels, paramSpecs, type UNetConfig } from '../electron/engine/nn/unet.js';
import { loadModelDir, saveModelDir } from '../electron/engine/models/model-file.js';
import { initBackend } from '../electron/engine/tfjs/backend.js';
import { TfjsEngine } from '../electron/engine/inference/tfjs-engine.js';
import { InProcessExecutor } from '../electron/engine/jobs/in-process-executor.js';
import { holeRegions, inpaintImage, planRegionTiles } from '../electron/engine/inpaint/inpaint.js';
import { benchmarkMask } from '../electron/engine/inpaint/masks.js';
import { averageWithMirrored, mirrorColumns } from '../electron/engine/image/mirror.js';
import { loadImageStore } from '../electron/engine/train/image-store.js';
import { InpaintSource, DEFAULT_INPAINT_SOURCE } from '../electron/engine/train/inpaint-source.js';
import { sampleShard } from '../electron/engine/train/sources.js';
import { GradientComputer } from '../electron/engine/train/grad-core.js';
import { evaluate, inpaintValSet } from '../electron/engine/train/validate.js';
import { PRESETS } from '../electron/engine/train/presets.js';
import { gradientImage, tempDir, TINY_PHOTO, writePng } from './helpers.js';
import type { RasterImage } from '../electron/engine/image/io.js';

export const TINY_INPAINT: UNetConfig = { kind: 'unet', channels: 3, noiseMap: false, widths: [8, 16], blocks: [1, 1], extraInputs: 1, maskedOutput: true };

async function tinyInpaintModel(dir: string) {
  await initBackend('wasm');
  const params = initParams(TINY_INPAINT, 5);
  const weights = new Map<string, Float32Array>();
  for (const [k, t] of params) weights.set(k, t.dataSync() as Float32Array);
  for (const t of params.values()) t.dispose();
  await saveModelDir(dir, weights, { id: 'tiny-inpaint', task: 'inpaint', arch: TINY_INPAINT, dtype: 'float32', inputs: { mask: 'hole', prefill: 'telea' } });
  return loadModelDir(dir);
}

test('mask input plane and composited output: known pixels pass through the network exactly', async () => {
  await initBackend('wasm');
  assert.equal(inputChannels(TINY_INPAINT), 4);
  assert.equal(inputChannels(TINY_PHOTO), 3);
  // The added options change only the head's input width; every name stays the same.
  const plain = paramSpecs({ ...TINY_INPAINT, extraInputs: undefined, maskedOutput: undefined });
  assert.deepEqual(paramSpecs(TINY_INPAINT).map((s) => s.name), plain.map((s) => s.name));
  assert.deepEqual(paramSpecs(TINY_INPAINT)[0].shape, [3, 3, 16, 8]);
  const params = initParams(TINY_INPAINT, 1);
  const w = 16;
  const img = gradientImage(w, w, 3);
  const mask = benchmarkMask(1, w, w).data;
  const x = new Float32Array(w * w * 4);
  for (let p = 0; p < w * w; p++) {
    for (let c = 0; c < 3; c++) x[p * 4 + c] = img[p * 3 + c];
    x[p * 4 + 3] = mask[p];
  }
  const out = tf.tidy(() => forward(TINY_INPAINT, params, tf.tensor4d(x, [1, w, w, 4]))).dataSync();
  let changed = 0;
  for (let p = 0; p < w * w; p++) {
    for (let c = 0; c < 3; c++) {
      if (!mask[p]) assert.equal(out[p * 3 + c], img[p * 3 + c]);
      else if (out[p * 3 + c] !== img[p * 3 + c]) changed++;
    }
  }
  assert.ok(changed > 0);
  for (const t of params.values()) t.dispose();
});

test('regions: a small hole in a large image costs a small region; far holes stay apart; near ones merge', () => {
  const w = 3000;
  const h = 2000;
  const mask = new Uint8Array(w * h);
  const hole = (x0: number, y0: number, s: number) => {
    for (let y = y0; y < y0 + s; y++) for (let x = x0; x < x0 + s; x++) mask[y * w + x] = 1;
  };
  hole(1000, 700, 10);
  let r = holeRegions(mask, w, h, 64);
  assert.equal(r.length, 1);
  assert.ok((r[0].x1 - r[0].x0) * (r[0].y1 - r[0].y0) < 200 * 200, JSON.stringify(r));
  assert.ok(r[0].x0 <= 1000 - 64 && r[0].x1 >= 1010 + 64 && r[0].y0 <= 700 - 64 && r[0].y1 >= 710 + 64);
  hole(2500, 1500, 20);
  hole(0, 0, 5);
  r = holeRegions(mask, w, h, 64);
  assert.equal(r.length, 3);
  assert.deepEqual(r.find((q) => q.x0 === 0), { x0: 0, y0: 0, x1: 80, y1: 80 });
  hole(1100, 700, 10); // within 2×64 px of the first hole: one region
  assert.equal(holeRegions(mask, w, h, 64).length, 3);
  // tiles: one per worker at least for a big region, each context a multiple of the network's
  const tiles = planRegionTiles(768, 512, 512, 48, 16, 2);
  assert.equal(tiles.length, 2);
  assert.ok(tiles.every((t) => t.cw % 16 === 0 && t.ch % 16 === 0));
  assert.equal(tiles.reduce((s, t) => s + (t.x1 - t.x0) * (t.y1 - t.y0), 0), 768 * 512);
});

test('inpaintImage with a model: known pixels exact, holes filled, grey in grey out, empty and all-hole masks', async () => {
  const dir = await tempDir();
  const model = await tinyInpaintModel(join(dir, 'm'));
  const exec = new InProcessExecutor(await TfjsEngine.create('wasm'));
  const method = { kind: 'model' as const, model, exec };
  for (const channels of [3, 1] as const) {
    const w = 90;
    const h = 70;
    const img: RasterImage = { width: w, height: h, channels, data: gradientImage(w, h, channels), bitDepth: 8, format: 'png' };
    const mask = benchmarkMask(2, w, h).data;
    const r = await inpaintImage(img, mask, method, { maxTile: 64, tileMargin: 16 });
    assert.equal(r.image.channels, channels);
    assert.equal(r.method, 'model');
    assert.ok(r.holes > 0 && r.regions.length >= 1);
    let filled = 0;
    for (let p = 0; p < w * h; p++) {
      for (let c = 0; c < channels; c++) {
        const i = p * channels + c;
        if (!mask[p]) assert.equal(r.image.data[i], img.data[i]);
        else {
          assert.ok(r.image.data[i] >= 0 && r.image.data[i] <= 1);
          filled++;
        }
      }
    }
    assert.ok(filled > 0);
  }
  const img: RasterImage = { width: 20, height: 10, channels: 3, data: gradientImage(20, 10, 3), bitDepth: 8, format: 'png' };
  const empty = await inpaintImage(img, new Uint8Array(200), method);
  assert.equal(empty.image.data, img.data);
  assert.match(empty.note ?? '', /empty/);
  await assert.rejects(inpaintImage(img, new Uint8Array(200).fill(1), method), /whole image/);
  await assert.rejects(inpaintImage(img, new Uint8Array(10), method), /mask has 10 pixels/);
});

test('a small hole in a large image: Telea and the model only touch the region around it', async () => {
  const w = 2400;
  const h = 1600;
  const img: RasterImage = { width: w, height: h, channels: 3, data: new Float32Array(w * h * 3).fill(0.5), bitDepth: 8, format: 'png' };
  const mask = new Uint8Array(w * h);
  for (let y = 800; y < 830; y++) for (let x = 1200; x < 1230; x++) mask[y * w + x] = 1;
  const t0 = performance.now();
  const r = await inpaintImage(img, mask, { kind: 'telea' });
  assert.ok(performance.now() - t0 < 3000);
  assert.ok(r.processedPixels < 0.01 * w * h, `${r.processedPixels} pixels processed`);
  assert.ok(Math.abs(r.image.data[(815 * w + 1215) * 3] - 0.5) < 2 / 255);
});

test('inpainting batches, loss and validation: 4 input planes, composited loss on holes only', async () => {
  await initBackend('wasm');
  const dir = await tempDir();
  for (let i = 0; i < 2; i++) await writePng(join(dir, `p${i}.png`), gradientImage(80 + 8 * i, 72, 3), 80 + 8 * i, 72, 3);
  const store = await loadImageStore([dir], 32);
  const src = new InpaintSource(store, DEFAULT_INPAINT_SOURCE);
  const b = sampleShard(src, 1, 0, 0, 3, 32);
  assert.equal(b.inputChannels, 4);
  assert.equal(b.input.length, 3 * 32 * 32 * 4);
  assert.equal(b.target.length, 3 * 32 * 32 * 3);
  for (let s = 0; s < 3; s++) {
    let holes = 0;
    for (let p = 0; p < 32 * 32; p++) {
      const q = s * 32 * 32 + p;
      const hole = b.input[q * 4 + 3];
      holes += hole;
      if (!hole) for (let c = 0; c < 3; c++) assert.equal(b.input[q * 4 + c], b.target[q * 3 + c]);
    }
    assert.ok(holes >= 0.05 * 1024 && holes <= 0.5 * 1024, `${holes} holes`);
  }
  assert.deepEqual(sampleShard(src, 1, 0, 1, 1, 32).input, b.input.slice(32 * 32 * 4, 2 * 32 * 32 * 4));
  const gc = new GradientComputer(TINY_INPAINT);
  const params = initParams(TINY_INPAINT, 2);
  const flat = new Float32Array(gc.size);
  let o = 0;
  for (const t of params.values()) {
    flat.set(t.dataSync(), o);
    o += t.size;
  }
  gc.setWeights(flat);
  const grad = new Float32Array(gc.size);
  const loss = gc.compute(b, grad);
  assert.ok(Number.isFinite(loss) && loss > 0 && loss < 1, String(loss));
  assert.ok(grad.some((g) => g !== 0));
  gc.dispose(); // variables are named: one computer at a time
  // --loss mse: the mean squared error over hole values of the composited output, exactly.
  const mse = new GradientComputer(TINY_INPAINT, 'mse');
  mse.setWeights(flat);
  const mseLoss = mse.compute(b, new Float32Array(mse.size));
  const want = tf.tidy(() => {
    const x = tf.tensor4d(b.input, [3, 32, 32, 4]);
    const d = tf.sub(forward(TINY_INPAINT, params, x), tf.tensor4d(b.target, [3, 32, 32, 3]));
    const hole = tf.slice(x, [0, 0, 0, 3], [3, 32, 32, 1]);
    return tf.div(tf.sum(tf.mul(tf.square(d), hole)), tf.mul(tf.sum(hole), 3)).dataSync()[0];
  });
  assert.ok(Math.abs(mseLoss - want) < 1e-6 * Math.max(1, want), `mse ${mseLoss} vs ${want}`);
  assert.ok(mseLoss < loss, 'squared errors under 1 are smaller than their Charbonnier');
  mse.dispose();
  const val = await inpaintValSet(dir, 'telea', 2, 64);
  assert.equal(val.items.length, 2);
  assert.ok(val.items.every((it) => it.inputChannels === 4 && it.weight!.some((v) => v === 1)));
  const psnr = evaluate(TINY_INPAINT, params, val);
  assert.ok(psnr > 5 && psnr < 99, String(psnr));
  for (const t of params.values()) t.dispose();
  assert.equal(PRESETS.inpaint.task, 'inpaint');
  assert.equal(PRESETS.inpaint.arch.extraInputs, 1);
});

test('mirror self-ensemble (opt-in): each tile also runs mirrored, the two fills are averaged, known pixels stay exact', async () => {
  const dir = await tempDir();
  const model = await tinyInpaintModel(join(dir, 'm'));
  // A network that is not mirror-equivariant: it answers with its input's column position. The mirrored
  // run's answer, mirrored back, is the reverse ramp, so the mean is exactly 0.5 everywhere.
  const inputs: { input: Float32Array; w: number; h: number }[] = [];
  const ramp = {
    concurrency: 1,
    async runTile(_m: unknown, input: Float32Array, w: number, h: number) {
      inputs.push({ input: input.slice(), w, h });
      const out = new Float32Array(w * h * 3);
      for (let p = 0; p < w * h; p++) out.fill((p % w) / (w - 1), 3 * p, 3 * p + 3);
      return out;
    },
  };
  const w = 60;
  const h = 40;
  const img: RasterImage = { width: w, height: h, channels: 3, data: gradientImage(w, h, 3), bitDepth: 8, format: 'png' };
  const mask = benchmarkMask(1, w, h).data;
  const plain = await inpaintImage(img, mask, { kind: 'model', model, exec: ramp });
  assert.equal(inputs.length, 1, 'one view by default');
  const both = await inpaintImage(img, mask, { kind: 'model', model, exec: ramp }, { mirror: true });
  assert.equal(inputs.length, 3);
  const [, a, b] = inputs;
  assert.deepEqual(b.input, mirrorColumns(a.input, a.w, a.h, 4), 'the second run sees the tile mirrored');
  let varied = false;
  for (let p = 0; p < w * h; p++) {
    for (let k = 0; k < 3; k++) {
      const i = 3 * p + k;
      if (!mask[p]) assert.equal(both.image.data[i], img.data[i]);
      else {
        assert.ok(Math.abs(both.image.data[i] - 0.5) < 1e-6, `hole pixel ${p}: ${both.image.data[i]}`);
        if (Math.abs(plain.image.data[i] - 0.5) > 0.05) varied = true;
      }
    }
  }
  assert.ok(varied, 'without the mirror the ramp shows');
});

test('mirrorColumns is its own inverse; averageWithMirrored of an equivariant answer is that answer', () => {
  const w = 5;
  const h = 3;
  const c = 2;
  const x = Float32Array.from({ length: w * h * c }, (_, i) => Math.sin(i * 1.7));
  const m = mirrorColumns(x, w, h, c);
  assert.notDeepEqual(m, x);
  assert.equal(m[c * (w - 1)], x[0]);
  assert.deepEqual(mirrorColumns(m, w, h, c), x);
  const square = (v: Float32Array) => v.map((e) => e * e);
  assert.deepEqual(averageWithMirrored(square(x), square(m), w, h, c), square(x));
});
