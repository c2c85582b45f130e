import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loadModelDir } from '../electron/engine/models/model-file.js';
import { decodeHalf, encodeHalf, fromHalf, toHalf } from '../electron/engine/models/half-float.js';
import { countParams, flopsPerPixel, initParams, paramSpecs } from '../electron/engine/nn/unet.js';
import { PRESETS } from '../electron/engine/train/presets.js';
import { saveTinyModel, tempDir, TINY_PHOTO } from './helpers.js';

test('float16 conversion matches known values and round-trips halves exactly', () => {
  assert.equal(toHalf(1), 0x3c00);
  assert.equal(toHalf(-2), 0xc000);
  assert.equal(toHalf(65504), 0x7bff);
  assert.equal(toHalf(1e6), 0x7c00);
  assert.equal(toHalf(5.960464477539063e-8), 0x0001);
  assert.equal(fromHalf(0x3555), 0.333251953125);
  for (let h = 0; h < 0x7c00; h += 7) assert.equal(toHalf(fromHalf(h)), h);
  const v = Float32Array.from([0.1, -0.25, 3.14159, 1e-5]);
  const back = decodeHalf(encodeHalf(v));
  for (let i = 0; i < v.length; i++) assert.ok(Math.abs(back[i] - v[i]) <= Math.abs(v[i]) * 1e-3 + 1e-7);
});

test('a saved model loads back with identical float32 weights', async () => {
  const dir = await saveTinyModel(await tempDir(), TINY_PHOTO, 'float32');
  const m = await loadModelDir(dir);
  const ref = initParams(TINY_PHOTO, 7);
  for (const [k, t] of ref) assert.deepEqual(m.weights.get(k), t.dataSync());
  assert.equal(m.manifest.weights.length, paramSpecs(TINY_PHOTO).length);
});

test('damaged, truncated and missing model files are refused with specific errors', async () => {
  const dir = await saveTinyModel(await tempDir());
  const bin = join(dir, 'weights.bin');
  const bytes = await readFile(bin);
  bytes[100] ^= 0xff;
  await writeFile(bin, bytes);
  await assert.rejects(loadModelDir(dir), (e: Error & { code?: string }) => e.code === 'MODEL_CORRUPT' && /hash/.test(e.message));
  await writeFile(bin, bytes.subarray(0, 50));
  await assert.rejects(loadModelDir(dir), (e: Error & { code?: string }) => e.code === 'MODEL_CORRUPT' && /bytes/.test(e.message));
  await writeFile(join(dir, 'model.json'), '{"format":"aez-model","version":9}');
  await assert.rejects(loadModelDir(dir), (e: Error & { code?: string }) => e.code === 'MODEL_CORRUPT');
  await writeFile(join(dir, 'model.json'), 'not json');
  await assert.rejects(loadModelDir(dir), (e: Error & { code?: string }) => e.code === 'MODEL_CORRUPT');
  await rm(join(dir, 'model.json'));
  await assert.rejects(loadModelDir(dir), (e: Error & { code?: string }) => e.code === 'MODEL_NOT_FOUND');
});

test('preset sizes stay within the speed budgets they were chosen for', () => {
  // ~2 s/MP for photo and ~1 s/MP for scan at ~25 GFLOP/s per core on two cores.
  assert.ok(flopsPerPixel(PRESETS.photo.arch) < 80e3, `photo ${flopsPerPixel(PRESETS.photo.arch)}`);
  assert.ok(flopsPerPixel(PRESETS.scan.arch) < 25e3, `scan ${flopsPerPixel(PRESETS.scan.arch)}`);
  assert.ok(countParams(PRESETS.photo.arch) > 100_000);
});
