import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { inputChannels, type UNetConfig } from '../electron/engine/nn/unet.js';
import { maxDiff, randomWeights, runUNet } from './unet-helpers.js';
import { canWidenUNet, widenUNetWeights } from '../electron/engine/nn/widen-unet.js';
import { canStartFrom } from '../electron/engine/models/arch.js';
import { initBackend } from '../electron/engine/tfjs/backend.js';
import { Rng } from '../electron/engine/util/rng.js';

const NARROW: UNetConfig = { kind: 'unet', channels: 3, noiseMap: false, widths: [8, 16, 24], blocks: [1, 1, 2], extraInputs: 1, maskedOutput: true };
const WIDE: UNetConfig = { ...NARROW, widths: [12, 16, 32] };

test('a widened U-Net computes the same output as the narrow one it came from', async () => {
  await initBackend('wasm');
  for (const [narrow, wide, sigma] of [
    [NARROW, WIDE, undefined],
    [{ kind: 'unet', channels: 1, noiseMap: true, widths: [8, 16], blocks: [1, 1] }, { kind: 'unet', channels: 1, noiseMap: true, widths: [16, 24], blocks: [1, 1] }, 0.1],
  ] as [UNetConfig, UNetConfig, number | undefined][]) {
    const weights = randomWeights(narrow, 3);
    const grown = widenUNetWeights(narrow, weights, wide, 9);
    const rng = new Rng(4);
    const size = 32;
    const x = tf.tensor4d(Float32Array.from({ length: size * size * inputChannels(narrow) }, () => rng.uniform(0, 1)), [1, size, size, inputChannels(narrow)]);
    const a = runUNet(narrow, weights, x, sigma);
    const b = runUNet(wide, grown, x, sigma);
    x.dispose();
    assert.ok(maxDiff(a, b) < 1e-5, `widths ${wide.widths}: outputs differ by ${maxDiff(a, b)}`);
    // The new channels are not all zero: training has something to grow (a block's new hidden channels).
    const c1 = grown.get('enc0.b0.c1.w')!;
    assert.ok(c1.some((v, i) => i % wide.widths[0] >= narrow.widths[0] && v !== 0));
  }
});

test('widening needs the same structure and no narrower level', () => {
  assert.equal(canWidenUNet(NARROW, WIDE), true);
  assert.equal(canWidenUNet(NARROW, NARROW), true);
  assert.equal(canWidenUNet(WIDE, NARROW), false, 'narrower');
  assert.equal(canWidenUNet(NARROW, { ...WIDE, blocks: [1, 1, 1] }), false, 'other blocks');
  assert.equal(canWidenUNet(NARROW, { ...WIDE, widths: [12, 16, 32, 48], blocks: [1, 1, 2, 2] }), false, 'another depth (deepen-unet.ts)');
  assert.equal(canWidenUNet(NARROW, { ...WIDE, channels: 1 }), false, 'grey');
  assert.equal(canStartFrom(NARROW, WIDE), true);
  assert.equal(canStartFrom(WIDE, NARROW), false);
  assert.throws(() => widenUNetWeights(WIDE, randomWeights(WIDE, 1), NARROW, 1), /cannot widen/);
});
