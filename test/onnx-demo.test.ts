// The explorer's demo autoencoders on onnxruntime: each exported layer type (strided convolution, transposed
// convolution, dense) against its tf twin, the whole encoder and decoder of random AEs and VAEs, and every
// shipped demo model, within 1e-4 (max abs on 0..1 images; relative on latent codes). The explorer picks
// onnxruntime by itself and follows AEZ_BACKEND.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { OrtEngine } from '../electron/engine/inference/ort-engine.js';
import { initBackend } from '../electron/engine/tfjs/backend.js';
import { NET_SIDE } from '../electron/engine/explorer/datasets.js';
import { OrtDemoNet, TfjsDemoNet } from '../electron/engine/explorer/demo-net.js';
import { DemoExplorer } from '../electron/engine/explorer/explorer.js';
import { countParams, demoArch, type DemoArch } from '../electron/engine/explorer/models.js';
import { loadDemoModelDir } from '../electron/engine/explorer/model-io.js';
import { convStride2Layer, convTransposeStride2Layer, denseLayer } from '../electron/engine/explorer/demo-onnx.js';
import { toNchw, toNhwc } from '../electron/engine/nn/unet-onnx.js';
import { GraphBuilder } from '../electron/engine/onnx/onnx-proto.js';
import { Rng } from '../electron/engine/util/rng.js';

const TOL = 1e-4;
const DEMO = resolve('models/demo');

function randn(n: number, rng: Rng, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal() * scale);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Latent codes: 1e-4 relative to the code's size (an AE's codes reach tens). */
function assertCodesClose(a: Float32Array, b: Float32Array, what: string): void {
  const scale = Math.max(1, ...Array.from(b, Math.abs));
  assert.ok(maxAbsDiff(a, b) <= TOL * scale, `${what}: codes differ by ${maxAbsDiff(a, b)} (scale ${scale})`);
}

/** One-layer graph: NHWC input → layer → NHWC (or [N, C]) output, run once on onnxruntime. */
async function runLayer(
  build: (g: GraphBuilder, x: string) => string,
  input: Float32Array,
  dims: number[],
  spatial: boolean,
): Promise<Float32Array> {
  const g = new GraphBuilder('layer');
  const x = g.input('x', dims.map((d, i) => (i === 0 ? 'N' : d)));
  const y = spatial ? toNhwc(g, build(g, toNchw(g, x))) : build(g, x);
  g.op('Identity', [y], {}, 'y');
  g.output('y', ['N']);
  const ort = await OrtEngine.create({ threads: 1 });
  try {
    return (await ort.runGraph('layer', () => g.model(), { name: 'x', data: input, dims }, 'y')).data;
  } finally {
    ort.dispose();
  }
}

test('exporter layers: stride-2 conv, stride-2 transposed conv and dense match tfjs', async () => {
  await initBackend('wasm');
  const rng = new Rng(5);
  // Stride-2 'same' convolution, 3×3, 3 → 5 channels (even sides, as in the models: 32, 16, 8).
  for (const side of [8, 4]) {
    const x = randn(2 * side * side * 3, rng);
    const w = randn(9 * 3 * 5, rng, 0.3);
    const b = randn(5, rng, 0.1);
    const want = tf.tidy(() => tf.fused.conv2d({ x: tf.tensor4d(x, [2, side, side, 3]), filter: tf.tensor4d(w, [3, 3, 3, 5]), strides: 2, pad: 'same', bias: tf.tensor1d(b) }).dataSync() as Float32Array);
    const got = await runLayer((g, t) => convStride2Layer(g, 'c', t, w, [3, 3, 3, 5], b), x, [2, side, side, 3], true);
    assert.equal(got.length, want.length, 'the strided conv halves the side');
    assert.ok(maxAbsDiff(got, want) < TOL, `conv side ${side}: ${maxAbsDiff(got, want)}`);
  }
  // Transposed convolution, 3×3 stride 2 'same': 4 → 3 channels, 5×5 → 10×10.
  {
    const x = randn(2 * 25 * 4, rng);
    const w = randn(9 * 3 * 4, rng, 0.3); // tfjs layout [k, k, out, in]
    const b = randn(3, rng, 0.1);
    const want = tf.tidy(() => tf.add(tf.conv2dTranspose(tf.tensor4d(x, [2, 5, 5, 4]), tf.tensor4d(w, [3, 3, 3, 4]), [2, 10, 10, 3], 2, 'same'), tf.tensor1d(b)).dataSync() as Float32Array);
    const got = await runLayer((g, t) => convTransposeStride2Layer(g, 't', t, w, [3, 3, 3, 4], b), x, [2, 5, 5, 4], true);
    assert.equal(got.length, want.length, 'the transposed conv doubles the side');
    assert.ok(maxAbsDiff(got, want) < TOL, `transposed conv: ${maxAbsDiff(got, want)}`);
  }
  // Dense 7 → 4.
  {
    const x = randn(3 * 7, rng);
    const w = randn(7 * 4, rng, 0.5);
    const b = randn(4, rng, 0.1);
    const want = tf.tidy(() => tf.add(tf.matMul(tf.tensor2d(x, [3, 7]), tf.tensor2d(w, [7, 4])), tf.tensor1d(b)).dataSync() as Float32Array);
    const got = await runLayer((g, t) => denseLayer(g, 'd', t, w, [7, 4], b), x, [3, 7], false);
    assert.ok(maxAbsDiff(got, want) < TOL, `dense: ${maxAbsDiff(got, want)}`);
  }
});

/** Random weights with non-zero biases, so every parameter shows in the output. */
function randomFlat(arch: DemoArch, seed: number): Float32Array {
  return randn(countParams(arch), new Rng(seed), 0.08);
}

function randomImages(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * NET_SIDE * NET_SIDE }, () => rng.next());
}

async function compareNets(arch: DemoArch, flat: Float32Array, key: string, z: Float32Array, x: Float32Array, what: string): Promise<void> {
  const n = x.length / (NET_SIDE * NET_SIDE);
  const m = z.length / arch.latent;
  const tfn = new TfjsDemoNet(arch, flat);
  const ort = new OrtDemoNet(await OrtEngine.create({ threads: 1 }), arch, flat, key);
  try {
    assertCodesClose(await ort.encode(x, n), await tfn.encode(x, n), `${what} encoder`);
    const d = maxAbsDiff(await ort.decode(z, m), await tfn.decode(z, m));
    assert.ok(d <= TOL, `${what} decoder: images differ by ${d}`);
  } finally {
    ort.dispose();
    tfn.dispose();
  }
}

test('random demo AEs and VAEs: onnxruntime encoder and decoder match tfjs', async () => {
  await initBackend('wasm');
  for (const [kind, d] of [['ae', 2], ['vae', 2], ['ae', 16]] as const) {
    const arch = demoArch(kind, d);
    const z = randn(6 * d, new Rng(d), 2);
    await compareNets(arch, randomFlat(arch, 7 + d), `random-${kind}-${d}`, z, randomImages(5, d), `${kind}-${d}`);
  }
});

const shipped = existsSync(DEMO) ? readdirSync(DEMO).filter((n) => existsSync(join(DEMO, n, 'demo-model.json'))) : [];

test('every shipped demo model gives the same codes and images on onnxruntime and tfjs', { skip: shipped.length ? false : 'no demo models in models/demo' }, async () => {
  await initBackend('wasm');
  for (const name of shipped) {
    const m = await loadDemoModelDir(join(DEMO, name));
    const d = m.arch.latent;
    // Points across the stored embeddings' box (where the explorer decodes); random images to encode.
    const rng = new Rng(3);
    const box = m.manifest.embeddings ?? { min: new Array(d).fill(-3), max: new Array(d).fill(3) };
    const z = Float32Array.from({ length: 20 * d }, (_, i) => rng.uniform(box.min[i % d], box.max[i % d]));
    await compareNets(m.arch, m.flat, m.manifest.sha256, z, randomImages(8, 11), name);
  }
});

test('the explorer runs on onnxruntime unless AEZ_BACKEND asks for TensorFlow.js; both decode alike', { skip: shipped.includes('fashion-ae') ? false : 'fashion-ae not shipped' }, async () => {
  const saved = process.env.AEZ_BACKEND;
  let ort: DemoExplorer | undefined;
  let tfjs: DemoExplorer | undefined;
  try {
    delete process.env.AEZ_BACKEND;
    ort = await DemoExplorer.open('fashion-ae', DEMO);
    process.env.AEZ_BACKEND = 'wasm';
    tfjs = await DemoExplorer.open('fashion-ae', DEMO);
    // The chain's first provider that starts: the CPU here, a GPU provider on a machine that has one.
    assert.match(ort.engine, /^ort-/);
    assert.equal(tfjs.engine, 'tfjs-wasm');
    const a = await ort.grid(5, 4);
    const b = await tfjs.grid(5, 4);
    assert.ok(maxAbsDiff(a.images, b.images) <= TOL);
  } finally {
    if (saved === undefined) delete process.env.AEZ_BACKEND;
    else process.env.AEZ_BACKEND = saved;
    ort?.dispose();
    tfjs?.dispose();
  }
});

test('a closed demo model refuses work; its engine goes on serving the others', async () => {
  await initBackend('wasm');
  const arch = demoArch('ae', 2);
  const engine = await OrtEngine.create({ threads: 1 });
  try {
    const a = new OrtDemoNet(engine, arch, randomFlat(arch, 1), 'a');
    const b = new OrtDemoNet(engine, arch, randomFlat(arch, 2), 'b');
    const z = Float32Array.of(0.5, -1);
    const before = await b.decode(z, 1);
    await a.decode(z, 1);
    a.dispose();
    await assert.rejects(a.decode(z, 1), /closed/);
    assert.deepEqual(await b.decode(z, 1), before);
    b.dispose();
  } finally {
    engine.dispose();
  }
});
