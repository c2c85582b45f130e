// The explorer's networks and maths: shapes, the VAE's KL term, a clicked point, interpolation endpoints,
// and a few training steps lowering the loss. Untrained (seeded) weights and synthetic images: fast.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../electron/engine/tfjs/backend.js';
import { NET_SIDE, RAW_PIXELS, type DemoDataset, type ImageSet } from '../electron/engine/explorer/datasets.js';
import {
  countParams,
  decode,
  demoArch,
  encode,
  initParams,
  klDivergence,
  lossParts,
  paramSpecs,
  reconstructionLoss,
} from '../electron/engine/explorer/models.js';
import { DemoExplorer, cholesky } from '../electron/engine/explorer/explorer.js';
import { trainDemoModel } from '../electron/engine/explorer/train.js';

function flatInit(kind: 'ae' | 'vae', d: number, seed = 3): Float32Array {
  const arch = demoArch(kind, d);
  const p = initParams(arch, seed);
  const out = new Float32Array(countParams(arch));
  let o = 0;
  for (const s of paramSpecs(arch)) {
    const v = p.get(s.name)!.dataSync() as Float32Array;
    out.set(v, o);
    o += v.length;
  }
  for (const t of p.values()) t.dispose();
  return out;
}

/** Synthetic 28×28 images: a bright rectangle whose place and size depend on the index. */
function shapes(n: number): ImageSet {
  const images = new Uint8Array(n * RAW_PIXELS);
  const labels = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const x0 = 3 + (k * 5) % 12;
    const y0 = 4 + (k * 7) % 10;
    const w = 6 + (k % 5);
    const h = 8 + (k % 4);
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) images[k * RAW_PIXELS + y * 28 + x] = 200 + (k % 50);
    labels[k] = k % 10;
  }
  return { images, labels, count: n };
}

test('encoder and decoder shapes for the AE and the VAE at several latent sizes', async () => {
  await initBackend('wasm');
  for (const kind of ['ae', 'vae'] as const) {
    for (const d of [2, 8]) {
      const arch = demoArch(kind, d);
      const params = initParams(arch, 1);
      tf.tidy(() => {
        const x = tf.randomUniform([3, NET_SIDE, NET_SIDE, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
        const e = encode(arch, params, x);
        assert.deepEqual(e.mu.shape, [3, d]);
        if (kind === 'vae') assert.deepEqual(e.logvar!.shape, [3, d]);
        else assert.equal(e.logvar, undefined);
        const y = decode(arch, params, e.mu);
        assert.deepEqual(y.shape, [3, NET_SIDE, NET_SIDE, 1]);
        const v = y.dataSync();
        assert.ok(v.every((p) => p >= 0 && p <= 1));
      });
      for (const t of params.values()) t.dispose();
    }
  }
  // The seeds' architecture: 3×3 convs of 32, 64, 128 filters and a mirrored decoder.
  const specs = paramSpecs(demoArch('ae', 2));
  assert.deepEqual(specs.filter((s) => s.name.endsWith('.w')).map((s) => s.shape), [
    [3, 3, 1, 32], [3, 3, 32, 64], [3, 3, 64, 128], [2048, 2], [2, 2048], [3, 3, 64, 128], [3, 3, 32, 64], [3, 3, 1, 32],
  ]);
});

test('the VAE KL term matches a hand computation', async () => {
  await initBackend('wasm');
  const mu = [[0.5, -1], [0, 0], [2, 0.1]];
  const logvar = [[0, Math.log(2)], [-1, 0.3], [0.5, -2]];
  const hand = mu.map((m, i) => -0.5 * m.reduce((s, mj, j) => s + 1 + logvar[i][j] - mj * mj - Math.exp(logvar[i][j]), 0));
  // Row 0 by hand: dim 0: 1 + 0 − 0.25 − 1 = −0.25; dim 1: 1 + ln 2 − 1 − 2 = ln 2 − 2 → KL = −½(ln 2 − 2.25).
  assert.ok(Math.abs(hand[0] - -0.5 * (Math.log(2) - 2.25)) < 1e-12);
  assert.equal(hand[1] > 0 && hand[2] > 0, true);
  const kl = tf.tidy(() => klDivergence(tf.tensor2d(mu), tf.tensor2d(logvar)).arraySync());
  kl.forEach((v, i) => assert.ok(Math.abs(v - hand[i]) < 1e-5, `row ${i}: ${v} vs ${hand[i]}`));
  // N(0, 1) against itself: zero.
  assert.ok(Math.abs(tf.tidy(() => klDivergence(tf.zeros([1, 4]), tf.zeros([1, 4])).dataSync()[0])) < 1e-7);
});

test('BCE from logits matches the textbook formula, and the VAE objective is recon + β·KL', async () => {
  await initBackend('wasm');
  const logits = tf.tensor4d([-3, 0, 2.5, 0.7], [1, 2, 2, 1]);
  const y = tf.tensor4d([0, 0.5, 1, 0.2], [1, 2, 2, 1]);
  const sig = (z: number) => 1 / (1 + Math.exp(-z));
  const want = [-3, 0, 2.5, 0.7].reduce((s, z, i) => {
    const t = [0, 0.5, 1, 0.2][i];
    return s - (t * Math.log(sig(z)) + (1 - t) * Math.log(1 - sig(z)));
  }, 0);
  assert.ok(Math.abs(reconstructionLoss('bce', logits, y).dataSync()[0] - want) < 1e-4);

  const arch = demoArch('vae', 2);
  const params = initParams(arch, 2);
  tf.tidy(() => {
    const x = tf.randomUniform([4, NET_SIDE, NET_SIDE, 1], 0, 1, 'float32', 9) as tf.Tensor4D;
    const p = lossParts(arch, params, x, { recon: 'bce', beta: 0.5, eps: tf.zeros([4, 2]) });
    assert.ok(Math.abs(p.loss.dataSync()[0] - (p.recon.dataSync()[0] + 0.5 * p.kl.dataSync()[0])) < 1e-2);
    const e = encode(arch, params, x);
    const kl = tf.mean(klDivergence(e.mu, e.logvar!)).dataSync()[0];
    assert.ok(Math.abs(p.kl.dataSync()[0] - kl) < 1e-5);
  });
  for (const t of params.values()) t.dispose();
});

test('a clicked point decodes to one 28×28 image in 0..1; encode gives one point per image', async () => {
  await initBackend('wasm');
  const ex = DemoExplorer.fromWeights(demoArch('ae', 2), flatInit('ae', 2));
  const img = await ex.decodePoint([0.3, -1.2]);
  assert.equal(img.length, 28 * 28);
  assert.ok(img.every((v) => v >= 0 && v <= 1 && Number.isFinite(v)));
  const batch = await ex.decode([[0, 0], [1, 1], [-2, 3]]);
  assert.equal(batch.length, 3 * 784);
  // A point decodes to the same image alone or inside a batch.
  const alone = await ex.decodePoint([1, 1]);
  for (let i = 0; i < 784; i++) assert.ok(Math.abs(alone[i] - batch[784 + i]) < 1e-5);
  const z = await ex.encode(shapes(5).images);
  assert.equal(z.length, 5 * 2);
  await assert.rejects(ex.decodePoint([1, 2, 3]), /2 coordinates/);
  await assert.rejects(ex.decode([NaN, 0]), /finite/);
  ex.dispose();
});

test('interpolation endpoints are the two reconstructions', async () => {
  await initBackend('wasm');
  for (const kind of ['ae', 'vae'] as const) {
    const ex = DemoExplorer.fromWeights(demoArch(kind, 4), flatInit(kind, 4, 11));
    const s = shapes(2);
    const a = Float32Array.from(s.images.subarray(0, 784), (v) => v / 255);
    const b = Float32Array.from(s.images.subarray(784), (v) => v / 255);
    const strip = await ex.interpolate(a, b, 7);
    assert.equal(strip.count, 7);
    assert.equal(strip.images.length, 7 * 784);
    const ra = await ex.reconstruct(a);
    const rb = await ex.reconstruct(b);
    for (let i = 0; i < 784; i++) {
      assert.ok(Math.abs(strip.images[i] - ra[i]) < 1e-5);
      assert.ok(Math.abs(strip.images[6 * 784 + i] - rb[i]) < 1e-5);
    }
    // The middle frame is the decoded midpoint of the two codes.
    const za = await ex.encode(a);
    const zb = await ex.encode(b);
    for (let j = 0; j < 4; j++) assert.ok(Math.abs(strip.points[3 * 4 + j] - (za[j] + zb[j]) / 2) < 1e-5);
    ex.dispose();
  }
});

test('sampling, grid and denoising without stored samples; Cholesky reproduces a covariance', async () => {
  await initBackend('wasm');
  const ex = DemoExplorer.fromWeights(demoArch('vae', 2), flatInit('vae', 2, 5));
  const n = await ex.sample('normal', 6, { seed: 4 });
  assert.equal(n.points.length, 12);
  assert.equal(n.images.length, 6 * 784);
  assert.deepEqual((await ex.sample('normal', 6, { seed: 4 })).points, n.points);
  const g = await ex.grid(4, 3);
  assert.equal(g.count, 12);
  assert.ok(g.points[0] < g.points[2] && g.points[1] > g.points[4 * 2 + 1], 'x grows to the right, y grows upwards');
  const clean = Float32Array.from(shapes(1).images, (v) => v / 255);
  const dn = await ex.denoise(clean, 0.3, 7);
  assert.equal(dn.noisy.length, 784);
  assert.ok(dn.noisy.every((v) => v >= 0 && v <= 1));
  assert.ok(dn.psnrNoisy < 20);
  await assert.rejects(ex.sample('uniform', 3), /no sample images/);
  ex.dispose();

  const cov = [4, 1.2, 0.3, 1.2, 2, -0.4, 0.3, -0.4, 1];
  const L = cholesky(cov, 3);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += L[i * 3 + k] * L[j * 3 + k];
      assert.ok(Math.abs(s - cov[i * 3 + j]) < 1e-6);
    }
  }
});

test('five training steps lower the loss on a tiny subset (AE and VAE)', async () => {
  await initBackend('wasm');
  const set = shapes(16);
  const data: DemoDataset = { name: 'mnist', classNames: [], train: set, test: set, split: 'synthetic', files: [] };
  for (const kind of ['ae', 'vae'] as const) {
    const r = await trainDemoModel({
      config: { name: `t-${kind}`, title: 't', arch: demoArch(kind, 2), dataset: 'mnist', epochs: 5, batch: 16, lr: 2e-3, seed: 1, recon: 'bce', beta: 1, maxSteps: 5, testLimit: 16, trainEvalLimit: 16 },
      data,
    });
    assert.equal(r.steps, 5);
    assert.equal(r.losses.length, 5);
    assert.ok(r.losses[4] < r.losses[0] * 0.95, `${kind}: ${r.losses.map((l) => l.toFixed(1)).join(' → ')}`);
    assert.ok(Number.isFinite(r.final.test.mse) && r.final.test.mse < 1);
    // Seeded: the same run gives the same losses.
    const again = await trainDemoModel({
      config: { ...r.config, maxSteps: 2 },
      data,
      skipEval: true,
    });
    assert.equal(again.losses[0], r.losses[0]);
  }
});
