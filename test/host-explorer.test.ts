// Explore mode's host command on the shipped demo model: every request kind answers in the shape the view
// reads, and bad requests are refused with a message naming the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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
    assert.equal(models.models.filter((m) => m.installed).length, 8, 'the eight shipped demo models are installed');
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
  } finally {
    host.dispose();
  }
});

test('the shipped models show the lessons: a bigger latent loses less; the VAE codes sit near a standard normal', { skip }, async () => {
  process.env.AEZ_DEMO_DIR = DEMO;
  const { ExplorerHost } = await import('../electron/host/explorer.js');
  const host = new ExplorerHost();
  try {
    const loss = (await host.request({ kind: 'lossVsSize', dataset: 'fashion-mnist', modelKind: 'ae' })) as Extract<DemoResponse, { kind: 'lossVsSize' }>;
    assert.deepEqual(loss.rows.map((r) => r.latent), [2, 4, 8, 16, 32]);
    for (let i = 1; i < loss.rows.length; i++) assert.ok(loss.rows[i].testMse < loss.rows[i - 1].testMse, `latent ${loss.rows[i].latent} loses less than ${loss.rows[i - 1].latent}`);
    const spread = async (model: string) => {
      const e = (await host.request({ kind: 'embeddings', model })) as Extract<DemoResponse, { kind: 'embeddings' }>;
      const sd = [0, 1].map((d) => {
        const v = e.points.filter((_, i) => i % 2 === d);
        const mean = v.reduce((a, b) => a + b, 0) / v.length;
        return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
      });
      return { sd, width: e.bounds.max[0] - e.bounds.min[0] };
    };
    for (const ds of ['fashion', 'mnist']) {
      const vae = await spread(`${ds}-vae`);
      const ae = await spread(`${ds}-ae`);
      assert.ok(vae.sd.every((s) => s > 0.3 && s < 2), `${ds}-vae code spread ${vae.sd} is near a standard normal's`);
      assert.ok(ae.width > 2 * vae.width, `${ds}-ae codes (box ${ae.width.toFixed(1)} wide) spread wider than the VAE's (${vae.width.toFixed(1)})`);
    }
  } finally {
    host.dispose();
  }
});

test('a demo folder holding only some models lists the rest as not trained, and says so when one is asked for', { skip }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aez-demo-'));
  await cp(join(DEMO, 'fashion-ae'), join(dir, 'fashion-ae'), { recursive: true });
  await cp(join(DEMO, 'samples'), join(dir, 'samples'), { recursive: true });
  process.env.AEZ_DEMO_DIR = dir;
  const { ExplorerHost } = await import('../electron/host/explorer.js');
  const host = new ExplorerHost();
  try {
    const models = (await host.request({ kind: 'models' })) as Extract<DemoResponse, { kind: 'models' }>;
    assert.deepEqual(models.models.filter((m) => m.installed).map((m) => m.name), ['fashion-ae']);
    await assert.rejects(host.request({ kind: 'embeddings', model: 'mnist-vae' }), /cannot be opened/);
  } finally {
    host.dispose();
    process.env.AEZ_DEMO_DIR = DEMO;
    await rm(dir, { recursive: true, force: true });
  }
});
