import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planTiles, reflectIndex, runTiled, extractTile } from '../electron/engine/image/tiling.js';
import { TfjsEngine } from '../electron/engine/inference/tfjs-engine.js';
import { loadModelDir } from '../electron/engine/models/model-file.js';
import { InProcessExecutor } from '../electron/engine/jobs/in-process-executor.js';
import { denoiseImage } from '../electron/engine/denoise/denoise.js';
import { gradientImage, saveTinyModel, tempDir, TINY_PHOTO } from './helpers.js';

test('reflectIndex mirrors without repeating the edge', () => {
  assert.deepEqual([-3, -2, -1, 0, 1, 2, 3, 4, 5, 6].map((i) => reflectIndex(i, 4)), [3, 2, 1, 0, 1, 2, 3, 2, 1, 0]);
  assert.equal(reflectIndex(-5, 1), 0);
});

test('tiles cover every pixel exactly once, with context sizes on the multiple', () => {
  const tiles = planTiles(301, 77, { tile: 64, margin: 16, multiple: 8 });
  const cover = new Uint8Array(301 * 77);
  for (const t of tiles) {
    assert.equal(t.cw % 8, 0);
    assert.equal(t.ch % 8, 0);
    for (let y = t.y0; y < t.y1; y++) for (let x = t.x0; x < t.x1; x++) cover[y * 301 + x]++;
  }
  assert.ok(cover.every((c) => c === 1));
});

test('identity tile runner reproduces the image exactly', async () => {
  const w = 150, h = 97, c = 3;
  const img = gradientImage(w, h, c);
  const out = new Float32Array(img.length);
  await runTiled(img, out, w, h, c, async (t) => t, { tile: 40, margin: 8, multiple: 8, concurrency: 3 });
  assert.deepEqual(out, img);
  // A runner that reads its context in place must still see the original pixels: a 3×3 box blur.
  const blurOut = new Float32Array(img.length);
  const blur = async (t: Float32Array, tw: number, th: number) => {
    const r = new Float32Array(t.length);
    for (let y = 1; y < th - 1; y++) for (let x = 1; x < tw - 1; x++) for (let k = 0; k < c; k++) {
      let sum = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) sum += t[((y + dy) * tw + x + dx) * c + k];
      r[(y * tw + x) * c + k] = sum / 9;
    }
    return r;
  };
  await runTiled(img, blurOut, w, h, c, blur, { tile: 40, margin: 8, multiple: 8, concurrency: 2 });
  const inPlace = img.slice();
  await runTiled(inPlace, inPlace, w, h, c, blur, { tile: 40, margin: 8, multiple: 8, concurrency: 2 });
  assert.deepEqual(inPlace, blurOut);
});

test('tiled denoising equals one whole-image run within 1/255', async () => {
  const dir = await tempDir();
  const model = await loadModelDir(await saveTinyModel(dir, TINY_PHOTO));
  const engine = await TfjsEngine.create();
  const exec = new InProcessExecutor(engine);
  const w = 180, h = 124;
  const img = { width: w, height: h, channels: 3 as const, data: gradientImage(w, h, 3), bitDepth: 8 as const, format: 'png' };
  const whole = await denoiseImage(img, model, exec, { sigma: 20, tile: { tile: 512, margin: 32 } });
  const tiled = await denoiseImage(img, model, exec, { sigma: 20, tile: { tile: 48, margin: 32 } });
  let maxDiff = 0;
  for (let i = 0; i < whole.image.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(whole.image.data[i] - tiled.image.data[i]));
  assert.ok(maxDiff <= 1 / 255, `max difference ${maxDiff * 255} /255`);
  // In place (bands held back until the next band has read its context) gives exactly the same pixels.
  const copy = { ...img, data: img.data.slice() };
  const inPlace = await denoiseImage(copy, model, exec, { sigma: 20, tile: { tile: 48, margin: 32 }, inPlace: true });
  assert.equal(inPlace.image.data, copy.data);
  assert.deepEqual(inPlace.image.data, tiled.image.data);
  engine.dispose();
});

test('extractTile reads reflected context past the border', () => {
  const img = Float32Array.from([0, 1, 2, 3]); // 4×1 grey
  const t = { x0: 0, y0: 0, x1: 4, y1: 1, cx0: -2, cy0: 0, cw: 8, ch: 1 };
  assert.deepEqual([...extractTile(img, 4, 1, 1, t)], [2, 1, 0, 1, 2, 3, 2, 1]);
});
