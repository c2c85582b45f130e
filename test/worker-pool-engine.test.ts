import { test } from 'node:test';
import assert from 'node:assert/strict';
import { denoiseImage } from '../electron/engine/denoise/denoise.js';
import { WorkerPool } from '../electron/engine/jobs/worker-pool.js';
import { loadModel } from '../electron/engine/models/registry.js';

test('the worker pool reports the inference engine its workers loaded', async () => {
  const model = await loadModel('scan');
  const pool = new WorkerPool({ threads: 1, backend: 'cpu' });
  try {
    assert.equal(pool.engineName, undefined, 'no worker has started yet');
    const data = new Float32Array(48 * 40).map((_, i) => (i % 7) / 7);
    await denoiseImage({ width: 48, height: 40, channels: 1, data, bitDepth: 8, format: 'png' }, model, pool);
    assert.equal(pool.engineName, 'tfjs-cpu');
  } finally {
    await pool.close();
  }
});
