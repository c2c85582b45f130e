// The codec worker bridge: a cancel is reported as CANCELLED, a worker that dies on its own is reported
// as a failure (not as a cancel the user never asked for), and either way the next request gets a new worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { Worker } from 'node:worker_threads';
import { CodecWorkerClient } from '../electron/engine/codec/codec-client.js';
import { AezError } from '../electron/engine/util/errors.js';
import { tempDir } from './helpers.js';
import { saveTinyCodec } from './codec-helpers.js';

test('codec worker: cancel is CANCELLED, an unexpected exit is a crash, and the worker comes back', async () => {
  const dir = await tempDir();
  await saveTinyCodec(join(dir, 'codec'));
  const model = join(dir, 'codec');
  const client = new CodecWorkerClient({ backend: 'cpu', threads: 1 });
  try {
    await client.run({ op: 'check-model', model });

    const ac = new AbortController();
    const cancelled = client.run({ op: 'check-model', model }, { signal: ac.signal });
    ac.abort();
    await assert.rejects(cancelled, (e: unknown) => e instanceof AezError && e.code === 'CANCELLED');
    await client.run({ op: 'check-model', model });

    // Something other than the client stops the worker mid-compress (as an out-of-memory abort would).
    const big = join(dir, 'big.png');
    await sharp({ create: { width: 2000, height: 1500, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 30 } } }).png().toFile(big);
    let killed = false;
    const pending = client.run(
      { op: 'compress', input: big, output: join(dir, 'big.aez'), model, overwrite: false },
      {
        onProgress: (f) => {
          if (killed || f >= 1) return;
          killed = true;
          void (client as unknown as { bridge: { worker: Worker } }).bridge.worker.terminate();
        },
      },
    );
    await assert.rejects(pending, (e: unknown) => {
      assert.ok(!(e instanceof AezError && e.code === 'CANCELLED'), 'not reported as a cancel');
      assert.match((e as Error).message, /codec worker stopped unexpectedly/);
      return true;
    });
    await client.run({ op: 'check-model', model });
  } finally {
    await client.close();
  }
});

test('codec worker: Compress after an estimate with the same settings writes the estimated bytes; another setting reuses the analysis', async () => {
  const dir = await tempDir();
  await saveTinyCodec(join(dir, 'codec'));
  const model = join(dir, 'codec');
  const input = join(dir, 'photo.png');
  await sharp({ create: { width: 900, height: 700, channels: 3, background: '#6a8', noise: { type: 'gaussian', mean: 120, sigma: 25 } } }).png().toFile(input);
  const client = new CodecWorkerClient({ backend: 'cpu', threads: 1 });
  try {
    const e3 = await client.run<{ bytes: number; psnr: number }>({ op: 'estimate', input, model, rate: { quality: 3 } });
    const e2 = await client.run<{ bytes: number }>({ op: 'estimate', input, model, rate: { quality: 2 } });
    assert.ok(e2.bytes < e3.bytes);
    const out = join(dir, 'photo.aez');
    const r = await client.run<{ bytes: number; psnr: number }>({ op: 'compress', input, output: out, model, rate: { quality: 3 }, overwrite: false });
    assert.equal(r.bytes, e3.bytes, 'the estimate is exactly the file');
    assert.equal((await readFile(out)).length, e3.bytes);
    // A changed file is read again, not answered from what was kept.
    await sharp({ create: { width: 900, height: 700, channels: 3, background: '#a86' } }).png().toFile(input);
    const e3b = await client.run<{ bytes: number }>({ op: 'estimate', input, model, rate: { quality: 3 } });
    assert.notEqual(e3b.bytes, e3.bytes);
  } finally {
    await client.close();
  }
});
