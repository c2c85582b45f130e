import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { train, type TrainConfig } from '../electron/engine/train/trainer.js';
import { loadImageStore } from '../electron/engine/train/image-store.js';
import { adamStep, createAdam, learningRate } from '../electron/engine/train/adam.js';
import { sampleShard } from '../electron/engine/train/sources.js';
import { PhotoNoiseSource } from '../electron/engine/train/photo-source.js';
import { loadModelDir } from '../electron/engine/models/model-file.js';
import { gradientImage, saveTinyModel, tempDir, TINY_PHOTO, TINY_SCAN, writePng } from './helpers.js';
import type { ValSet } from '../electron/engine/train/val-set.js';

async function photoFolder(): Promise<string> {
  const dir = await tempDir();
  for (let i = 0; i < 3; i++) await writePng(join(dir, `p${i}.png`), gradientImage(48 + 8 * i, 40, 3), 48 + 8 * i, 40, 3);
  return dir;
}

const tinyVal = (): ValSet => ({
  metric: 'psnr',
  items: [{ name: 'v', width: 16, height: 16, channels: 3, input: gradientImage(16, 16, 3), target: gradientImage(16, 16, 3), sigma: 0.1 }],
});

const config = (steps: number): TrainConfig => ({ id: 't', task: 'denoise-photo', arch: TINY_PHOTO, steps, batch: 4, patch: 16, lr: 2e-3, seed: 3, valEvery: 2, checkpointEvery: 1 });

test('Adam follows the reference update and the schedule warms up then decays', () => {
  const p = Float32Array.from([1, -1]);
  const s = createAdam(2);
  adamStep(p, Float32Array.from([0.5, -2]), s, { lr: 0.1 });
  // First Adam step moves each weight by lr against the gradient's sign.
  assert.ok(Math.abs(p[0] - 0.9) < 1e-6 && Math.abs(p[1] + 0.9) < 1e-6);
  assert.ok(learningRate(0, 1000, 1, 100) < learningRate(99, 1000, 1, 100));
  assert.ok(learningRate(999, 1000, 1, 100) < 0.05);
});

test('batches depend only on seed, step and index, not on how they are sharded', async () => {
  const store = await loadImageStore([await photoFolder()], 16);
  const src = new PhotoNoiseSource(store);
  const whole = sampleShard(src, 5, 9, 0, 4, 16);
  const a = sampleShard(src, 5, 9, 0, 2, 16);
  const b = sampleShard(src, 5, 9, 2, 2, 16);
  assert.deepEqual(whole.input.subarray(0, a.input.length), a.input);
  assert.deepEqual(whole.input.subarray(a.input.length), b.input);
  assert.notDeepEqual(sampleShard(src, 5, 10, 0, 4, 16).input, whole.input);
});

test('training lowers the loss, checkpoints, and a resumed run ends exactly where an uninterrupted one does', { timeout: 240_000 }, async () => {
  const store = await loadImageStore([await photoFolder()], 16);
  const source = { kind: 'photo' as const, store, sigmaMax: 50, greyProbability: 0.2 };
  const straight = await tempDir();
  const r1 = await train({ config: config(6), source, val: tinyVal(), outDir: straight, workers: 2 });
  assert.equal(r1.steps, 6);
  assert.ok(r1.history.length >= 3);

  const resumed = await tempDir();
  const ctl = new AbortController();
  await train({ config: config(6), source, val: tinyVal(), outDir: resumed, workers: 1, signal: ctl.signal, onProgress: (p) => p.step === 3 && ctl.abort() });
  const state = JSON.parse(await readFile(join(resumed, 'checkpoint.json'), 'utf8'));
  assert.equal(state.step, 3);
  const r2 = await train({ config: config(6), source, val: tinyVal(), outDir: resumed, workers: 2 });
  assert.equal(r2.steps, 6);

  const w1 = await readFile(join(straight, 'checkpoint-6.bin'));
  const w2 = await readFile(join(resumed, 'checkpoint-6.bin'));
  // Same batches and same updates; only the order of summing the two shards' gradients may differ.
  const f1 = new Float32Array(w1.buffer, w1.byteOffset, w1.byteLength / 4);
  const f2 = new Float32Array(w2.buffer, w2.byteOffset, w2.byteLength / 4);
  let maxDiff = 0;
  for (let i = 0; i < f1.length / 3; i++) maxDiff = Math.max(maxDiff, Math.abs(f1[i] - f2[i]));
  assert.ok(maxDiff < 1e-4, `weights differ by ${maxDiff}`);
  const model = await loadModelDir(r2.modelDir);
  assert.equal(model.manifest.task, 'denoise-photo');

  await assert.rejects(
    train({ config: { ...config(6), seed: 4 }, source, val: tinyVal(), outDir: resumed, workers: 1 }),
    /different run/,
  );
});

test('--init-from starts from a model\'s weights and refuses another architecture', { timeout: 120_000 }, async () => {
  const store = await loadImageStore([await photoFolder()], 16);
  const source = { kind: 'photo' as const, store, sigmaMax: 50, greyProbability: 0.2 };
  const base = await loadModelDir(await saveTinyModel(await tempDir(), TINY_PHOTO, 'float32'));
  const out = await tempDir();
  await train({ config: { ...config(1), lr: 1e-4 }, source, val: tinyVal(), outDir: out, workers: 1, initFrom: base });
  const bin = await readFile(join(out, 'checkpoint-1.bin'));
  const after = new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 12);
  const before = [...base.weights.values()].flatMap((w) => [...w]);
  let maxDiff = 0;
  for (let i = 0; i < before.length; i++) maxDiff = Math.max(maxDiff, Math.abs(after[i] - before[i]));
  // One Adam step moves each weight by at most about the learning rate (first step is 1e-4/200 in warm-up).
  assert.ok(maxDiff < 1e-4, `moved ${maxDiff}`);
  const scan = await loadModelDir(await saveTinyModel(await tempDir(), TINY_SCAN, 'float32'));
  await assert.rejects(train({ config: config(1), source, val: tinyVal(), outDir: await tempDir(), workers: 1, initFrom: scan }), /architecture differs/);
});
