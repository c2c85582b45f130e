import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { pixelShuffle2, pixelUnshuffle2 } from '../electron/engine/nn/shuffle.js';
import { initBackend } from '../electron/engine/tfjs/backend.js';

test('pixel unshuffle puts each 2×2 block into channels (dy, dx, c) and shuffle inverts it', async () => {
  await initBackend();
  const x = tf.tensor4d(Array.from({ length: 2 * 4 * 6 * 3 }, (_, i) => i), [2, 4, 6, 3]);
  const u = pixelUnshuffle2(x);
  assert.deepEqual(u.shape, [2, 2, 3, 12]);
  const xv = x.arraySync();
  const uv = u.arraySync();
  for (const [n, y, xx, dy, dx, c] of [[0, 0, 0, 0, 0, 0], [1, 1, 2, 1, 0, 2], [0, 1, 1, 1, 1, 1]]) {
    assert.equal(uv[n][y][xx][(dy * 2 + dx) * 3 + c], xv[n][2 * y + dy][2 * xx + dx][c]);
  }
  assert.deepEqual(pixelShuffle2(u).arraySync(), xv);
});
