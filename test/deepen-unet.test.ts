import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { inputChannels, type UNetConfig } from '../electron/engine/nn/unet.js';
import { maxDiff, randomWeights, runUNet } from './unet-helpers.js';
import { canDeepenUNet, deepenUNetWeights } from '../electron/engine/nn/deepen-unet.js';
import { canStartFrom, startingWeights } from '../electron/engine/models/arch.js';
import { initBackend } from '../electron/engine/tfjs/backend.js';
import { Rng } from '../electron/engine/util/rng.js';

const SHALLOW: UNetConfig = { kind: 'unet', channels: 3, noiseMap: false, widths: [8, 12, 16], blocks: [1, 1, 2], extraInputs: 1, maskedOutput: true };
const DEEP: UNetConfig = { ...SHALLOW, widths: [8, 12, 16, 20], blocks: [1, 1, 2, 1] };

test('a deepened (and widened) U-Net computes the same output as the one it came from', async () => {
  await initBackend('wasm');
  const weights = randomWeights(SHALLOW, 3);
  const rng = new Rng(4);
  const size = 64;
  const x = tf.tensor4d(Float32Array.from({ length: size * size * inputChannels(SHALLOW) }, () => rng.uniform(0, 1)), [1, size, size, inputChannels(SHALLOW)]);
  const ref = runUNet(SHALLOW, weights, x);
  const targets: UNetConfig[] = [DEEP, { ...SHALLOW, widths: [8, 12, 16, 20, 24], blocks: [1, 1, 2, 1, 1] }, { ...DEEP, widths: [12, 12, 24, 20] }];
  for (const to of targets) {
    assert.ok(canStartFrom(SHALLOW, to), `can start ${to.widths}`);
    const grown = startingWeights(SHALLOW, weights, to, 9);
    assert.equal(grown.grown, true);
    const out = runUNet(to, grown.weights, x);
    assert.ok(maxDiff(ref, out) < 1e-5, `widths ${to.widths}: outputs differ by ${maxDiff(ref, out)}`);
    // The new level is there to be trained: its first block has random weights.
    const deepest = to.widths.length - 1;
    assert.ok(grown.weights.get(`enc${deepest}.b0.c1.w`)!.some((v) => v !== 0));
  }
  // The check can fail: the new level made audible (up-conv off zero) changes the output.
  const loud = deepenUNetWeights(SHALLOW, weights, DEEP, 9);
  loud.set('up3.w', loud.get('up3.w')!.map(() => 0.3));
  assert.ok(maxDiff(ref, runUNet(DEEP, loud, x)) > 1e-3);
  x.dispose();
});

test('deepening keeps the old levels as they are', () => {
  assert.equal(canDeepenUNet(SHALLOW, DEEP), true);
  assert.equal(canDeepenUNet(SHALLOW, SHALLOW), false, 'no new level');
  assert.equal(canDeepenUNet(DEEP, SHALLOW), false, 'shallower');
  assert.equal(canDeepenUNet(SHALLOW, { ...DEEP, blocks: [1, 1, 1, 1] }), false, 'old level with other blocks');
  assert.equal(canDeepenUNet(SHALLOW, { ...DEEP, widths: [8, 16, 16, 20] }), false, 'old level wider (that is widening)');
  assert.equal(canDeepenUNet(SHALLOW, { ...DEEP, channels: 1 }), false, 'grey');
  assert.equal(canStartFrom(SHALLOW, { ...DEEP, widths: [6, 12, 16, 20] }), false, 'narrower');
  assert.equal(canStartFrom(SHALLOW, { ...DEEP, blocks: [1, 2, 2, 1] }), false, 'other blocks');
  assert.throws(() => deepenUNetWeights(DEEP, randomWeights(DEEP, 1), SHALLOW, 1), /cannot deepen/);
});
