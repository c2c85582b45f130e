import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateNoiseSigma } from '../electron/engine/denoise/noise-estimate.js';
import { Rng } from '../electron/engine/util/rng.js';
import { gradientImage } from './helpers.js';

test('noise estimate tracks the true σ of 8-bit Gaussian noise', () => {
  const w = 256, h = 256;
  // Mid-range content: noise this strong is clipped at 0 and 255 near black and white, which genuinely
  // lowers its spread; the estimator measures the noise that is there.
  const clean = gradientImage(w, h, 3).map((v) => 0.3 + 0.4 * v);
  for (const sigma of [0, 10, 25, 50]) {
    const rng = new Rng(sigma + 1);
    const noisy = clean.map((v) => Math.min(255, Math.max(0, Math.round(v * 255 + sigma * rng.normal()))) / 255);
    const est = estimateNoiseSigma(noisy, w, h, 3);
    assert.ok(Math.abs(est - sigma) <= Math.max(2, 0.12 * sigma), `σ ${sigma}: estimated ${est.toFixed(2)}`);
  }
});

test('clipped highlights and shadows do not drag the estimate down', () => {
  const w = 256, h = 256;
  // Left third blown-out white, right third crushed black, middle mid-grey gradient.
  const clean = gradientImage(w, h, 3).map((v, i) => {
    const x = Math.floor(i / 3) % w;
    return x < w / 3 ? 1 : x > (2 * w) / 3 ? 0 : 0.3 + 0.4 * v;
  });
  const rng = new Rng(99);
  const noisy = clean.map((v) => Math.min(255, Math.max(0, Math.round(v * 255 + 25 * rng.normal()))) / 255);
  const est = estimateNoiseSigma(noisy, w, h, 3);
  assert.ok(Math.abs(est - 25) <= 3, `estimated ${est.toFixed(2)}`);
});
