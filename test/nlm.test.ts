import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nlmDefaults, nlmDenoise } from '../scripts/lib/nlm.js';
import { reflectIndex } from '../electron/engine/image/tiling.js';
import { psnr8 } from '../electron/engine/train/validate.js';
import { Rng } from '../electron/engine/util/rng.js';
import { gradientImage } from './helpers.js';

function addNoise(clean: Float32Array, sigma: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return clean.map((v) => Math.min(255, Math.max(0, Math.round(v * 255 + sigma * rng.normal()))) / 255);
}

/** Straightforward NLM (every pixel, every offset, every patch pixel), the definition the fast one implements. */
function naiveNlm(data: Float32Array, W: number, H: number, C: number, sigma: number, h: number, pr: number, sr: number): Float32Array {
  const at = (x: number, y: number, c: number) => 255 * data[(reflectIndex(y, H) * W + reflectIndex(x, W)) * C + c];
  const out = new Float32Array(W * H * C);
  const side = 2 * pr + 1;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const acc = new Array<number>(C).fill(0);
      let ws = 0;
      for (let dy = -sr; dy <= sr; dy++) {
        for (let dx = -sr; dx <= sr; dx++) {
          let d2 = 0;
          for (let py = -pr; py <= pr; py++) {
            for (let px = -pr; px <= pr; px++) {
              for (let c = 0; c < C; c++) {
                const t = at(x + px, y + py, c) - at(x + dx + px, y + dy + py, c);
                d2 += t * t;
              }
            }
          }
          d2 /= side * side * C;
          const w = dx === 0 && dy === 0 ? 1 : Math.exp(-Math.max(d2 - 2 * sigma * sigma, 0) / (h * h));
          ws += w;
          for (let c = 0; c < C; c++) acc[c] += w * at(x + dx, y + dy, c);
        }
      }
      for (let c = 0; c < C; c++) out[(y * W + x) * C + c] = acc[c] / ws / 255;
    }
  }
  return out;
}

test('fast NLM equals the direct definition (colour and grey, borders included)', () => {
  for (const C of [1, 3] as const) {
    const W = 13;
    const H = 9;
    const noisy = addNoise(gradientImage(W, H, C), 20, 3 + C);
    const opts = { sigma: 20, h: 12, patchRadius: 1, searchRadius: 3 };
    const fast = nlmDenoise(noisy, W, H, C, opts);
    const slow = naiveNlm(noisy, W, H, C, opts.sigma, opts.h, opts.patchRadius, opts.searchRadius);
    let maxDiff = 0;
    for (let i = 0; i < fast.length; i++) maxDiff = Math.max(maxDiff, Math.abs(fast[i] - slow[i]));
    // The fast version tabulates exp(); that moves values by far less than one 8-bit step.
    assert.ok(maxDiff < 0.25 / 255, `C=${C}: max difference ${(maxDiff * 255).toFixed(3)} (8-bit units)`);
  }
});

test('NLM raises PSNR of a noisy synthetic image by several dB, quickly', () => {
  const W = 192;
  const H = 160;
  for (const C of [1, 3] as const) {
    const clean = gradientImage(W, H, C);
    const sigma = 25;
    const noisy = addNoise(clean, sigma, 11);
    const t0 = performance.now();
    const out = nlmDenoise(noisy, W, H, C, { sigma });
    const seconds = (performance.now() - t0) / 1000;
    const before = psnr8(noisy, clean);
    const after = psnr8(out, clean);
    assert.ok(after > before + 5, `C=${C}: PSNR ${before.toFixed(2)} → ${after.toFixed(2)} dB`);
    assert.ok(seconds < 5, `C=${C}: took ${seconds.toFixed(2)} s`);
  }
});

test('a constant image stays constant', () => {
  const W = 40;
  const H = 30;
  for (const C of [1, 3] as const) {
    const v = 0.4;
    const img = new Float32Array(W * H * C).fill(v);
    const out = nlmDenoise(img, W, H, C, { sigma: 25 });
    for (let i = 0; i < out.length; i++) assert.ok(Math.abs(out[i] - v) < 1e-6, `C=${C}: sample ${i} is ${out[i]}`);
  }
});

test('defaults: 3×3 patches for colour, larger patches for strong noise in grey, h grows with σ', () => {
  assert.equal(nlmDefaults(25, 3).patchRadius, 1);
  assert.equal(nlmDefaults(50, 1).patchRadius, 2);
  assert.equal(nlmDefaults(25, 3).searchRadius, 10);
  assert.ok(nlmDefaults(15, 3).h < nlmDefaults(25, 3).h && nlmDefaults(25, 3).h < nlmDefaults(50, 3).h);
  // Invalid sizes are refused rather than read out of bounds.
  assert.throws(() => nlmDenoise(new Float32Array(10), 4, 4, 1, { sigma: 10 }));
});
