// The ONNX exporter, piece by piece: the protobuf writer, the model's structure, and each layer type run
// through onnxruntime against its TensorFlow.js twin (the ops nn/unet.ts and nn/shuffle.ts use).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { pixelShuffle2, pixelUnshuffle2 } from '../electron/engine/nn/shuffle.js';
import { paramSpecs, type UNetConfig } from '../electron/engine/nn/unet.js';
import { ProtoWriter, readFields, readString, Wire } from '../electron/engine/onnx/protobuf.js';
import { GraphBuilder, ONNX_OPSET, ONNX_IR_VERSION } from '../electron/engine/onnx/onnx-proto.js';
import {
  addLayer,
  convLayer,
  exportUNet,
  hwioToOihw,
  noisePlaneLayer,
  reluLayer,
  shuffleLayer,
  toNchw,
  toNhwc,
  unshuffleConvLayer,
} from '../electron/engine/nn/unet-onnx.js';
import { initBackend } from '../electron/engine/tfjs/backend.js';
import { Rng } from '../electron/engine/util/rng.js';
import { tf } from './helpers.js';

function random(n: number, seed: number, scale = 1): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.normal() * scale);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Runs a one-input graph built by `body` (NCHW in, NCHW out) on an NHWC tensor, returns NHWC output. */
async function runLayer(
  shapeIn: [number, number, number, number],
  shapeOut: [number, number, number, number],
  input: Float32Array,
  body: (g: GraphBuilder, x: string) => string,
  extra: Record<string, ort.Tensor> = {},
  extraInputs: (g: GraphBuilder) => void = () => {},
): Promise<Float32Array> {
  const g = new GraphBuilder('layer');
  const x = g.input('x', shapeIn);
  extraInputs(g);
  g.op('Identity', [toNhwc(g, body(g, toNchw(g, x)))], {}, 'y');
  g.output('y', shapeOut);
  const s = await ort.InferenceSession.create(g.model(), { logSeverityLevel: 3 });
  try {
    const out = await s.run({ x: new ort.Tensor('float32', input, shapeIn), ...extra });
    return out.y.data as Float32Array;
  } finally {
    await s.release();
  }
}

test('protobuf writer: varints, negative int64, fixed32 floats, nested messages, and the reader round-trips them', () => {
  const w = new ProtoWriter();
  w.int(1, 300).int(2, -1).float(3, 1.5).string(4, 'hé').message(5, new ProtoWriter().int(1, 7)).packedInts(6, [1, 128]);
  const b = w.finish();
  // field 1 varint 300 = 0x08 0xac 0x02
  assert.deepEqual([...b.subarray(0, 3)], [0x08, 0xac, 0x02]);
  const f = readFields(b);
  assert.equal(f[0].value, 300n);
  assert.equal(BigInt.asIntN(64, f[1].value as bigint), -1n);
  assert.equal(f[1].wire, Wire.Varint);
  assert.equal(new DataView((f[2].value as Uint8Array).slice().buffer).getFloat32(0, true), 1.5);
  assert.equal(readString(f[3].value), 'hé');
  assert.equal(readFields(f[4].value as Uint8Array)[0].value, 7n);
  assert.deepEqual([...(f[5].value as Uint8Array)], [1, 0x80, 0x01]);
});

test('exported model: IR version, opset 17, NHWC input with dynamic N/H/W, sigma only with a noise map', () => {
  for (const cfg of [
    { kind: 'unet', channels: 3, noiseMap: true, widths: [4, 8], blocks: [1, 0] },
    { kind: 'unet', channels: 1, noiseMap: false, widths: [4, 8], blocks: [0, 1] },
  ] as UNetConfig[]) {
    const weights = new Map(paramSpecs(cfg).map((s, i) => [s.name, random(s.shape.reduce((a, b) => a * b, 1), i)]));
    const model = readFields(exportUNet(cfg, weights));
    assert.equal(model.find((f) => f.field === 1)!.value, BigInt(ONNX_IR_VERSION));
    const opset = readFields(model.find((f) => f.field === 8)!.value as Uint8Array);
    assert.equal(opset.find((f) => f.field === 2)!.value, BigInt(ONNX_OPSET));
    const graph = readFields(model.find((f) => f.field === 7)!.value as Uint8Array);
    const inputs = graph.filter((f) => f.field === 11).map((f) => readFields(f.value as Uint8Array));
    assert.deepEqual(
      inputs.map((i) => readString(i.find((f) => f.field === 1)!.value)),
      cfg.noiseMap ? ['image', 'sigma'] : ['image'],
    );
    // image: tensor_type.shape.dim = [N, H, W, C]
    const type = readFields(inputs[0].find((f) => f.field === 2)!.value as Uint8Array);
    const tensor = readFields(type[0].value as Uint8Array);
    const dims = readFields(tensor.find((f) => f.field === 2)!.value as Uint8Array).map((d) => readFields(d.value as Uint8Array)[0]);
    assert.deepEqual(
      dims.map((d) => (d.field === 2 ? readString(d.value) : Number(d.value))),
      ['N', 'H', 'W', cfg.channels],
    );
    // Every parameter is an initializer (besides the few int64 shape constants of the noise plane).
    const inits = graph.filter((f) => f.field === 5).map((f) => readString(readFields(f.value as Uint8Array).find((x) => x.field === 8)!.value));
    assert.deepEqual(inits.filter((n) => !n.startsWith('const_')).sort(), paramSpecs(cfg).map((p) => p.name).sort());
    assert.equal(inits.length, paramSpecs(cfg).length + (cfg.noiseMap ? 2 : 0));
  }
});

test('exporter refuses a missing or mis-sized weight', () => {
  const cfg: UNetConfig = { kind: 'unet', channels: 1, noiseMap: false, widths: [4], blocks: [0] };
  const weights = new Map(paramSpecs(cfg).map((s) => [s.name, new Float32Array(s.shape.reduce((a, b) => a * b, 1))]));
  weights.set('head.w', new Float32Array(3));
  assert.throws(() => exportUNet(cfg, weights), /head\.w/);
});

test('HWIO → OIHW weight layout', () => {
  const k = 3, cin = 2, cout = 5;
  const w = Float32Array.from({ length: k * k * cin * cout }, (_, i) => i);
  const o = hwioToOihw(w, k, cin, cout);
  for (let ky = 0; ky < k; ky++)
    for (let kx = 0; kx < k; kx++)
      for (let ci = 0; ci < cin; ci++)
        for (let co = 0; co < cout; co++) assert.equal(o[((co * cin + ci) * k + ky) * k + kx], w[((ky * k + kx) * cin + ci) * cout + co]);
});

test('layer: conv 3×3 and 1×1, stride 1, same padding, with bias', async () => {
  await initBackend();
  for (const [k, cin, cout] of [[3, 3, 5], [1, 8, 4], [3, 1, 2]]) {
    const shapeIn: [number, number, number, number] = [2, 6, 10, cin];
    const x = random(2 * 6 * 10 * cin, 1);
    const w = random(k * k * cin * cout, 2, 0.5);
    const b = random(cout, 3);
    const got = await runLayer(shapeIn, [2, 6, 10, cout], x, (g, v) => convLayer(g, 'c', v, w, [k, k, cin, cout], b));
    const want = tf.tidy(() => tf.add(tf.conv2d(tf.tensor4d(x, shapeIn), tf.tensor4d(w, [k, k, cin, cout]), 1, 'same'), tf.tensor1d(b)).dataSync());
    assert.ok(maxAbsDiff(got, want) < 1e-5, `conv ${k}×${k} ${cin}→${cout}: ${maxAbsDiff(got, want)}`);
  }
});

test('layer: relu and add', async () => {
  await initBackend();
  const shape: [number, number, number, number] = [1, 4, 6, 3];
  const x = random(72, 4);
  const relu = await runLayer(shape, shape, x, (g, v) => reluLayer(g, v));
  assert.deepEqual([...relu], [...tf.relu(tf.tensor4d(x, shape)).dataSync()]);
  const twice = await runLayer(shape, shape, x, (g, v) => addLayer(g, v, reluLayer(g, v)));
  assert.ok(maxAbsDiff(twice, tf.tidy(() => tf.add(tf.tensor4d(x, shape), tf.relu(tf.tensor4d(x, shape))).dataSync())) < 1e-7);
});

test('layer: pixel shuffle = DepthToSpace (DCR), the inverse, as nn/shuffle.ts', async () => {
  await initBackend();
  for (const c of [1, 3, 8]) {
    const shape: [number, number, number, number] = [2, 3, 5, 4 * c];
    const x = Float32Array.from({ length: 2 * 3 * 5 * 4 * c }, (_, i) => i);
    const got = await runLayer(shape, [2, 6, 10, c], x, (g, v) => shuffleLayer(g, v));
    assert.deepEqual([...got], [...tf.tidy(() => pixelShuffle2(tf.tensor4d(x, shape)).dataSync())]);
  }
});

test('layer: pixel unshuffle (channels (dy, dx, c) as nn/shuffle.ts) then a k×k conv = one 2k×2k stride-2 conv', async () => {
  await initBackend();
  for (const [k, c, cout] of [[3, 3, 5], [3, 2, 4], [1, 3, 6], [5, 1, 2]]) {
    const shapeIn: [number, number, number, number] = [2, 8, 12, c];
    const x = random(2 * 8 * 12 * c, 11);
    const w = random(k * k * 4 * c * cout, 12, 0.5);
    const b = random(cout, 13);
    const got = await runLayer(shapeIn, [2, 4, 6, cout], x, (g, v) => unshuffleConvLayer(g, 'c', v, w, [k, k, 4 * c, cout], b));
    const want = tf.tidy(() => tf.add(tf.conv2d(pixelUnshuffle2(tf.tensor4d(x, shapeIn)), tf.tensor4d(w, [k, k, 4 * c, cout]), 1, 'same'), tf.tensor1d(b)).dataSync());
    assert.ok(maxAbsDiff(got, want) < 1e-5, `unshuffle + conv ${k}×${k} ${c}→${cout}: ${maxAbsDiff(got, want)}`);
  }
  assert.throws(() => unshuffleConvLayer(new GraphBuilder(), 'c', 'x', new Float32Array(9 * 12 * 2), [3, 3, 12, 2], new Float32Array(3)), /bias has 3 values/);
});

test('layer: noise-level plane appended as the last channel, any batch and size', async () => {
  await initBackend();
  for (const shape of [[1, 4, 6, 3], [3, 2, 8, 1]] as [number, number, number, number][]) {
    const [n, h, w, c] = shape;
    const x = random(n * h * w * c, 5);
    const sigma = new ort.Tensor('float32', Float32Array.of(0.2), [1]);
    const got = await runLayer(shape, [n, h, w, c + 1], x, (g, v) => noisePlaneLayer(g, v, 's'), { s: sigma }, (g) => g.input('s', [1]));
    const want = tf.tidy(() => tf.concat([tf.tensor4d(x, shape), tf.fill([n, h, w, 1], 0.2)], 3).dataSync());
    assert.ok(maxAbsDiff(got, want) < 1e-7);
  }
});
