// Explore mode's host command on the shipped demo model: every request kind answers in the shape the view
// reads, and bad requests are refused with a message naming the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DemoResponse } from '../electron/shared/api.js';

const DEMO = resolve('models/demo');
const skip = existsSync(resolve(DEMO, 'fashion-ae')) ? false : 'models/demo/fashion-ae is not in this checkout';

test('explorer host: models, embeddings, decode, images, sample, interpolate, grid, denoise, loss table', { skip }, async () => {
  process.env.AEZ_DEMO_DIR = DEMO;
  const { ExplorerHost } = await import('../electron/host/explorer.js');
  const host = new ExplorerHost();
  const bytes = (b64: string) => Buffer.from(b64, 'base64').length;
  try {
    const models = (await host.request({ kind: 'models' })) as Extract<DemoResponse, { kind: 'models' }>;
    const ae = models.models.find((m) => m.name === 'fashion-ae');
    assert.ok(ae?.installed && ae.latent === 2);
    assert.ok(models.models.some((m) => !m.installed), 'untrained catalogue models are listed as such');
    const emb = (await host.request({ kind: 'embeddings', model: 'fashion-ae' })) as Extract<DemoResponse, { kind: 'embeddings' }>;
    assert.equal(emb.points.length, emb.count * 2);
    assert.equal(emb.classNames.length, 10);
    const dec = (await host.request({ kind: 'decode', model: 'fashion-ae', points: [[0, 0], [1, -1]] })) as Extract<DemoResponse, { kind: 'images' }>;
    assert.equal(bytes(dec.images), 2 * 784);
    const imgs = (await host.request({ kind: 'images', model: 'fashion-ae', indices: [0, 4999] })) as Extract<DemoResponse, { kind: 'images' }>;
    assert.equal(bytes(imgs.images), 2 * 784);
    const s = (await host.request({ kind: 'sample', model: 'fashion-ae', sampler: 'class', classIndex: 3, count: 5, seed: 2 })) as Extract<DemoResponse, { kind: 'points' }>;
    assert.equal(s.points.length, 10);
    const i = (await host.request({ kind: 'interpolate', model: 'fashion-ae', a: 1, b: 2, frames: 6 })) as Extract<DemoResponse, { kind: 'points' }>;
    assert.equal(bytes(i.images), 6 * 784);
    const g = (await host.request({ kind: 'grid', model: 'fashion-ae', cols: 3, rows: 2 })) as Extract<DemoResponse, { kind: 'points' }>;
    assert.equal(g.count, 6);
    const d = (await host.request({ kind: 'denoise', model: 'fashion-ae', index: 5, sigma: 0.8, seed: 1 })) as Extract<DemoResponse, { kind: 'denoise' }>;
    assert.equal(bytes(d.images), 3 * 784);
    assert.ok(d.psnrRestored > d.psnrNoisy, `${d.psnrRestored} > ${d.psnrNoisy}: the autoencoder removes strong noise`);
    const loss = (await host.request({ kind: 'lossVsSize', dataset: 'fashion-mnist', modelKind: 'ae' })) as Extract<DemoResponse, { kind: 'lossVsSize' }>;
    assert.ok(loss.rows.some((r) => r.latent === 2));

    await assert.rejects(host.request({ kind: 'decode', model: 'fashion-ae', points: [[0, 0, 0]] }), /2 coordinates/);
    await assert.rejects(host.request({ kind: 'images', model: 'fashion-ae', indices: [99999] }), /does not exist/);
    await assert.rejects(host.request({ kind: 'grid', model: 'fashion-ae', cols: 100, rows: 1 }), /cols/);
    await assert.rejects(host.request({ kind: 'embeddings', model: '../etc' }), /demo model name/);
    await assert.rejects(host.request({ kind: 'embeddings', model: 'mnist-vae' }), /cannot be opened/);
  } finally {
    host.dispose();
  }
});
