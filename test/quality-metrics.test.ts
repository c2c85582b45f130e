// PSNR and SSIM as the compress reports give them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ssim } from '../electron/engine/codec/quality-metrics.js';
import { psnr8 } from '../electron/engine/train/validate.js';
import { Rng } from '../electron/engine/util/rng.js';

function img(w: number, h: number, f: (x: number, y: number) => number) {
  const data = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.fill(f(x, y), (y * w + x) * 3, (y * w + x) * 3 + 3);
  return { width: w, height: h, channels: 3, data };
}

test('identical images: PSNR 99 (the cap), SSIM 1; noise lowers both, more noise lowers them more', () => {
  const a = img(64, 48, (x, y) => ((x * 7 + y * 3) % 256) / 255);
  assert.equal(psnr8(a.data, a.data), 99);
  assert.ok(Math.abs(ssim(a, a)! - 1) < 1e-9);
  const rng = new Rng(1);
  const noisy = (s: number) => ({ ...a, data: a.data.map((v) => Math.min(1, Math.max(0, v + s * rng.normal()))) });
  const n1 = noisy(0.02);
  const n2 = noisy(0.1);
  assert.ok(ssim(a, n1)! < 1 && ssim(a, n2)! < ssim(a, n1)!);
  assert.ok(psnr8(n2.data, a.data) < psnr8(n1.data, a.data));
  // A constant shift keeps structure: SSIM stays high while PSNR drops.
  const shifted = { ...a, data: a.data.map((v) => Math.min(1, v + 0.05)) };
  assert.ok(ssim(a, shifted)! > 0.9);
  assert.equal(ssim(img(8, 8, () => 0.5), img(8, 8, () => 0.5)), undefined, 'too small for the 11-tap window');
});
