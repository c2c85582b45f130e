// The explorer's data loaders on the real shared files (skipped when ../shared/data is absent), the fixed
// splits, and the whole ship pipeline (2 training steps, samples, embeddings, card) opened by the explorer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { initBackend } from '../electron/engine/tfjs/backend.js';
import {
  FASHION_CLASSES,
  NET_SIDE,
  RAW_PIXELS,
  balancedSample,
  cropImages,
  datasetAvailable,
  loadDemoDataset,
  padImages,
  parseIdx,
  splitFashion,
  toNetBatch,
} from '../electron/engine/explorer/datasets.js';
import { DEMO_MODELS } from '../electron/engine/explorer/catalog.js';
import { runDemoTraining } from '../electron/engine/explorer/run.js';
import { DemoExplorer, listExplorerModels, lossVsLatentSize } from '../electron/engine/explorer/explorer.js';
import { loadDemoModelDir } from '../electron/engine/explorer/model-io.js';
import { tempDir } from './helpers.js';

const DATA = '../shared/data';

function digest(a: Uint8Array): string {
  return createHash('sha256').update(a).digest('hex').slice(0, 16);
}

test('padding to 32×32 and cropping back are exact inverses; idx headers are checked', () => {
  const img = Float32Array.from({ length: 2 * RAW_PIXELS }, (_, i) => (i % 255) / 255);
  const padded = padImages(img, 2);
  assert.equal(padded.length, 2 * NET_SIDE * NET_SIDE);
  assert.equal(padded[0], 0);
  assert.equal(padded[2 * NET_SIDE + 2], img[0]);
  assert.deepEqual(cropImages(padded, 2), img);
  const u8 = Uint8Array.from({ length: RAW_PIXELS }, (_, i) => i % 256);
  assert.deepEqual(cropImages(toNetBatch(u8, [0]), 1), Float32Array.from(u8, (v) => v / 255));
  assert.throws(() => parseIdx(new Uint8Array([0, 0, 9, 1, 0, 0, 0, 0]), 'x'), /idx file/);
  assert.deepEqual(parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 7, 9]), 'x').data, new Uint8Array([7, 9]));
});

test('the Fashion-MNIST split is per class, so a class-sorted file still gives a balanced test set', () => {
  const n = 70;
  const all = { images: new Uint8Array(n * RAW_PIXELS), labels: Uint8Array.from({ length: n }, (_, i) => Math.floor(i / 7)), count: n };
  for (let i = 0; i < n; i++) all.images[i * RAW_PIXELS] = i;
  const { train, test: held } = splitFashion(all);
  assert.equal(train.count, 60);
  assert.equal(held.count, 10);
  assert.deepEqual(Array.from(held.labels), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(Array.from({ length: 10 }, (_, k) => held.images[k * RAW_PIXELS]), [6, 13, 20, 27, 34, 41, 48, 55, 62, 69]);
  const s = balancedSample(held, 4);
  assert.deepEqual(Array.from(s.labels), [0, 1, 2, 3]);
});

test('the real Fashion-MNIST and MNIST files load with fixed splits', async (t) => {
  if (!(await datasetAvailable('fashion-mnist', join(DATA, 'fashion-mnist'))) || !(await datasetAvailable('mnist', join(DATA, 'mnist')))) {
    t.skip(`data not found under ${DATA} (fashion-mnist/ and mnist/)`);
    return;
  }
  const f = await loadDemoDataset('fashion-mnist', join(DATA, 'fashion-mnist'));
  assert.equal(f.train.count, 60000);
  assert.equal(f.test.count, 10000);
  assert.deepEqual(f.classNames, FASHION_CLASSES);
  const perClass = new Array(10).fill(0);
  for (const l of f.test.labels) perClass[l]++;
  assert.deepEqual(perClass, new Array(10).fill(1000));
  assert.ok(f.train.images.some((v) => v > 200));
  // The split is fixed: loading again gives byte-identical sets.
  const f2 = await loadDemoDataset('fashion-mnist', join(DATA, 'fashion-mnist'));
  assert.equal(digest(f2.test.images), digest(f.test.images));
  assert.equal(digest(f2.train.labels), digest(f.train.labels));

  const m = await loadDemoDataset('mnist', join(DATA, 'mnist'));
  assert.equal(m.train.count, 5000);
  assert.equal(m.test.count, 5000);
  const raw = await readFile(join(DATA, 'mnist', 't10k-labels-idx1-ubyte.gz'));
  assert.ok(raw.length > 0);
  // Test = odd indices of t10k: the first test label is t10k's second label (2 in the official file).
  assert.equal(m.test.labels[0], 2);
  assert.equal(m.train.labels[0], 7);
});

test('a smoke run ships a model the explorer opens: samples, embeddings, card, loss-vs-size table', async (t) => {
  if (!(await datasetAvailable('fashion-mnist', join(DATA, 'fashion-mnist')))) {
    t.skip(`data not found under ${DATA}/fashion-mnist`);
    return;
  }
  await initBackend('wasm');
  const out = await tempDir('aez-demo-');
  const models = DEMO_MODELS.filter((m) => m.name === 'fashion-ae' || m.name === 'fashion-ae-4');
  const r = await runDemoTraining({ models, out, dataRoot: DATA, smoke: true, steps: 2 });
  assert.equal(r.trained.length, 2);
  assert.ok(r.bytes < 2e6);
  const card = await readFile(join(out, 'fashion-ae', 'MODEL_CARD.md'), 'utf8');
  assert.match(card, /three 3×3 stride-2 convolutions \(32, 64, 128 filters/);
  assert.match(card, /per class the first 6,000 train/);

  const loaded = await loadDemoModelDir(join(out, 'fashion-ae'));
  assert.equal(loaded.embeddings?.length, 200 * 2);
  assert.equal((await loadDemoModelDir(join(out, 'fashion-ae-4'))).embeddings, undefined);

  const ex = await DemoExplorer.open('fashion-ae', out);
  const e = await ex.embeddings();
  assert.equal(e.count, 200);
  assert.equal(e.classNames[9], 'Ankle boot');
  // Stored float16 embeddings agree with encoding the samples now.
  const fresh = await ex.encode(ex.samples!.images);
  for (let i = 0; i < 400; i++) assert.ok(Math.abs(fresh[i] - e.points[i]) < 2e-3 * Math.max(1, Math.abs(fresh[i])));
  const stats = await ex.classStats();
  assert.equal(stats.length, 10);
  assert.equal(stats[0].count, 20);
  const u = await ex.sample('uniform', 5, { seed: 2 });
  for (let i = 0; i < 5; i++) for (let j = 0; j < 2; j++) assert.ok(u.points[i * 2 + j] >= e.bounds.min[j] && u.points[i * 2 + j] <= e.bounds.max[j]);
  const c = await ex.sample('class', 3, { classIndex: 7, seed: 2 });
  assert.equal(c.images.length, 3 * 784);
  const dn = await ex.denoise(ex.sampleImage(0), 0.2);
  assert.equal(dn.restored.length, 784);
  ex.dispose();

  const sizes = await lossVsLatentSize(out);
  assert.deepEqual(sizes.map((s) => s.latent), [2, 4]);
  assert.ok(sizes.every((s) => s.testMse > 0 && s.testMse < 1));
  assert.equal((await listExplorerModels(out)).length, 2);
});
